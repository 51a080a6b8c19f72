"""LibreOffice recalculates the output and agrees with Python on every formula cell.

The workbook's formulas are written with Python's results cached. LibreOffice (headless,
fresh profile set to always recalculate) recomputes them; each result must equal the
cached value (numbers to 1e-9 relative, text equal). Two cells get a deliberately wrong
cached value first, so a LibreOffice that did not recalculate fails the test.
"""

from __future__ import annotations

import math
import shutil

import openpyxl
import pytest
from recalc import (SOFFICE, cached_values, compare_recalculated, formula_cells, poison, recalculate,
                    recalculate_many, set_input)
from report_county import evaluation, ledger_lines

from equity_xlsx.rulebook import Rules
from equity_xlsx.checks import run_checks
from equity_xlsx.ledger import build_ledger
from equity_xlsx.report import write_report
from equity_xlsx.tasks import load_tasks

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]

SCHOOL_HEADER_ROW = 6


def cell_of(path, sheet, row_label, header, header_row=SCHOOL_HEADER_ROW):
    """Coordinate of the cell in the row whose column A is ``row_label`` and column ``header``."""
    ws = openpyxl.load_workbook(path)[sheet]
    col = next(c.column_letter for c in ws[header_row] if c.value == header)
    row = next(r for r in range(header_row + 1, ws.max_row + 1) if ws.cell(r, 1).value == row_label)
    return f"{col}{row}"


def cv_cell(path, title_start, label):
    ws = openpyxl.load_workbook(path)["差异系数"]
    start = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith(title_start))
    row = next(r for r in range(start, ws.max_row + 1) if ws.cell(r, 1).value == label)
    return f"B{row}"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("recalc") / "测试县_评估结果.xlsx"
    ev, tasks = evaluation(), load_tasks()
    checks = run_checks(ev.data, Rules.of(ev.standard), evaluation=ev)
    lines = build_ledger(ev, checks, tasks, today="2024-05-21")
    write_report(ev, path, ledger=lines, closed=ledger_lines()[1:2], rules=Rules.of(ev.standard), checks=checks,
                 scores={"8": 9, "9": 4.5}, run_info={"generated": "2024-05-21T02:00:00"})
    return path


def test_every_formula_cell_matches_python_after_recalculation(workbook, tmp_path):
    poisoned = tmp_path / "poisoned.xlsx"
    shutil.copyfile(workbook, poisoned)
    met = cell_of(workbook, "学校指标", "甲小学", "达标项数")
    mean = cv_cell(workbook, "小学 · 1.", "X̄ = ΣPᵢXᵢ / ΣPᵢ（全县值）")
    poison(poisoned, "学校指标", met, 99)
    poison(poisoned, "差异系数", mean, 99)

    out = recalculate(poisoned, tmp_path / "lo")

    got = cached_values(out, [("学校指标", met), ("差异系数", mean)])
    assert got[("学校指标", met)] == 7  # all seven met at 甲小学
    assert got[("差异系数", mean)] == pytest.approx(4.7)  # 47 teachers / 1000 students × 100
    cells = formula_cells(workbook)
    assert len(cells) > 400
    sheets = {s for s, _ in cells}
    assert {"概览", "学校指标", "差异系数", "图表", "任务清单"} <= sheets
    assert compare_recalculated(workbook, out) == []


def test_corrected_inputs_flow_to_values_verdicts_and_cvs(workbook, tmp_path):
    edited = tmp_path / "edited.xlsx"
    shutil.copyfile(workbook, edited)
    # A user corrects two inputs on 学校指标: 乙小学 has 13 qualified teachers (not 12), and
    # 丙小学's equipment is 340 000 元 (not 300 000).
    teachers = cell_of(workbook, "学校指标", "乙小学", "高于规定学历教师数")
    equipment = cell_of(workbook, "学校指标", "丙小学", "教学仪器设备值\n(元)")
    set_input(edited, "学校指标", teachers, 13)
    set_input(edited, "学校指标", equipment, 340000)

    out = recalculate(edited, tmp_path / "lo")
    wb = openpyxl.load_workbook(out, data_only=True)
    ws = wb["学校指标"]

    def at(school, header):
        return ws[cell_of(workbook, "学校指标", school, header)].value

    assert at("乙小学", "1.高学历教师\n(人/百生)") == pytest.approx(13 * 100 / 300)
    assert at("乙小学", "达标项数") == 5  # 4.33 now meets 4.2
    assert at("乙小学", "判定") == "未达标"  # 6.0 / 7.5 = 80 % is still under 85 %
    # 1 700 元 per student is exactly 85 % of 2 000: 丙小学 now passes (6 met, one at 85 %).
    assert at("丙小学", "6.仪器设备\n(元)") == pytest.approx(1700)
    assert at("丙小学", "6.达标率") == pytest.approx(0.85)
    assert at("丙小学", "判定") == "达标"

    cv = wb["差异系数"]
    # X̄ = (25 + 13 + 10) / 1000 × 100 = 4.8; Σ P(X − X̄)² = 500·0.2² + 300·(13/3 − 4.8)² + 200·0.2² = 280/3
    assert cv[cv_cell(workbook, "小学 · 1.", "X̄ = ΣPᵢXᵢ / ΣPᵢ（全县值）")].value == pytest.approx(4.8)
    assert cv[cv_cell(workbook, "小学 · 1.", "CV = S / X̄")].value == pytest.approx(
        math.sqrt(280 / 3 / 1000) / 4.8)

    overview = [[c.value for c in row] for row in wb["概览"].iter_rows()]
    passing = next(row for row in overview if row[0] == "达标学校数（6 项达标且其余不低于 85%）")
    assert passing[2] == 2  # 甲 and 丙
    first = next(row for row in overview if row[0] == 1)
    assert first[3] == pytest.approx(4.8) and first[10] == 3  # all three 小学 meet indicator 1 now


def test_sample_outputs_from_the_whole_pipeline_recalculate_to_the_cached_values(sample_run, tmp_path):
    # The real run on sample_inputs/ (intake, checks, ledger, store, every sheet), not a
    # hand-built evaluation: every formula LibreOffice recomputes equals what Python cached.
    outputs = sorted(sample_run.glob("*_评估结果.xlsx"))
    # two collection tables, two folders of school workbooks, a two-county stage export
    assert len(outputs) == 6
    for original, recalculated in zip(outputs, recalculate_many(outputs, tmp_path / "lo")):
        assert len(formula_cells(original)) > 500  # the smallest county has 8 school sections
        assert compare_recalculated(original, recalculated) == []
