"""What every sheet of the result workbook is written from: one typed context, and the sheet unit.

A sheet is a small unit — a name, a ``write(ws, ctx)`` and its place in the writing order —
and the workbook is the ordered list of them (``report.SHEETS``), in the manner of
datasette's list of built-in plugins. Sheets that others refer to (学校指标, 差异系数,
整改台账, 任务清单) leave their layout on the context; the others read it from there.

Parameter cells (standards, limits, B-scoring bounds) are given defined names (``标准_小学_1``,
``限值_初中`` …) through ``ReportContext.define``, and formulas use the names, so a moved
block or a new sheet cannot silently break a formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..identity import CountyId
from ..indicators import Evaluation
from ..model import STAGE_LABEL, LedgerLine
from ..outcome import TrendPoint
from ..rulebook import Rules
from ..standards import Standard
from .formats import Formats, ref

if TYPE_CHECKING:
    from .cv_sheet import CVCells
    from .ledger_sheet import LedgerLayout
    from .schools import SchoolLayout


@dataclass
class Summary:
    """One labelled figure of the 概览 task/ledger block: a formula with its cached value."""

    label: str
    formula: str | None
    value: object
    fmt: str = "text"  # "text" | "integer" | "decimal"


@dataclass
class ReportContext:
    """Everything the sheets need; layouts are filled in as the sheets they describe are written."""

    wb: Workbook
    ev: Evaluation
    rules: Rules
    fm: Formats
    ledger: list[LedgerLine] = field(default_factory=list)
    archived: list[LedgerLine] = field(default_factory=list)
    checks: Any = None  # checks.ChecksResult, or a plain {item id: …} mapping
    run_info: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)  # what 数据问题 lists
    trend: list[TrendPoint] = field(default_factory=list)  # one point per data year, this run included
    ledger_months: list = field(default_factory=list)  # (YYYY-MM, opened, closed)
    # filled by the sheets
    schools: SchoolLayout | None = None
    cv_cells: dict[tuple[str, int], CVCells] = field(default_factory=dict)
    ledger_layout: LedgerLayout | None = None
    summaries: list[Summary] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # defined name -> the cell it names

    @property
    def std(self) -> Standard:
        return self.ev.standard

    @property
    def county(self) -> CountyId:
        return self.ev.data.county_id

    def define(self, name: str, sheet: str, row: int, col: int) -> str:
        """Name the cell (0-based ``row``, ``col``) of ``sheet``; returns the name for formulas."""
        target = ref(sheet, row, col, True, True)
        if self.names.get(name, target) != target:
            raise ValueError(f"defined name {name} already names {self.names[name]}")
        if name not in self.names:
            self.wb.define_name(name, f"={target}")
            self.names[name] = target
        return name


def standard_name(stage: str, ind_id: int) -> str:
    """The defined name of an indicator's standard: 标准_小学_1."""
    return f"标准_{STAGE_LABEL[stage]}_{ind_id}"


def limit_name(stage: str) -> str:
    """The defined name of a stage's CV limit: 限值_初中."""
    return f"限值_{STAGE_LABEL[stage]}"


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: its name, how to write it, when to write it, whether at all.

    ``order``: sheets are written in ascending order (a sheet that refers to another's layout
    comes after it) but appear in the list's order. ``wanted``: False leaves the sheet out.
    """

    name: str
    write: Callable[[Worksheet, ReportContext], None]
    order: int = 5
    wanted: Callable[[ReportContext], bool] = lambda ctx: True
