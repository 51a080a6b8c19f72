"""Bad input (issue 4): every file gives a clear Chinese message with its position, never an
exception, and the rest of the workbook is still read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from equity_xlsx.rulebook import Rules
from equity_xlsx.intake import read_workbook
from equity_xlsx.problems import Code
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)
DATA = Path(__file__).parent / "data"


def only_error(data):
    (err,) = data.errors
    return err


def assert_file_level_error(data, why):
    """One file-level UNREADABLE error whose ``why`` names the case."""
    assert data.sections == []
    err = only_error(data)
    assert (err.sheet, err.row, err.column) == (None, None, None)
    assert err.code == Code.UNREADABLE and err.params["why"] == why, err.message
    assert data.file in err.message


def test_empty_file(tmp_path):
    p = tmp_path / "空.xlsx"
    p.write_bytes(b"")
    assert_file_level_error(read_workbook(p, RULES), "empty")


def test_text_file_renamed_xlsx(tmp_path):
    p = tmp_path / "名单.xlsx"
    p.write_text("学校名称,在校生数\n甲校,100\n", encoding="utf-8")
    assert_file_level_error(read_workbook(p, RULES), "text")


def test_html_saved_as_xls(tmp_path):
    p = tmp_path / "导出.xls"
    p.write_text("<html><body><table><tr><td>学校名称</td></tr></table></body></html>", encoding="utf-8")
    assert_file_level_error(read_workbook(p, RULES), "html")


def test_truncated_zip(write_xlsx, tmp_path):
    good = write_xlsx({"小学": [["学校名称", "在校生数"]] + [[f"学校{i}", i + 1] for i in range(200)]})
    p = tmp_path / "截断.xlsx"
    raw = good.read_bytes()
    p.write_bytes(raw[: len(raw) * 2 // 3])
    assert_file_level_error(read_workbook(p, RULES), "truncated")


def test_corrupt_member_inside_a_valid_zip(write_xlsx, tmp_path):
    good = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", 1]]})
    p = tmp_path / "坏.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # broken XML, valid zip
            dst.writestr(info, data)
    data = read_workbook(p, RULES)
    assert data.sections == []
    assert data.errors and all(e.code != Code.INTERNAL for e in data.errors)


def test_password_protected_file():
    data = read_workbook(DATA / "intake_encrypted.xlsx", RULES)
    assert_file_level_error(data, "encrypted")


def test_missing_file_and_display_name(tmp_path):
    data = read_workbook(tmp_path / "nope.xlsx", RULES, display_name="大祥区/nope.xlsx")
    assert data.file == "大祥区/nope.xlsx"
    assert_file_level_error(data, "missing")


def test_file_growing_while_read_is_retried(write_xlsx, monkeypatch):
    import equity_xlsx.intake.grid as grid

    path = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", 100]]})
    real_stat, calls = grid.os.stat, []

    def growing_stat(p, *a, **k):
        st = real_stat(p, *a, **k)
        calls.append(1)
        if len(calls) == 1:  # the first look sees a smaller, still-growing file
            return type("S", (), {"st_size": st.st_size - 10})()
        return st

    monkeypatch.setattr(grid.os, "stat", growing_stat)
    assert len(read_workbook(path, RULES).sections) == 1

    monkeypatch.setattr(grid.os, "stat", lambda p, *a, **k: type("S", (), {"st_size": len(calls.append(1) or calls)})())
    assert_file_level_error(read_workbook(path, RULES), "growing")


def test_no_recognisable_table(write_xlsx):
    data = read_workbook(write_xlsx({"说明": [["请按要求填写"], ["联系人：张三"]]}), RULES)
    assert data.sections == []
    assert any(p.level == "warning" and p.sheet == "说明" for p in data.problems)
    assert [e.code for e in data.errors] == [Code.NO_SCHOOL_DATA]


def test_required_students_column_missing_names_sheet_and_header_row(write_xlsx):
    path = write_xlsx({"小学": [["XX统计表"], ["学校名称", "专任教师数", "班级数"], ["甲校", 10, 6]]})
    data = read_workbook(path, RULES)
    errs = [e for e in data.errors if e.sheet == "小学"]
    assert (errs[0].code, errs[0].sheet, errs[0].row) == (Code.MISSING_COLUMN, "小学", 2)
    assert errs[0].params["missing"] == "在校生数"


def test_required_name_column_missing(write_xlsx):
    data = read_workbook(write_xlsx({"初中": [["编号", "在校生数", "专任教师数"], [1, 10, 6]]}), RULES)
    err = [e for e in data.errors if e.sheet == "初中"][0]
    assert (err.code, err.row, err.params["missing"]) == (Code.MISSING_COLUMN, 1, "学校名称")


def test_same_school_twice_is_an_error_and_the_first_is_kept(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", 100], ["乙校", 50], ["甲校", 999]]})
    data = read_workbook(path, RULES)
    assert [(s.school, s.students) for s in data.sections] == [("甲校", 100), ("乙校", 50)]
    err = only_error(data)
    assert (err.code, err.sheet, err.row, err.column) == (Code.DUPLICATE_SCHOOL, "小学", 4, "A")
    assert err.params["first_row"] == 2


@pytest.mark.parametrize("students", [0, -5])
def test_zero_or_negative_students_is_an_error_and_the_section_unused(write_xlsx, students):
    path = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", students], ["乙校", 50]]})
    data = read_workbook(path, RULES)
    assert [s.school for s in data.sections] == ["乙校"]
    err = only_error(data)
    assert (err.row, err.column) == (2, "B")


def test_negative_facility_value_is_an_error(write_xlsx):
    data = read_workbook(write_xlsx({"小学": [["学校名称", "在校生数", "教学及辅助用房面积"], ["甲校", 10, -3]]}), RULES)
    assert "teaching_area" not in data.sections[0].values
    assert (only_error(data).row, only_error(data).column) == (2, "C")


def test_formulas_with_cached_values_are_read(tmp_path):
    p = tmp_path / "公式.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("小学")
    ws.write_row(0, 0, ["学校名称", "体育", "音乐", "美术", "体育、艺术专任教师数", "在校生数"])
    ws.write_row(1, 0, ["甲校", 2, 1, 1])
    ws.write_formula(1, 4, "=B2+C2+D2", None, 4)
    ws.write_formula(1, 5, "=100*2", None, 200)
    wb.close()
    data = read_workbook(p, RULES)
    assert data.sections[0].values["pe_art_teachers"] == 4
    assert data.sections[0].students == 200
    assert data.errors == []


def test_formula_without_cached_value_is_reported_not_read_as_blank(write_xlsx):
    # openpyxl writes formulas without results, like many generators do.
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学及辅助用房面积"], ["甲校", 100, "=B2*4.5"]]})
    data = read_workbook(path, RULES)
    assert "teaching_area" not in data.sections[0].values
    err = only_error(data)
    assert (err.code, err.row, err.column) == (Code.NO_CACHED_VALUE, 2, "C")


def test_merged_data_cell_across_two_schools_is_an_error(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学及辅助用房面积"], ["甲校", 100, 900], ["乙校", 100, None]]},
                      merges={"小学": ["C2:C3"]})
    data = read_workbook(path, RULES)
    assert all("teaching_area" not in s.values for s in data.sections)
    err = only_error(data)
    assert (err.code, err.row, err.column) == (Code.MERGE_ACROSS_SCHOOLS, 2, "C")


def test_merged_data_cell_across_two_columns_is_a_warning(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数", "体育馆面积", "运动场地面积"], ["甲校", 100, 900, None]]},
                      merges={"小学": ["C2:D2"]})
    data = read_workbook(path, RULES)
    assert data.sections[0].values["gym_area"] == 900 and "field_area" not in data.sections[0].values
    assert Code.MERGE_ACROSS_COLUMNS in [w.code for w in data.warnings]


def test_hidden_and_empty_sheets_are_skipped_with_a_warning(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", 100]], "旧数据": [["学校名称", "在校生数"], ["乙校", 5]],
                       "Sheet3": []}, hidden=["旧数据"])
    data = read_workbook(path, RULES)
    assert [s.school for s in data.sections] == ["甲校"]
    warned = {w.sheet: w.code for w in data.warnings if w.sheet}
    assert warned == {"旧数据": Code.HIDDEN_SHEET, "Sheet3": Code.EMPTY_SHEET}


def test_hundred_thousand_formatted_empty_rows_are_read_as_one_school(tmp_path):
    # Speed is measured by `make bench`, not here: this checks the blank run ends the table.
    p = tmp_path / "大表.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("小学")
    fmt = wb.add_format({"border": 1})
    ws.write_row(0, 0, ["学校名称", "在校生数"])
    ws.write_row(1, 0, ["甲校", 100])
    for r in range(2, 100_002):
        ws.write_string(r, 0, " ", fmt)  # a space typed into a formatted column
        ws.write_blank(r, 1, None, fmt)
    wb.close()
    data = read_workbook(p, RULES)
    assert [s.school for s in data.sections] == ["甲校"]
    assert data.errors == []


def test_content_far_below_a_long_blank_run_is_reported(tmp_path):
    p = tmp_path / "远处.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("小学")
    ws.write_row(0, 0, ["学校名称", "在校生数"])
    ws.write_row(1, 0, ["甲校", 100])
    ws.write_row(5000, 0, ["乙校", 100])
    wb.close()
    data = read_workbook(p, RULES)
    assert [s.school for s in data.sections] == ["甲校"]
    assert [(w.code, w.row) for w in data.warnings if w.code == Code.CUT] == [(Code.CUT, 5001)]


def test_a_bad_sheet_does_not_stop_the_others(write_xlsx):
    path = write_xlsx({"小学": [["学校名称", "在校生数"], ["甲校", "很多"]], "初中": [["学校名称", "在校生数"], ["乙校", 300]]})
    data = read_workbook(path, RULES)
    assert [s.school for s in data.sections] == ["乙校"]
    err = only_error(data)
    assert (err.code, err.sheet, err.row, err.column) == (Code.NOT_A_NUMBER, "小学", 2, "B")
    assert "很多" in err.params["reason"]  # the value found is named


def test_date_formatted_number_cell_is_an_error(tmp_path):
    import datetime

    p = tmp_path / "日期.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "小学"
    ws.append(["学校名称", "在校生数", "班级数"])
    ws.append(["甲校", 100, datetime.date(1900, 1, 18)])
    wb.save(p)
    data = read_workbook(p, RULES)
    assert "classes" not in data.sections[0].values
    assert only_error(data).code == Code.NOT_A_NUMBER


@pytest.mark.parametrize("rows", [[["说明：本表由教育局统计股填报"]], [["备注"], ["见附件"]], [[42]]])
def test_a_sheet_of_one_or_two_cells_is_no_table_not_an_internal_error(write_xlsx, rows):
    path = write_xlsx({"说明": rows, "小学": [["学校名称", "在校生数"], ["甲校", 100]]})
    data = read_workbook(path, RULES)
    assert [s.school for s in data.sections] == ["甲校"]
    assert Code.INTERNAL not in [p.code for p in data.problems]
    assert (Code.NO_TABLE, "说明") in [(p.code, p.sheet) for p in data.warnings]
