"""The output workbook (xlsxwriter): an ordered list of sheet units over one typed context.

``SHEETS`` is the workbook, in the order the sheets appear: 概览, 学校指标, 差异系数, 图表, 趋势,
整改台账, 任务清单, 口径说明, 数据问题, and 已销号 when archived ledger lines are given. Each is written
in its ``order`` (a sheet that refers to another's layout comes after it). Computed numbers
are live formulas over the input cells, each written with the value Python computed cached,
so a spreadsheet shows the right numbers on open and follows when a user corrects an input.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from ..indicators import Evaluation
from ..model import LedgerLine
from ..outcome import TrendPoint
from ..problems import Problem
from ..rulebook import Rules
from . import chart_sheet, cv_sheet, ledger_sheet, overview, problems, schools, scope, tasks_sheet, trend_sheet
from .context import ReportContext, Sheet
from .formats import Formats, ReportWorksheet, new_workbook, protect

__all__ = ["write_report", "SHEETS", "SHEET_ORDER"]

SHEETS: tuple[Sheet, ...] = (
    overview.SHEET_UNIT,
    schools.SHEET_UNIT,
    cv_sheet.SHEET_UNIT,
    chart_sheet.SHEET_UNIT,
    trend_sheet.SHEET_UNIT,
    ledger_sheet.SHEET_UNIT,
    tasks_sheet.SHEET_UNIT,
    scope.SHEET_UNIT,
    problems.SHEET_UNIT,
    ledger_sheet.ARCHIVE_UNIT,
)
SHEET_ORDER = tuple(s.name for s in SHEETS if s is not ledger_sheet.ARCHIVE_UNIT)


def write_report(ev: Evaluation, path: Path, *, rules: Rules, ledger: list[LedgerLine] | None = None,
                 closed: list[LedgerLine] | None = None, checks=None, run_info: dict | None = None,
                 scores: dict | None = None, problems: list[Problem] | None = None,
                 trend: list[TrendPoint] | None = None,
                 ledger_months: list[tuple[str, int, int]] | None = None) -> None:
    """Write the evaluated county workbook to ``path`` (.xlsx).

    ``rules``: the run's standard (the same as ``ev.standard``), aliases and task list.
    ``ledger``: 整改台账 lines in display order (closed lines still in their grey period shown
    greyed); ``closed``: archived lines for the 已销号 sheet (sheet omitted when empty).
    ``checks``: item id -> check result (``.status`` met/unmet/no_data/to_score,
    ``.schools_unmet``) from ``checks.py``; ``scores``: B-item scores to pre-fill (item id ->
    points). ``run_info``: ``generated``, ``tool_version``, ``input``, ``last_run``,
    ``opened_since_last``, ``closed_since_last``, ``reopened_since_last`` (any may be absent).
    ``problems``: what 数据问题 lists (default: the data's own; the pipeline adds the run's,
    such as two files edited differently). ``trend``: the county's points by data year
    (``outcome.TrendPoint``; this run included), ``ledger_months``: (YYYY-MM, opened, closed);
    without them 趋势 shows this run alone.
    """
    wb = new_workbook(path)
    try:
        # The task list in the county's own words (a no-op when the pipeline already did it).
        rules = replace(rules, tasks=rules.tasks.render(ev.data.county_id))
        ctx = ReportContext(wb=wb, ev=ev, rules=rules, fm=Formats.build(wb, ev.standard.cv.display_decimals),
                            ledger=ledger or [], archived=closed or [], checks=checks, run_info=run_info or {},
                            scores={str(k): v for k, v in (scores or {}).items()},
                            problems=list(ev.data.problems if problems is None else problems),
                            trend=list(trend or []), ledger_months=list(ledger_months or []))
        if not ctx.trend:  # a workbook written outside a run: this evaluation is the one point
            ctx.trend = [_this_run(ev, ctx)]
        wanted = [s for s in SHEETS if s.wanted(ctx)]
        sheets = {s.name: wb.add_worksheet(s.name, ReportWorksheet) for s in wanted}
        for unit in sorted(wanted, key=lambda s: s.order):
            unit.write(sheets[unit.name], ctx)
            protect(sheets[unit.name])
        sheets[overview.SHEET].activate()
    finally:
        wb.close()


def _this_run(ev: Evaluation, ctx: ReportContext) -> TrendPoint:
    from ..trend import evaluation_point

    generated = str(ctx.run_info.get("generated") or "").replace("T", " ")
    year = ev.data.data_year or (int(generated[:4]) if generated[:4].isdigit() else date.today().year)
    return evaluation_point(ev, ctx.county, year, generated)
