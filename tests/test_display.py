"""A value that fails is never shown as if it passed: enough decimals to tell it from its bound.

Cases by hand: 5.797 m² against 5.8 rounds to "5.80" at 2 decimals, so it needs 3; 5.795 is
"5.80" too when rounded half up as a spreadsheet does (Python's binary round gives 5.79); a
CV of 0.5004 over the limit 0.5 is "0.500" at 3 decimals, so it needs 4.
"""

from __future__ import annotations

import openpyxl
import pytest
from report_county import FILE, STD, section

from equity_xlsx.needs import CVFixPlan, CVRaise, Need
from equity_xlsx.brief import _fmt_pair, fmt_cv, fmt_limit, fmt_value
from equity_xlsx.display import honest_decimals, honest_text
from equity_xlsx.indicators import evaluate
from equity_xlsx.model import CountyData, LedgerLine
from equity_xlsx.report import write_report
from equity_xlsx.rulebook import Rules


@pytest.mark.parametrize("value, bound, base, at_least, expected", [
    (5.797, 5.8, 2, True, 3),      # "5.80" beside 5.8 would read as met
    (5.795, 5.8, 2, True, 3),      # half up: "5.80", not Python's "5.79"
    (5.79, 5.8, 2, True, 2),       # already tells apart
    (5.9, 5.8, 2, True, 2),        # passes: as usual
    (5.8, 5.8, 2, True, 2),        # exactly the standard passes
    (2499.6, 2500, 0, True, 1),    # 元: "2,500" would read as met
    (0.5004, 0.5, 3, False, 4),    # a CV over its limit
    (0.4996, 0.5, 3, False, 3),    # within the limit: "0.500" is true
    (None, 5.8, 2, True, 2),
])
def test_decimals_needed_to_tell_a_failing_value_from_its_bound(value, bound, base, at_least, expected):
    assert honest_decimals(value, bound, base, at_least=at_least) == expected


def test_the_closest_failing_value_still_reads_as_failing():
    # Verdicts compare value / standard rounded to 9 decimals: the largest value that fails 5.8.
    value = 5.8 * (1 - 1.1e-9)
    assert honest_text(value, 5.8, 2) < "5.8" and honest_text(value, 5.8, 2).startswith("5.79999999")


def test_the_brief_shows_enough_digits():
    assert fmt_value(5.797, "m²", 5.8) == "5.797" and fmt_value(5.81, "m²", 5.8) == "5.81"
    assert fmt_value(2499.6, "元", 2500) == "2,499.6" and fmt_value(2600.4, "元", 2500) == "2,600"
    assert fmt_cv(0.5004, 0.5) == "0.5004" and fmt_cv(0.4996, 0.5) == "0.500"
    assert _fmt_pair(5.797, 5.8, "m²") == "5.797 / 5.80 m²"
    assert _fmt_pair(0.5004, 0.5, "") == "0.5004 / 0.500"  # a CV line of the ledger


def test_the_workbook_shows_enough_digits(tmp_path):
    # 初中 4 (生均教学及辅助用房, standard 5.8): 丁中学 1000 students, 5799.9 m² → 5.7999;
    # 戊中学 500 students, 2898.5 m² → 5.797; 己中学 400 students, 2400 m² → 6.0 (meets).
    schools = [section("丁中学", 1000, 60, 10, 10, 5799.9, 11000, 3_000_000, 25, stage="junior", row=5),
               section("戊中学", 500, 30, 5, 5, 2898.5, 5500, 1_500_000, 13, stage="junior", row=6),
               section("己中学", 400, 24, 4, 4, 2400, 4400, 1_200_000, 10, stage="junior", row=7)]
    ev = evaluate(CountyData(file=FILE, county="测试县", sections=schools), STD)
    line = LedgerLine(id="TZ-04-000001", school="戊中学", stage="junior", item="4", indicator="生均教学及辅助用房面积",
                      current=2898.5 / 500, standard=5.8, shortfall=5.8 - 2898.5 / 500, unit="m²",
                      need_text="需补足教学及辅助用房 2 m²", first_seen="2026-11-01")
    close = LedgerLine(id="TZ-04-000002", school="丁中学", stage="junior", item="4", indicator="生均教学及辅助用房面积",
                       current=5.79999, standard=5.8, shortfall=0.00001, unit="m²", first_seen="2026-11-01")
    path = tmp_path / "测试县_评估结果.xlsx"
    write_report(ev, path, rules=Rules.of(STD), ledger=[line, close])
    wb = openpyxl.load_workbook(path)
    ws = wb["学校指标"]
    head = [c.value for c in ws[6]]
    value_col = next(i for i, h in enumerate(head) if str(h).startswith("4.教学用房")) + 1
    ratio_col = head.index("4.达标率") + 1
    rows = {ws.cell(r, 1).value: r for r in range(7, ws.max_row + 1)}
    assert ws.cell(rows["丁中学"], value_col).number_format == "#,##0.0000"  # 5.7999, not 5.80
    assert ws.cell(rows["戊中学"], value_col).number_format == "#,##0.000"  # 5.797
    assert ws.cell(rows["己中学"], value_col).number_format == "#,##0.00"  # 6.00 meets: as usual
    assert ws.cell(rows["丁中学"], ratio_col).number_format == "0.000%"  # 99.998%, not 100.0%
    assert ws.cell(rows["戊中学"], ratio_col).number_format == "0.0%"  # 99.9%
    led = wb["整改台账"]
    heads = [c.value for c in led[1]]
    current, gap = led.cell(2, heads.index("现值") + 1), led.cell(2, heads.index("差距") + 1)
    assert current.number_format == "#,##0.0##"  # up to 3 decimals: 5.797
    assert gap.value == pytest.approx(0.003) and gap.number_format == "#,##0.0##"
    # 5.79999 would read "5.8" (and its 差距 "0.0") at 3 decimals: 5 are shown.
    assert led.cell(3, heads.index("现值") + 1).number_format == "#,##0.00000"
    assert led.cell(3, heads.index("差距") + 1).number_format == "#,##0.00000"


def test_a_cv_fix_plan_never_shows_a_failing_value_as_its_bound():
    """The 整改台账 CV-fix detail: a CV of 0.5004 over the limit 0.5 reads "0.500" at 3 decimals,
    so it needs 4; a school at 5.7996 raised to 5.8 reads "5.800" at 3, so it needs 4 too.
    The floor, the CV after and the target are within their bounds and keep 3 decimals."""
    raise_one = CVRaise(school="甲小学", code="", stage="primary", students=100, before=5.7996, target=5.8,
                        need=Need(amount=1, unit="m²", what="教学及辅助用房"), after=5.81)
    plan = CVFixPlan(indicator=4, stage="primary", limit=0.5, cv_before=0.5004, floor=5.8, cv_at_floor=0.49,
                     cv_after=0.4812, raises=(raise_one,), total=raise_one.need)
    assert plan.summary_text() == "将低于 5.800 的 1 所学校提高到 5.800，差异系数由 0.5004 降到 0.481："
    assert plan.detail_text().startswith("甲小学：5.7996 → 5.800，")


def test_the_brief_shows_every_digit_of_a_cv_limit():
    """A province's limit of 0.425 reads "0.425" (2 decimals would show "0.43", a different
    limit); the national 0.5 and 0.45 keep their usual "0.50" and "0.45"."""
    assert [fmt_limit(v) for v in (0.5, 0.45, 0.425)] == ["0.50", "0.45", "0.425"]
