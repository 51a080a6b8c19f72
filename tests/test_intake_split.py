"""九年一贯制 / 十二年一贯制 / 完全中学 as per-stage sections; whole-school facility amounts split
by weighted students (domain.md §3), composites summed."""

from __future__ import annotations

import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.problems import Code
from equity_xlsx.intake import read_workbook
from equity_xlsx.model import split_amount
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)


def by_key(data):
    return {(s.school, s.stage): s for s in data.sections}


def test_split_amount_matches_domain_example():
    shares = split_amount(23226, {"primary": 166, "junior": 210}, {"primary": 1.0, "junior": 1.1})
    assert shares["primary"] == pytest.approx(9711.6, abs=0.05)
    assert shares["junior"] == pytest.approx(13514.4, abs=0.05)


def test_nine_year_school_facilities_split_1_to_1_1_from_a_merged_cell(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "办学类型", "学段", "在校生数", "专任教师数", "教学及辅助用房面积(㎡)"],
        ["城南学校", "九年一贯制", "小学", 166, 12, 23226],
        [None, None, "初中", 210, 20, None],
        ["城北小学", "小学", "小学", 500, 30, 2500],
    ]}, merges={"学校": ["A2:A3", "B2:B3", "F2:F3"]})
    data = read_workbook(path, RULES)
    s = by_key(data)
    pri, jun = s[("城南学校", "primary")], s[("城南学校", "junior")]
    assert pri.values["teaching_area"] == pytest.approx(9711.6, abs=0.05)
    assert jun.values["teaching_area"] == pytest.approx(13514.4, abs=0.05)
    assert pri.sources["teaching_area"].cell == jun.sources["teaching_area"].cell == "F2"
    # teachers are per section, never split
    assert (pri.values["full_time_teachers"], jun.values["full_time_teachers"]) == (12, 20)
    assert pri.sources["full_time_teachers"].cell == "E2" and jun.sources["full_time_teachers"].cell == "E3"
    (split,) = data.splits
    assert split.total == 23226 and split.field == "teaching_area"
    assert split.weights == (("primary", 1.0), ("junior", 1.1))
    assert any("23226" in n for n in jun.notes)
    assert s[("城北小学", "primary")].values["teaching_area"] == 2500
    assert data.errors == []


def test_whole_school_amount_given_on_one_row_only_is_split(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "学段", "在校生数", "教学仪器设备值(万元)", "网络多媒体教室(间)"],
        ["城南学校", "小学", 166, 232.26, 20],
        ["城南学校", "初中", 210, None, None],
    ]})
    s = by_key(read_workbook(path, RULES))
    assert s[("城南学校", "primary")].values["equipment_value"] == pytest.approx(971_162.7, abs=1)
    assert s[("城南学校", "junior")].values["equipment_value"] == pytest.approx(1_351_437.3, abs=1)
    # rooms: 20 × 166 / 397 = 8.3627, 20 × 231 / 397 = 11.6373
    assert s[("城南学校", "primary")].values["multimedia_rooms"] == pytest.approx(8.3627, abs=1e-4)
    assert s[("城南学校", "junior")].values["multimedia_rooms"] == pytest.approx(11.6373, abs=1e-4)


def test_per_stage_sheets_join_a_through_school_by_name(write_xlsx):
    path = write_xlsx({
        "小学": [["学校名称", "在校生数", "教学及辅助用房面积"], ["城南学校", 166, 23226], ["甲小学", 100, 500]],
        "初中": [["学校名称", "在校生数", "教学及辅助用房面积"], ["城南学校", 210, None]],
    })
    s = by_key(read_workbook(path, RULES))
    assert s[("城南学校", "primary")].values["teaching_area"] == pytest.approx(9711.6, abs=0.05)
    assert s[("城南学校", "junior")].values["teaching_area"] == pytest.approx(13514.4, abs=0.05)
    assert s[("城南学校", "junior")].sources["teaching_area"].sheet == "小学"


def test_twelve_year_school_weights_1_1_1_1_32_and_senior_dropped(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "办学类型", "学段", "在校生数", "体育运动场馆面积"],
        ["一贯制学校", "十二年一贯制", "小学", 100, 31320],
        [None, None, "初中", 100, None],
        [None, None, "高中", 100, None],
    ]}, merges={"学校": ["A2:A4", "B2:B4", "E2:E4"]})
    data = read_workbook(path, RULES)
    s = by_key(data)
    # 31320 × (1, 1.1, 1.32) × 100 / (100 + 110 + 132) -> 9157.9, 10073.7, (12088.4 senior)
    assert s[("一贯制学校", "primary")].values["sports_area"] == pytest.approx(9157.89, abs=0.01)
    assert s[("一贯制学校", "junior")].values["sports_area"] == pytest.approx(10073.68, abs=0.01)
    assert set(s) == {("一贯制学校", "primary"), ("一贯制学校", "junior")}
    (exc,) = data.exclusions
    assert exc.stage == "senior" and "高中" in exc.reason


def test_complete_middle_school_junior_senior_1_to_1_2(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "办学类型", "学段", "在校生数", "教学及辅助用房面积"],
        ["一中", "完全中学", "初中", 600, 11000],
        ["一中", "完全中学", "高中", 500, None],
    ]})
    s = by_key(read_workbook(path, RULES))
    # 11000 × 600 / (600 + 1.2 × 500) = 5500
    assert s[("一中", "junior")].values["teaching_area"] == pytest.approx(5500)
    assert list(s) == [("一中", "junior")]


def test_gym_and_field_given_for_the_whole_school_are_split_then_summed(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "学段", "在校生数", "体育馆面积", "运动场地面积"],
        ["城南学校", "小学", 166, 397, 3970],
        [None, "初中", 210, None, None],
    ]}, merges={"学校": ["A2:A3", "D2:D3", "E2:E3"]})
    s = by_key(read_workbook(path, RULES))
    # (397 + 3970) × 166 / 397 = 1826.0; × 231 / 397 = 2541.0
    assert s[("城南学校", "primary")].values["sports_area"] == pytest.approx(1826.0)
    assert s[("城南学校", "junior")].values["sports_area"] == pytest.approx(2541.0)


def test_stage_columns_with_a_whole_school_column_split_it(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "小学在校生数", "初中在校生数", "教学及辅助用房面积"],
        ["城南学校", 166, 210, 23226],
    ]})
    s = by_key(read_workbook(path, RULES))
    assert s[("城南学校", "primary")].values["teaching_area"] == pytest.approx(9711.6, abs=0.05)
    assert s[("城南学校", "junior")].values["teaching_area"] == pytest.approx(13514.4, abs=0.05)


def test_teacher_count_merged_over_sections_is_an_error_not_split(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "学段", "在校生数", "县级及以上骨干教师数"],
        ["城南学校", "小学", 166, 9],
        [None, "初中", 210, None],
    ]}, merges={"学校": ["A2:A3", "D2:D3"]})
    data = read_workbook(path, RULES)
    assert all("backbone_teachers" not in s.values for s in data.sections)
    (err,) = data.errors
    assert (err.code, err.row, err.column) == (Code.WHOLE_NOT_SPLITTABLE, 2, "D")


def test_same_amount_on_every_section_row_is_used_as_given_with_a_warning(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "学段", "在校生数", "教学及辅助用房面积"],
        ["城南学校", "小学", 166, 5000],
        ["城南学校", "初中", 210, 5000],
    ]})
    data = read_workbook(path, RULES)
    assert [s.values["teaching_area"] for s in data.sections] == [5000, 5000]
    assert Code.SAME_VALUE_EACH_STAGE in [w.code for w in data.warnings]


def test_pe_art_teachers_from_pe_plus_arts_when_not_given(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "体育专任教师", "艺术(计)"], ["甲校", 100, 2, 3]]})
    s = read_workbook(path, RULES).sections[0]
    assert s.values["pe_art_teachers"] == 5
    assert s.sources["pe_art_teachers"].cell == "C2"


def test_given_pe_art_total_wins_over_parts_with_a_warning_when_they_disagree(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "体育、艺术（美术、音乐）专任教师数", "体育", "音乐", "美术"],
                               ["甲校", 100, 6, 2, 2, 1]]})
    data = read_workbook(path, RULES)
    assert data.sections[0].values["pe_art_teachers"] == 6
    assert Code.COMPOSITE_MISMATCH in [w.code for w in data.warnings]
