"""需补足 for a 一贯制 school's split facilities is what the whole school must add.

By hand (domain.md §3): 城南学校, 小学 166 + 初中 210 students, 教学及辅助用房 2092 m² for the
whole school. 初中部 share = 1.1·210 / (166 + 1.1·210) = 231/397; its value = 2092·231/397/210
= 5.7965 m² < 5.8. The 初中部 alone is 5.8·210 − 2092·231/397 = 0.7406 m² short, which rounds
to 1 m² — but 1 m² more for the school gives 初中部 only 0.58 m²: 2093·1.1/397 = 5.7992 < 5.8.
Through the split: 0.7406 ÷ (231/397) = 1.273 → 2 m²; 2094·1.1/397 = 5.8020 ≥ 5.8.
"""

from __future__ import annotations

import pytest

from equity_xlsx.checks import UNMET, run_checks
from equity_xlsx.indicators import MET, evaluate
from equity_xlsx.intake import read_workbook
from equity_xlsx.rulebook import Rules
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)


def teaching_area_finding(write_xlsx, whole_area: float, name: str):
    path = write_xlsx({"学校": [
        ["学校名称", "办学类型", "学段", "在校生数", "教学及辅助用房面积(㎡)"],
        ["城南学校", "九年一贯制", "小学", 166, whole_area],
        [None, None, "初中", 210, None],
    ]}, name=name, merges={"学校": ["A2:A3", "B2:B3", "E2:E3"]})
    data = read_workbook(path, RULES)
    ev = evaluate(data, STD)
    checks = run_checks(data, RULES, evaluation=ev)
    return next(f for f in checks["4"].findings if f.level == "school" and f.stage == "junior"), ev


def test_the_need_of_a_split_facility_is_the_whole_schools_and_really_closes_the_gap(write_xlsx):
    finding, ev = teaching_area_finding(write_xlsx, 2092, "县表.xlsx")
    assert finding.status == UNMET and finding.current == pytest.approx(2092 * 1.1 / 397)
    assert finding.need.amount == 2 and finding.need.unit == "m²"
    assert "全校" in finding.need.text and "1:1.1" in finding.need.text
    # Proof by re-evaluating with the need added to the whole-school figure …
    after, _ = teaching_area_finding(write_xlsx, 2092 + finding.need.amount, "补足后.xlsx")
    assert after.status != UNMET and after.current == pytest.approx(2094 * 1.1 / 397)
    # … and one m² less is not enough.
    short, _ = teaching_area_finding(write_xlsx, 2092 + finding.need.amount - 1, "少一平方米.xlsx")
    assert short.status == UNMET and short.current == pytest.approx(5.7992, abs=1e-4)
    junior = next(r for r in ev.stages["junior"].sections)
    assert junior.statuses[4] != MET


def test_a_cv_fix_raise_of_a_split_section_is_the_whole_schools_amount():
    # Two 初中 sections, 100 students each, 4 and 10 m²/生 (CV = 3/7 = 0.4286 over a 0.40
    # limit): the first is raised to the floor. Given at whole-school level with half of any
    # amount reaching this section, the school must add twice the section's need.
    from equity_xlsx.needs import SchoolValue, Share, cv_fix_plan

    ind = STD.indicator(4)
    plain = [SchoolValue("甲", "", "junior", 100, 4.0, 400.0), SchoolValue("乙", "", "junior", 100, 10.0, 1000.0)]
    halves = [SchoolValue("甲", "", "junior", 100, 4.0, 400.0, Share(0.5, "初中", "小学:初中 = 1:1")), plain[1]]
    a, b = cv_fix_plan(ind, "junior", plain, 0.40), cv_fix_plan(ind, "junior", halves, 0.40)
    assert a.floor == pytest.approx(b.floor) and a.raises[0].need.amount > 0
    assert b.raises[0].need.amount in (2 * a.raises[0].need.amount, 2 * a.raises[0].need.amount - 1)
    assert b.raises[0].after >= b.floor - 1e-9 and b.cv_after <= 0.40
