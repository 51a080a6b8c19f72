"""The output workbook (xlsxwriter): one module per sheet, shared formats in ``formats``.

Sheets, in order: 概览, 学校指标, 差异系数, 整改台账, 任务清单, 口径说明, 数据问题, and 已销号
when archived ledger lines are given. Computed numbers are live formulas over the input
cells, each written with the value Python computed cached, so a spreadsheet shows the
right numbers on open and follows when a user corrects an input.
"""

from __future__ import annotations

from pathlib import Path

from xlsxwriter import Workbook

from ..indicators import Evaluation
from ..model import CLOSED, LedgerLine
from . import cv_sheet, ledger_sheet, overview, problems, schools, scope, tasks_sheet
from .formats import Formats, ReportWorksheet

__all__ = ["write_report", "SHEET_ORDER"]

SHEET_ORDER = (overview.SHEET, schools.SHEET, cv_sheet.SHEET, ledger_sheet.SHEET, tasks_sheet.SHEET,
               scope.SHEET, problems.SHEET)


def write_report(ev: Evaluation, path: Path, *, ledger: list[LedgerLine] | None = None,
                 closed: list[LedgerLine] | None = None, tasks=None, checks=None,
                 run_info: dict | None = None, scores: dict | None = None) -> None:
    """Write the evaluated county workbook to ``path`` (.xlsx).

    ``ledger``: 整改台账 lines in display order (closed lines still in their 30 days shown
    greyed); ``closed``: archived lines for the 已销号 sheet (sheet omitted when empty).
    ``tasks``: a ``tasks.TaskList`` (任务清单 sheet; without it the sheet says so);
    ``checks``: item id -> check result (``.status`` met/unmet/no_data/to_score,
    ``.schools_unmet``) from ``checks.py``; ``scores``: optional B-item scores to pre-fill
    (item id -> points, or (item id, row index) -> points for an item's sub-rows).
    ``run_info``: ``generated``, ``tool_version``, ``input``, ``last_run``,
    ``opened_since_last``, ``closed_since_last``, ``reopened_since_last`` (any may be absent).
    """
    path = Path(path)
    wb = Workbook(str(path), {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                              "strings_to_urls": False})
    try:
        fm = Formats.build(wb, ev.standard.cv.display_decimals)
        sheets = {name: wb.add_worksheet(name, ReportWorksheet) for name in SHEET_ORDER}
        archived = closed or []
        if archived:
            sheets[ledger_sheet.CLOSED_SHEET] = wb.add_worksheet(ledger_sheet.CLOSED_SHEET, ReportWorksheet)

        lay = schools.write(sheets[schools.SHEET], ev, fm)
        cv_cells = cv_sheet.write(sheets[cv_sheet.SHEET], ev, fm, lay)
        lines = ledger or []
        led = ledger_sheet.write(sheets[ledger_sheet.SHEET], lines, fm,
                                 status_choices=ev.standard.ledger.status_choices)
        if archived:
            ledger_sheet.write(sheets[ledger_sheet.CLOSED_SHEET], archived, fm, archive=True)
        task_summary = tasks_sheet.write(sheets[tasks_sheet.SHEET], tasks, checks, fm, led, ev, lay,
                                         lines, scores=scores)
        scope.write(sheets[scope.SHEET], ev, fm, lay)
        problems.write(sheets[problems.SHEET], ev.data.problems, fm)

        info = run_info or {}
        summaries = list(task_summary)
        open_lines = sum(1 for ln in lines if ln.status != CLOSED)
        summaries.append(overview.Summary(
            "整改台账未销号条目", f'=COUNTA({led.column("status")})-COUNTIF({led.column("status")},"{CLOSED}")',
            open_lines, "integer"))
        if info.get("last_run"):
            summaries.append(overview.Summary("上次运行时间", None, str(info["last_run"])))
        for key, label in (("opened_since_last", "上次运行以来新增台账条目"),
                           ("closed_since_last", "上次运行以来销号条目"),
                           ("reopened_since_last", "上次运行以来重新打开条目")):
            if info.get(key) is not None:
                summaries.append(overview.Summary(label, None, int(info[key]), "integer"))
        overview.write(sheets[overview.SHEET], ev, fm, lay, cv_cells, info, summaries)
        sheets[overview.SHEET].activate()
    finally:
        wb.close()
