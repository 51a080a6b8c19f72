"""Reading the layouts counties really send (issue 2 "Reading"): where the table is, what the
columns mean, which rows are schools."""

from __future__ import annotations

import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.problems import Code
from equity_xlsx.intake import read_workbook
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)


def by_key(data):
    return {(s.school, s.stage): s for s in data.sections}


def codes(data, level=None):
    return [p.code for p in data.problems if level is None or p.level == level]


def test_sheets_per_stage_take_the_stage_from_the_sheet_name(write_xlsx):
    path = write_xlsx({
        "小学": [["学校名称", "在校生数", "专任教师数"], ["城南小学", 812, 40], ["城北小学", 300, 18]],
        "初中": [["学校名称", "在校生数", "专任教师数"], ["城南中学", 1000, 80]],
    })
    data = read_workbook(path, RULES)
    s = by_key(data)
    assert set(s) == {("城南小学", "primary"), ("城北小学", "primary"), ("城南中学", "junior")}
    assert s[("城南小学", "primary")].values == {"students": 812, "full_time_teachers": 40}
    assert s[("城南中学", "junior")].sources["students"].cell == "B2"
    assert s[("城南中学", "junior")].origin.row == 2
    assert data.errors == []


def test_one_sheet_with_a_stage_column(write_xlsx):
    path = write_xlsx({"学校": [["学校名称", "学段", "在校生数"], ["甲校", "小学部", 100], ["乙校", "初中", 200]]})
    s = by_key(read_workbook(path, RULES))
    assert s[("甲校", "primary")].students == 100
    assert s[("乙校", "junior")].students == 200


def test_school_type_column_gives_the_stage_for_plain_schools(write_xlsx):
    path = write_xlsx({"学校": [["学校名称", "学校类型", "在校生数"],
                               ["甲校", "小学", 100], ["乙校", "初级中学", 200], ["丙校", "村小", 60]]})
    s = by_key(read_workbook(path, RULES))
    assert set(s) == {("甲校", "primary"), ("乙校", "junior"), ("丙校", "primary")}
    assert s[("乙校", "junior")].school_type == "初级中学"


def test_title_rows_give_the_county_and_are_skipped(write_xlsx):
    path = write_xlsx({"Sheet1": [
        ["湖南省邵阳市大祥区2025年义务教育学校办学条件统计表"],
        ["填报单位：大祥区教育局", None, "填报日期：2025-09-30"],
        [],
        ["学校名称", "办学类型", "在校生数"],
        ["城南小学", "小学", 812],
    ]}, name="data.xlsx")
    data = read_workbook(path, RULES)
    assert data.county == "大祥区"
    assert [s.origin.row for s in data.sections] == [5]


def test_county_from_file_name_when_no_title(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", 10]]}, name="双清区2025.xlsx")
    assert read_workbook(path, RULES).county == "双清区"
    path = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", 10]]}, name="x.xlsx")
    assert read_workbook(path, RULES, display_name="北塔区数据.xlsx").county == "北塔区"


def test_two_row_merged_header_is_flattened_to_group_and_leaf(write_xlsx):
    path = write_xlsx({"小学": [
        ["学校名称", "在校生数", "专任教师", None, None, None, "体育运动场馆面积(㎡)", None],
        [None, None, "合计", "体育", "音乐", "美术", "体育馆面积", "运动场地面积"],
        ["城南小学", 812, 40, 3, 2, 2, 500, 6000],
    ]}, merges={"小学": ["A1:A2", "B1:B2", "C1:F1", "G1:H1"]})
    data = read_workbook(path, RULES)
    s = data.sections[0]
    assert s.values["full_time_teachers"] == 40
    assert s.values["pe_art_teachers"] == 7  # 3 + 2 + 2, composite from the leaves
    assert s.values["sports_area"] == 6500  # 体育馆 + 运动场地
    assert s.sources["pe_teachers"].cell == "D3"
    assert data.errors == []


def test_header_text_with_line_breaks_spaces_and_full_width_brackets(write_xlsx):
    path = write_xlsx({"小学": [["学 校 名 称", "在校\n学生数（人）", "教学及辅助\r\n用房面积（平方米）", "网络多媒体教室（间）"],
                               ["甲校", 100, 450.5, 3]]})
    s = read_workbook(path, RULES).sections[0]
    assert s.values == {"students": 100, "teaching_area": 450.5, "multimedia_rooms": 3}


def test_equipment_in_wan_yuan_is_converted_and_recorded(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学仪器设备值（万元）"], ["甲校", 500, 120.5]]})
    data = read_workbook(path, RULES)
    assert data.sections[0].values["equipment_value"] == pytest.approx(1_205_000)
    (conv,) = data.conversions
    assert (conv.column, conv.unit, conv.factor, conv.field) == ("C", "万元", 10000, "equipment_value")


def test_equipment_without_unit_uses_the_standard_setting_and_says_so(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学仪器设备值"], ["甲校", 500, 1_200_000]]})
    data = read_workbook(path, RULES)
    assert STD.units.equipment_value_default == "元"
    assert data.sections[0].values["equipment_value"] == 1_200_000
    (warn,) = [p for p in data.warnings if p.code == Code.DEFAULT_UNIT]
    assert (warn.column, warn.params["unit"]) == ("C", "元")


def test_unit_line_above_the_table_applies_to_columns_without_a_unit(write_xlsx):
    path = write_xlsx({"小学": [["城步县学校统计表"], ["单位：万元、平方米"],
                               ["学校名称", "在校生数", "教学仪器设备值"], ["甲校", 500, 120]]})
    data = read_workbook(path, RULES)
    assert data.sections[0].values["equipment_value"] == 1_200_000
    assert data.county == "城步县"


def test_unknown_unit_in_header_is_an_error_and_the_column_unused(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学仪器设备值(亿元)", "教学及辅助用房面积(亩)"],
                               ["甲校", 500, 1, 3]]})
    data = read_workbook(path, RULES)
    assert data.sections[0].values == {"students": 500}
    errs = [p for p in data.errors]
    assert {(p.row, p.column) for p in errs} == {(1, "C"), (1, "D")}
    assert {(p.code, p.params["unit"]) for p in errs} == {(Code.UNKNOWN_UNIT, "亿元"), (Code.UNKNOWN_UNIT, "亩")}
    assert "万元" in next(p for p in errs if p.params["unit"] == "亿元").params["known"]


def test_implausible_equipment_magnitude_is_an_error_not_used(write_xlsx):
    # 120 "元" for 500 students is 0.24 元 each: surely 万元 without the unit written.
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学仪器设备值(元)"], ["甲校", 500, 120]]})
    data = read_workbook(path, RULES)
    assert "equipment_value" not in data.sections[0].values
    (err,) = data.errors
    assert (err.code, err.row, err.column) == (Code.EQUIPMENT_IMPLAUSIBLE, 2, "C")
    assert err.params["suspected_unit"] == "万元"


def test_numbers_stored_as_text_are_numbers(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学及辅助用房面积", "专任教师数"],
                               ["甲校", "1,234", " 5678.5 ", "１２"]]})
    data = read_workbook(path, RULES)
    assert data.sections[0].values == {"students": 1234, "teaching_area": 5678.5, "full_time_teachers": 12}
    assert data.errors == []


@pytest.mark.parametrize("bad", ["无", "—", "-", "/", "12人", "1,2", "#DIV/0!"])
def test_text_in_a_number_cell_is_an_error_naming_the_cell(write_xlsx, bad):
    path = write_xlsx({"小学": [["县学校表"], ["学校名称", "在校生数", "专任教师数"], ["甲校", 100, bad]]})
    data = read_workbook(path, RULES)
    assert "full_time_teachers" not in data.sections[0].values
    (err,) = data.errors
    assert (err.file, err.sheet, err.row, err.column) == ("大祥区.xlsx", "小学", 3, "C")
    assert err.code == Code.NOT_A_NUMBER and err.params["value"] == bad


def test_total_rows_blank_rows_serial_row_and_notes_are_skipped(write_xlsx):
    path = write_xlsx({"小学": [
        ["序号", "学校名称", "在校生数"],
        ["甲", "乙", 1],
        [1, "甲校", 100],
        [None, None, None],
        [2, "乙校", 200],
        ["小计", None, 300],
        ["全区合计", None, 300],
        [],
        ["注：在校生数为 9 月底数", None, None],
        ["填表人：张三", None, 999],
    ]})
    data = read_workbook(path, RULES)
    assert [(s.school, s.students) for s in data.sections] == [("甲校", 100), ("乙校", 200)]
    # Nothing about the skipped rows; the table simply has no indicator columns, and no title.
    assert {p.code for p in data.problems} == {Code.FIELD_NOT_FOUND, Code.COUNTY_FROM_FILE_NAME}


def test_table_not_at_a1_keeps_true_excel_positions(write_xlsx):
    path = write_xlsx({"小学": [[], [], [None, None, "学校名称", "在校生数"], [None, None, "甲校", 77]]})
    s = read_workbook(path, RULES).sections[0]
    assert s.sources["students"].cell == "D4"
    assert s.origin.cell == "C4"


def test_stage_columns_side_by_side_make_one_section_per_stage(write_xlsx):
    path = write_xlsx({"学校": [
        ["学校名称", "办学类型", "小学", None, "初中", None],
        [None, None, "在校生数", "专任教师数", "在校生数", "专任教师数"],
        ["城南学校", "九年一贯制", 166, 10, 210, 20],
    ]}, merges={"学校": ["A1:A2", "B1:B2", "C1:D1", "E1:F1"]})
    s = by_key(read_workbook(path, RULES))
    assert s[("城南学校", "primary")].values == {"students": 166, "full_time_teachers": 10}
    assert s[("城南学校", "junior")].values == {"students": 210, "full_time_teachers": 20}


def test_missing_field_is_absent_never_zero(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "专任教师数"], ["甲校", 100, None]]})
    assert read_workbook(path, RULES).sections[0].values == {"students": 100}


def test_a_field_not_found_is_reported_with_the_headers_not_recognised(write_xlsx):
    path = write_xlsx({"小学": [["大祥区学校数据"],
                               ["学校名称", "在校生数", "高学历老师", "县级及以上骨干教师数", "体育专任教师", "音乐", "美术",
                                "教学及辅助用房面积", "体育馆面积", "运动场地面积", "教学仪器设备值(元)", "网络多媒体教室"],
                               ["甲校", 500, 25, 6, 2, 2, 1, 2500, 800, 3200, 1_200_000, 12]]})
    data = read_workbook(path, RULES)
    (problem,) = [p for p in data.problems if p.code == Code.FIELD_NOT_FOUND]
    assert problem.params["field"] == "高于规定学历教师数"
    assert "高学历老师" in problem.params["unmatched"]  # the header the user should rename
    assert "qualified_teachers" not in data.sections[0].values
    assert data.sections[0].values["sports_area"] == 4000  # the other six were read


def test_sub_item_prefixes_and_indoor_outdoor_sports_headers_are_recognised(write_xlsx):
    path = write_xlsx({"小学": [["大祥区学校数据"],
                               ["学校名称", "在校生数", "专任教师", None, "体育运动场馆面积（㎡）", None],
                               [None, None, "合计", "其中：高于规定学历", "室内（体育馆）", "室外运动场地"],
                               ["甲校", 500, 30, 25, 800, 3200]]},
                      merges={"小学": ["C2:D2", "E2:F2", "A2:A3", "B2:B3"]})
    data = read_workbook(path, RULES)
    values = data.sections[0].values
    assert (values["qualified_teachers"], values["gym_area"], values["field_area"], values["sports_area"]) == \
        (25, 800, 3200, 4000)
