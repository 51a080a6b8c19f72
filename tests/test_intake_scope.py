"""口径: which schools enter the calculation (domain.md §3), driven by the standards file."""

from __future__ import annotations

import dataclasses

from equity_xlsx.rulebook import Rules
from equity_xlsx.intake import read_workbook
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)


def test_special_and_vocational_schools_are_excluded_with_the_reason(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "办学类型", "在校生数"],
        ["城南小学", "小学", 500],
        ["区特殊教育学校", "特殊教育学校", 80],
        ["职业中专", "中职", 900],
    ]})
    data = read_workbook(path, RULES)
    assert [s.school for s in data.sections] == ["城南小学"]
    reasons = {e.school: e.reason for e in data.exclusions}
    assert set(reasons) == {"区特殊教育学校", "职业中专"}
    assert "特殊教育" in reasons["区特殊教育学校"] and "中职" in reasons["职业中专"]
    assert data.errors == []


def test_teaching_point_under_threshold_excluded_at_threshold_kept(write_xlsx):
    assert STD.scope.teaching_point_min_students == 50
    path = write_xlsx({"小学": [
        ["学校名称", "办学类型", "在校生数"],
        ["李家教学点", "教学点", 49],
        ["王家教学点", "教学点", 50],
    ]})
    data = read_workbook(path, RULES)
    assert [s.school for s in data.sections] == ["王家教学点"]
    (exc,) = data.exclusions
    assert exc.school == "李家教学点" and exc.students == 49 and "50" in exc.reason
    assert exc.source.row == 2


def test_private_schools_included_by_default_excluded_when_the_standard_says(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "办别", "在校生数"], ["育才学校", "民办", 300], ["城南小学", "公办", 400]]})
    assert len(read_workbook(path, RULES).sections) == 2
    strict = Rules.of(dataclasses.replace(STD, scope=dataclasses.replace(STD.scope, include_private=False)))
    data = read_workbook(path, strict)
    assert [s.school for s in data.sections] == ["城南小学"]
    assert "民办" in data.exclusions[0].reason


def test_threshold_comes_from_the_standard_not_the_code(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "办学类型", "在校生数"], ["李家教学点", "教学点", 70]]})
    assert len(read_workbook(path, RULES).sections) == 1
    other = Rules.of(dataclasses.replace(STD, scope=dataclasses.replace(STD.scope, teaching_point_min_students=100)))
    assert read_workbook(path, other).sections == []
