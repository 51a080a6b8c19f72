"""整改台账: stable numbers, real-unit needs, the CV-fix line, the sort order."""

from __future__ import annotations

import hashlib
import math
import re

import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.checks import run_checks
from equity_xlsx.cv import weighted_cv
from equity_xlsx.indicators import evaluate
from equity_xlsx.ledger import build_ledger, ledger_id, ledger_key, ledger_summary
from equity_xlsx.identity import CountyId
from equity_xlsx.model import CountyData, Section
from equity_xlsx.vocabulary import LedgerStatus
from equity_xlsx.standards import load_standard
from equity_xlsx.tasks import load_tasks

STD = load_standard("hunan-daxiang")
TASKS = load_tasks().render(CountyId("大祥区"))  # the national list in 大祥区's words
TODAY = "2026-03-01"


def sec(school: str, stage: str = "primary", code: str = "", **values) -> Section:
    return Section(school=school, stage=stage, code=code, values={k: float(v) for k, v in values.items()})


def ledger(*sections: Section, county: str = "大祥区", figures=None):
    data = CountyData("县.xlsx", county, list(sections), county_figures=dict(figures or {}))
    ev = evaluate(data, STD)
    return build_ledger(ev, run_checks(data, Rules.of(STD), ev), TASKS, TODAY)


def line(lines, school: str, item: str, part_in_indicator: str = ""):
    found = [ln for ln in lines if ln.school == school and ln.item == item
             and part_in_indicator in ln.indicator]
    assert len(found) == 1, [(ln.school, ln.item, ln.indicator) for ln in found]
    return found[0]


# A small 小学 county on item 1 (4.2 高学历教师 per 100 students), CV limit 0.50.
# Values 6.0, 0, 1.0, 1.0 per 100: X̄ = 51 / 1200 × 100 = 4.25,
# Σ P(X − X̄)² = 800·1.75² + 100·4.25² + 100·3.25² + 200·3.25² = 2450 + 1806.25 + 1056.25 + 2112.5
# = 7425, S = sqrt(7425 / 1200) = 2.487, CV = 2.487 / 4.25 = 0.585 > 0.50.
SMALL = [
    sec("城关小学", code="A", students=800, qualified_teachers=48),
    sec("山村小学", code="B", students=100, qualified_teachers=0),
    sec("河口小学", code="C", students=100, qualified_teachers=1),
    sec("新桥小学", code="D", students=200, qualified_teachers=2),
]


def test_cv_line_lists_raises_that_bring_the_cv_to_the_limit():
    lines = ledger(*SMALL)
    cv_line = line(lines, "全区", "1", "差异系数")
    assert cv_line.current == pytest.approx(0.5850, abs=5e-4)
    assert cv_line.standard == 0.5 and cv_line.unit == ""
    data = CountyData("县.xlsx", "大祥区", SMALL)
    plan = next(f.plan for f in run_checks(data, Rules.of(STD), evaluate(data, STD))["1"].findings
                if f.part == "cv")
    students = {"A": 800, "B": 100, "C": 100, "D": 200}
    teachers = {"A": 48, "B": 0, "C": 1, "D": 2}
    # Apply the listed whole-teacher raises: the CV is then at or under the limit.
    raised = dict(teachers)
    for r in plan.raises:
        raised[r.code] += r.need.amount
        # each need is ceil(L × students / 100 − teachers now)
        assert r.need.amount == math.ceil(round(plan.floor * r.students / 100 - teachers[r.code], 6))
        assert r.school in cv_line.detail and r.need.text in cv_line.detail
    codes = list(students)
    after = weighted_cv([students[c] for c in codes], [raised[c] / students[c] * 100 for c in codes])
    assert after.cv <= 0.5
    # Raising less — every school below a floor 1 % lower only up to that floor — is not enough.
    values = [teachers[c] / students[c] * 100 for c in codes]
    lower = [max(x, plan.floor * 0.99) for x in values]
    assert weighted_cv([students[c] for c in codes], lower).cv > 0.5
    # The big school above the floor is not touched; the three small ones are.
    assert {r.code for r in plan.raises} == {"B", "C", "D"}
    assert cv_line.need == sum(r.need.amount for r in plan.raises)
    assert cv_line.need_unit == "人"


def test_need_in_real_units_on_the_line():
    lines = ledger(sec("甲小学", code="X1", students=500, qualified_teachers=18, teaching_area=2000,
                       equipment_value=900000, multimedia_rooms=10, max_class_size=48, classes=12,
                       staff=25))
    one = line(lines, "甲小学", "1")
    # 4.2 × 500 / 100 − 18 = 3 人
    assert (one.need, one.need_unit, one.need_text) == (3, "人", "需补足教师 3 人")
    assert one.current == pytest.approx(3.6) and one.standard == 4.2
    assert one.shortfall == pytest.approx(0.6)
    # 4.5 × 500 − 2000 = 250 m²
    assert line(lines, "甲小学", "4").need == 250
    # 2000 × 500 − 900000 = 100000 元, shown also as 10.00 万元
    six = line(lines, "甲小学", "6")
    assert six.need == 100000 and "10.00 万元" in six.need_text
    # 2.3 × 500 / 100 − 10 = 11.5 − 10 = 1.5 → 2 间
    assert line(lines, "甲小学", "7").need == 2
    # 500 students, 12 classes × 45 = 540 ≥ 500: move 48 − 45 = 3 students
    assert (line(lines, "甲小学", "13").need, line(lines, "甲小学", "13").need_unit) == (3, "人")
    # ceil(500 / 19) − 25 = 27 − 25 = 2 staff
    assert line(lines, "甲小学", "10").need == 2


def test_line_defaults_from_the_task_list():
    lines = ledger(sec("甲小学", students=500, teaching_area=2000))
    ln = line(lines, "甲小学", "4")
    assert ln.department == "区发改局、区财政局、区教育局"
    assert ln.office == "基建办"
    assert ln.measure == TASKS.item(4).measures
    assert ln.first_seen == TODAY and ln.status == LedgerStatus.OPEN
    assert (ln.owner, ln.due, ln.progress, ln.remark) == ("", "", "", "")


def test_ids_are_stable_and_derived_from_the_gap():
    first = ledger(*SMALL)
    second = ledger(*SMALL)
    assert [ln.id for ln in first] == [ln.id for ln in second]
    for ln in first:
        assert re.fullmatch(r"TZ-\d{2}-[0-9A-F]{6}", ln.id)
    b = line(first, "山村小学", "1")
    key = "大祥区|B|primary|1|"  # county | 标识码 | stage | item | part
    assert b.key == key == ledger_key("大祥区", "B", "primary", "1")
    assert b.id == "TZ-01-" + hashlib.sha1(key.encode()).hexdigest()[:6].upper()
    assert ledger_id(key, "1") == b.id


def test_ids_do_not_change_when_unrelated_schools_are_added():
    before = {ln.key: ln.id for ln in ledger(*SMALL)}
    more = SMALL + [sec("新建小学", code="E", students=300, qualified_teachers=3),
                    sec("一中", "junior", code="F", students=500, qualified_teachers=10)]
    after = {ln.key: ln.id for ln in ledger(*more)}
    # Every old gap keeps its number (amounts may change, numbers do not).
    assert all(after.get(k) == v for k, v in before.items())
    assert len(after) > len(before)


def test_same_school_in_another_county_gets_another_number():
    a = line(ledger(*SMALL, county="大祥区"), "山村小学", "1").id
    b = line(ledger(*SMALL, county="双清区"), "山村小学", "1").id
    assert a != b


def test_sort_county_first_then_items_by_schools_affected_then_cheapest():
    lines = ledger(
        # item 4 (teaching area, 4.5 m²): three schools short
        sec("甲", students=100, teaching_area=400),   # 4.0: short 0.5 / 4.5 = 11 %
        sec("乙", students=100, teaching_area=440),   # 4.4: short 0.1 / 4.5 = 2 %
        sec("丙", students=100, teaching_area=300),   # 3.0: short 1.5 / 4.5 = 33 %
        sec("丁", students=100, teaching_area=500, multimedia_rooms=2),  # 7: 2.0 < 2.3, one school
        figures={"rotation_rate": 0.05, "rotation_backbone_share": 0.5},
    )
    order = [(ln.school, ln.item) for ln in lines if not ln.need_text.startswith("补填数据")]
    county = [o for o in order if o[0] == "全区"]
    assert order[:len(county)] == county  # county-level lines first
    schools = order[len(county):]
    # item 4 (3 schools) before item 7 (1 school); within item 4 the smallest gap first
    assert schools == [("乙", "4"), ("甲", "4"), ("丙", "4"), ("丁", "7")]
    # 丁 has 多媒体教室 and the others none: theirs are to be filled in, after 丁's gap.
    fill = [(ln.school, ln.item) for ln in lines if ln.need_text.startswith("补填数据")]
    assert sorted(fill) == sorted([("甲", "7"), ("乙", "7"), ("丙", "7")])
    assert [(ln.school, ln.item) for ln in lines].index(("丁", "7")) < min(
        [(ln.school, ln.item) for ln in lines].index(f) for f in fill)


def test_no_data_gives_no_line_and_is_not_met():
    lines = ledger(sec("甲小学", students=500))
    assert lines == []


def test_ledger_summary_rows():
    rows = ledger_summary(ledger(sec("甲小学", students=500, qualified_teachers=18)))
    school_row = next(r for r in rows if r["school"] == "甲小学")
    for key in ("id", "school", "stage", "indicator", "current", "standard", "shortfall", "unit"):
        assert key in school_row
    assert school_row["stage"] == "primary" and school_row["unit"] == "人/百生"
    assert school_row["shortfall"] == pytest.approx(0.6)  # 4.2 − 3.6
    assert (school_row["need"], school_row["need_unit"]) == (3, "人")
