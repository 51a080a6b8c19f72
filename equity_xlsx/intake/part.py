"""A workbook part: what one input file gave for one county, as read, before normalising.

Every recogniser (``intake.recognise``) returns parts; one assembler (``intake.assemble``)
turns all the parts of a county into its ``CountyData``. A part is one of three shapes,
named by ``kind``:

- ``"county"``: a collection table — the whole county in one workbook (school rows, one-school
  form sheets, a 县级指标 sheet);
- ``"school"``: one school's 教育事业统计 基层表 workbook (one record);
- ``"export"``: one county's rows of a stage export (a record per school row).

The records keep the cell every value came from; nothing here is an evaluation rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..identity import CountyId
from ..model import Conversion, MappedFigure, Source
from ..problems import Problem
from .table import Record

KINDS = ("county", "school", "export")


@dataclass
class FigureTrace:
    """Where one figure of one school was found on a statistics form, or why it was not
    (``equity-xlsx forms check``). ``value`` is in the form's own unit (``unit``)."""

    school: str
    figure: str  # what it is, in Chinese: 在校学生数（小学）
    found: bool
    sheet: str = ""
    row_label: str = ""
    header: str = ""
    cell: str = ""
    value: str = ""
    unit: str = ""
    rule: str = ""  # which rules file gave the place (the county's own mapping file is named)
    reason: str = ""  # for a miss: why, in Chinese
    nearest: tuple[str, ...] = ()  # for a miss: the labels or headers nearest to the one wanted


@dataclass
class WorkbookPart:
    """One input file's records for one county, with their sources (see the module doc)."""

    file: str
    kind: str
    records: list[Record] = field(default_factory=list)
    identity: CountyId | None = None
    county: str | None = None  # the county name when there is no identity (a file not read)
    county_figures: dict[str, float] = field(default_factory=dict)
    county_sources: dict[str, Source] = field(default_factory=dict)
    conversions: list[Conversion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    school: str | None = None  # a school workbook: the school it reports
    generation: str | None = None  # the statistics form generation (jiaoji-2021 …) or "export"
    data_year: int | None = None  # the year the titles, the 学年初 line or the file name state
    # A collection table: per sheet, the header texts that named no known field (for the
    # problem that says which indicator's column was not found, once the county is normalised).
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    trace: list[FigureTrace] = field(default_factory=list)
    # The county's own form mapping files the workbook was read with, and what they gave.
    form_mappings: list[str] = field(default_factory=list)
    mapped_figures: list[MappedFigure] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown part kind {self.kind!r}")

    @property
    def county_id(self) -> CountyId:
        """Who this part belongs to; without an identity, the county name or the file name."""
        if self.identity is not None:
            return self.identity
        return CountyId(self.county or Path(self.file).stem, None, "title" if self.county else "file")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def usable(self) -> bool:
        """The part belongs to a county's data: it holds a school to evaluate, or it is a school
        workbook read in full whose school is not evaluated (a 幼儿园 among the county's workbooks)."""
        return bool(self.records) or (self.kind == "school" and self.school is not None)
