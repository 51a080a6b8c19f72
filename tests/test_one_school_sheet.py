"""One sheet per school as a form (issue 4 "More layouts"): labels beside values."""

from __future__ import annotations

import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.problems import Code
from equity_xlsx.intake import read_workbook
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)


def form(name, kind, students, extra=()):
    return [
        [f"{name}基本情况表"],
        ["学校名称", name, None, "办学类型", kind],
        ["在校生数", students, None, "班级数", 18],
        ["教学仪器设备值（万元）", 200],
        *extra,
    ]


def test_form_sheets_become_sections_with_cell_sources(write_xlsx):
    path = write_xlsx({"城南小学": form("城南小学", "小学", 812), "城北小学": form("城北小学", "小学", 300)})
    data = read_workbook(path, RULES)
    s = {x.school: x for x in data.sections}
    assert s["城南小学"].values == {"students": 812, "classes": 18, "equipment_value": 2_000_000}
    assert s["城南小学"].sources["students"].cell == "B3"
    assert s["城南小学"].sources["classes"].cell == "E3"
    assert s["城南小学"].origin.cell == "B2" and s["城南小学"].stage == "primary"
    assert data.conversions == [] or all(c.factor in (1, 10000) for c in data.conversions)
    assert data.errors == []


def test_form_next_to_a_table_sheet(write_xlsx):
    path = write_xlsx({
        "小学": [["学校名称", "在校生数"], ["甲校", 100], ["乙校", 200]],
        "丙校": form("丙校", "初级中学", 450),
    })
    data = read_workbook(path, RULES)
    assert {(s.school, s.stage) for s in data.sections} == {("甲校", "primary"), ("乙校", "primary"), ("丙校", "junior")}


def test_form_for_a_nine_year_school_with_stage_labels_splits_facilities(write_xlsx):
    path = write_xlsx({"城南学校": [
        ["学校名称", "城南学校"],
        ["办学类型", "九年一贯制学校"],
        ["小学在校生数", 166, "初中在校生数", 210],
        ["小学专任教师数", 12, "初中专任教师数", 20],
        ["教学及辅助用房面积（㎡）", 23226],
    ]})
    data = read_workbook(path, RULES)
    s = {(x.school, x.stage): x for x in data.sections}
    assert s[("城南学校", "primary")].values["teaching_area"] == pytest.approx(9711.6, abs=0.05)
    assert s[("城南学校", "junior")].values["teaching_area"] == pytest.approx(13514.4, abs=0.05)
    assert s[("城南学校", "junior")].values["full_time_teachers"] == 20
    assert s[("城南学校", "junior")].sources["students"].cell == "D3"


def test_text_in_a_form_value_is_an_error_naming_the_cell(write_xlsx):
    path = write_xlsx({"甲校": form("甲校", "小学", 812, extra=[["网络多媒体教室（间）", "若干"]])})
    data = read_workbook(path, RULES)
    (err,) = data.errors
    assert (err.code, err.sheet, err.row, err.column) == (Code.NOT_A_NUMBER, "甲校", 5, "B")
    assert err.params["value"] == "若干"


def test_form_with_section_columns_and_a_whole_school_column(write_xlsx):
    """小学部 | 初中部 | 全校 columns: each section's own figures, and the 全校 amount split 1:1.1.

    Area 5800 m² over 小学 620 and 初中 380 pupils: 小学部 5800·620/(620 + 1.1·380) =
    5800·620/1038 = 3464.35, 初中部 5800·418/1038 = 2335.65.
    """
    path = write_xlsx({"青山学校": [
        ["学校名称", "青山九年一贯制学校", None, None],
        ["办学类型", "九年一贯制学校", None, None],
        ["项目", "小学部", "初中部", "全校"],
        ["在校生数", 620, 380, None],
        ["高于规定学历教师数", 30, 24, None],
        ["教学及辅助用房面积（㎡）", None, None, 5800],
    ]}, name="河口县学校信息表.xlsx")
    data = read_workbook(path, RULES)
    by_stage = {s.stage: s.values for s in data.sections}
    assert by_stage["primary"]["students"] == 620 and by_stage["junior"]["students"] == 380
    assert by_stage["primary"]["qualified_teachers"] == 30 and by_stage["junior"]["qualified_teachers"] == 24
    assert by_stage["primary"]["teaching_area"] == pytest.approx(5800 * 620 / 1038)
    assert by_stage["junior"]["teaching_area"] == pytest.approx(5800 * 418 / 1038)
    assert not data.errors
