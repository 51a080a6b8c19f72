"""The xlsxwriter speed-up (``ReportWorksheet`` skips the future-function rewrite) is fenced:
for every formula the report writes, its result equals xlsxwriter's own, and a formula that
could need the rewrite goes through the library."""

from __future__ import annotations

import xlsxwriter
from report_county import evaluation, ledger_lines
from xlsxwriter.worksheet import Worksheet

from equity_xlsx.checks import run_checks
from equity_xlsx.report import write_report
from equity_xlsx.report.formats import ReportWorksheet, classic_only
from equity_xlsx.rulebook import Rules


def test_every_report_formula_prepares_as_xlsxwriter_would(tmp_path, monkeypatch):
    seen: list[str] = []
    fast = ReportWorksheet._prepare_formula

    def recording(self, formula, expand_future_functions=False):
        seen.append(formula)
        return fast(self, formula, expand_future_functions)

    monkeypatch.setattr(ReportWorksheet, "_prepare_formula", recording)
    ev = evaluation()
    rules = Rules.of(ev.standard)
    write_report(ev, tmp_path / "r.xlsx", rules=rules, ledger=ledger_lines(), closed=ledger_lines()[:1],
                 checks=run_checks(ev.data, rules, ev), scores={"8": 9})
    assert len(seen) > 500  # the whole workbook, not a sample
    # the chart helpers of 图表 and 概览 are among them: a bar's value or #N/A
    assert any(f.startswith("=IF(ISNUMBER(T") and f.endswith(",NA()),NA())") for f in seen)
    assert any(f.startswith("=IF(ISNUMBER(G") and f.endswith(",NA()),NA())") for f in seen)
    reference = xlsxwriter.Workbook(str(tmp_path / "ref.xlsx")).add_worksheet()
    mine = ReportWorksheet()
    mine.use_future_functions = reference.use_future_functions
    for formula in set(seen):
        assert fast(mine, formula) == Worksheet._prepare_formula(reference, formula), formula


def test_a_future_function_goes_through_the_library():
    assert not classic_only("=XLOOKUP(A1,B:B,C:C)")
    ws = ReportWorksheet()
    ws.use_future_functions = True
    assert ws._prepare_formula("=XLOOKUP(A1,B:B,C:C)") == "_xlfn.XLOOKUP(A1,B:B,C:C)"


def test_defined_names_and_text_are_not_functions():
    assert classic_only('=IF(ISNUMBER(F7),ROUND(F7/标准_小学_1,9),"未提供数据")')
    assert classic_only("=IF(ISNUMBER(T6),IF(T6<达标下限比例,S6,NA()),NA())")  # NA() is no 365 function
    assert not classic_only('=IF(A1,"见 FILTER(…)",0)')  # looks like a call: the safe side
