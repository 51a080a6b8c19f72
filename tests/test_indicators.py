"""The seven indicators, the 6-of-7 + 85 % rule and county CVs, computed by hand."""

import math

import pytest

from equity_xlsx.indicators import BELOW, MET, NEAR, NO_DATA, evaluate, evaluate_section
from equity_xlsx.model import CountyData, Section
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
FIELDS = ("qualified_teachers", "backbone_teachers", "pe_art_teachers", "teaching_area",
          "sports_area", "equipment_value", "multimedia_rooms")


def primary(name, students, *numerators, stage="primary"):
    values = {"students": students}
    values.update({f: v for f, v in zip(FIELDS, numerators) if v is not None})
    return Section(school=name, stage=stage, values=values)


# A 3-school 小学 county. Per-school values worked out by hand in the comments.
A = primary("甲小学", 500, 25, 6, 5, 2500, 4000, 1_200_000, 12)  # 5.0 1.2 1.0 5.0 8.0 2400 2.4
B = primary("乙小学", 300, 12, 3, 3, 1500, 1800, 600_000, 6)  # 4.0 1.0 1.0 5.0 6.0 2000 2.0
C = primary("丙小学", 200, 10, 2, 2, 900, 1600, 300_000, 5)  # 5.0 1.0 1.0 4.5 8.0 1500 2.5


def test_hand_computed_school_values():
    a, b, c = (evaluate_section(s, STD) for s in (A, B, C))
    assert [a.values[i] for i in range(1, 8)] == pytest.approx([5.0, 1.2, 1.0, 5.0, 8.0, 2400, 2.4])
    assert [b.values[i] for i in range(1, 8)] == pytest.approx([4.0, 1.0, 1.0, 5.0, 6.0, 2000, 2.0])
    assert [c.values[i] for i in range(1, 8)] == pytest.approx([5.0, 1.0, 1.0, 4.5, 8.0, 1500, 2.5])
    assert (a.met, a.passes) == (7, True)
    # 乙: 4.0/4.2 = 95 % (near), 6.0/7.5 = 80 % (below), 2.0/2.3 = 87 % (near); 4 met.
    assert b.statuses == {1: NEAR, 2: MET, 3: MET, 4: MET, 5: BELOW, 6: MET, 7: NEAR}
    assert (b.met, b.passes) == (4, False)
    # 丙: 6 met, but equipment 1500/2000 = 75 % is under 85 %.
    assert (c.met, c.passes, c.statuses[6]) == (6, False, BELOW)


def test_hand_computed_county_values_and_cvs():
    ev = evaluate(CountyData(file="t.xlsx", county="测试县", sections=[A, B, C]), STD)
    st = ev.stages["primary"]
    assert st.students == 1000 and st.schools_passing == 1
    county = [s.county_value for s in st.indicators]
    # Σ numerator / Σ students × scale: 47/1000×100, 11/1000×100, 10/1000×100, 4900/1000, ...
    assert county == pytest.approx([4.7, 1.1, 1.0, 4.9, 7.4, 2100, 2.3])
    cvs = [s.cv_value for s in st.indicators]
    expected = [
        math.sqrt(210 / 1000) / 4.7,  # Σ P(X−X̄)² = 45 + 147 + 18
        math.sqrt(10 / 1000) / 1.1,  # 5 + 3 + 2
        0.0,
        math.sqrt(40 / 1000) / 4.9,  # 5 + 3 + 32
        math.sqrt(840 / 1000) / 7.4,  # 180 + 588 + 72
        math.sqrt(120e6 / 1000) / 2100,  # 45e6 + 3e6 + 72e6
        math.sqrt(40 / 1000) / 2.3,  # 5 + 27 + 8
    ]
    assert cvs == pytest.approx(expected, abs=1e-12)
    assert cvs[5] == pytest.approx(0.164957, abs=1e-6)
    assert [s.schools_meeting for s in st.indicators] == [2, 3, 3, 3, 2, 2, 2]
    assert all(s.cv_ok for s in st.indicators)
    # County 7: 2.3 equals the standard exactly → met.
    assert st.indicators[6].county_ok is True
    assert st.indicators[0].verdict == "达标"


def test_exactly_at_standard_is_met():
    # 42 teachers per 1000 students = 4.2 per 100, the 小学 standard itself.
    s = evaluate_section(primary("边界小学", 1000, 42, 10, 9, 4500, 7500, 2_000_000, 23), STD)
    assert s.met == 7 and s.passes


def test_exactly_85_percent_passes_with_six_met():
    # 357 / 10000 × 100 = 3.57 = 85 % of 4.2; the other six exactly at standard.
    s = evaluate_section(primary("八五小学", 10000, 357, 100, 90, 45000, 75000, 20_000_000, 230), STD)
    assert s.statuses[1] == NEAR and s.met == 6 and s.passes


def test_just_under_85_percent_fails():
    # 356 / 10000 × 100 = 3.56 = 84.8 % of 4.2.
    s = evaluate_section(primary("差一点小学", 10000, 356, 100, 90, 45000, 75000, 20_000_000, 230), STD)
    assert s.statuses[1] == BELOW and not s.passes


def test_five_of_seven_fails_even_when_both_others_near():
    # Indicators 1 and 7 at 90 % of standard: 3.78 and 2.07 per 100.
    s = evaluate_section(primary("五项小学", 10000, 378, 100, 90, 45000, 75000, 20_000_000, 207), STD)
    assert s.met == 5 and s.statuses[7] == NEAR and not s.passes


def test_junior_standards_apply_to_junior_sections():
    # 53/1000×100 = 5.3 (初中 standard), 5.8 m², 10.2 m², 2500 元, 2.4 rooms.
    s = evaluate_section(primary("一中", 1000, 53, 10, 9, 5800, 10200, 2_500_000, 24, stage="junior"), STD)
    assert s.met == 7


def test_missing_numerator_is_no_data_never_met():
    s = evaluate_section(primary("缺数小学", 1000, 42, 10, 9, 4500, 7500, None, 23), STD)
    assert s.statuses[6] == NO_DATA and s.met == 6 and not s.passes


def test_county_with_a_missing_value_is_not_达标():
    ev = evaluate(CountyData(file="t.xlsx", county="测试县",
                             sections=[A, primary("缺数小学", 100, 5, 1, 1, 500, 800, None, 3)]), STD)
    eq = ev.stages["primary"].indicators[5]
    assert eq.schools_with_data == 1 and eq.verdict == "数据不全"


def test_cv_limits_come_from_the_standard():
    assert STD.cv.limit == {"primary": 0.50, "junior": 0.45}
    assert load_standard("hunan-daxiang").checks.training_funds_share == 0.08
    assert STD.checks.training_funds_share == 0.05
