"""A blank input cell shows up everywhere: 数据问题 (file, sheet, row, column), summary.json's
warnings, and a 补填数据 line of 整改台账 for that school and indicator.

The county: three 小学 by hand; 乙小学's 教学及辅助用房面积 (F4) is left blank. Its 生均教学及
辅助用房面积 (indicator 4) has no data, so 乙小学 cannot pass (第六条) and the CV of indicator 4
is over the other two schools only.
"""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest

from equity_xlsx.batch import run

pytestmark = pytest.mark.whole_run

HEAD = ["学校名称", "学段", "在校生数", "高于规定学历教师数", "县级及以上骨干教师数", "教学及辅助用房面积（㎡）",
        "体育运动场馆面积（㎡）", "教学仪器设备值（元）", "网络多媒体教室数（间）", "体育、艺术（美术、音乐）专任教师数"]


def county_table(write_xlsx):
    return write_xlsx({"小学": [
        ["测试县2025年义务教育学校办学条件统计表"],
        HEAD,
        ["甲小学", "小学", 500, 25, 6, 2500, 4000, 1_200_000, 12, 5],
        ["乙小学", "小学", 300, 12, 3, None, 1800, 600_000, 6, 3],
        ["丙小学", "小学", 200, 10, 2, 900, 1600, 400_000, 5, 2],
    ]}, name="测试县.xlsx")


def test_a_blank_cell_is_a_data_problem_a_warning_and_a_ledger_line(write_xlsx, tmp_path):
    src = county_table(write_xlsx)
    out = tmp_path / "结果"
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    (entry,) = result.entries
    # summary.json: a warning at the cell.
    blank = [w for w in entry["warnings"] if w["code"] == "blank_value"]
    assert [(w["file"], w["sheet"], w["row"], w["column"]) for w in blank] == [("测试县.xlsx", "小学", 4, "F")]
    assert "乙小学" in blank[0]["message"] and "生均教学及辅助用房面积" in blank[0]["message"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "blank_value" for w in summary["workbooks"][0]["warnings"])
    wb = openpyxl.load_workbook(out / entry["output"])
    # 数据问题: the same row, file, sheet, row, column.
    rows = list(wb["数据问题"].iter_rows(values_only=True))
    assert ("警告", "测试县.xlsx", "小学", 4, "F") in [r[:5] for r in rows]
    assert not any(r[0] == "未发现数据问题。" for r in rows)
    # 整改台账: someone is responsible for filling it in.
    ws = wb["整改台账"]
    heads = [c.value for c in ws[1]]
    lines = [dict(zip(heads, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    fill = [ln for ln in lines if str(ln["需补足"]).startswith("补填数据")]
    assert [(ln["学校"], ln["学段"], ln["指标编号"]) for ln in fill] == [("乙小学", "小学", 4)]
    assert "测试县.xlsx / 小学 / F4" in fill[0]["说明"]
    ledger = {ln["id"]: ln for ln in entry["ledger"]}
    assert any(ln["need_text"].startswith("补填数据") and ln["school"] == "乙小学" for ln in ledger.values())
    # The gap is real in the verdict: 乙小学 cannot pass with indicator 4 unknown.
    school = next(s for s in entry["schools"] if s["name"] == "乙小学")
    assert school["passes"] is False and school["values"]["4"] is None


def test_the_fill_in_line_closes_when_the_cell_is_filled(write_xlsx, tmp_path):
    src = county_table(write_xlsx)
    out = tmp_path / "结果"
    first = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1)).entries[0]
    fill_id = next(ln["id"] for ln in first["ledger"] if ln["need_text"].startswith("补填数据"))
    wb = openpyxl.load_workbook(src)
    wb["小学"]["F4"] = 1500  # 5.0 m²/生: meets 4.5
    wb.save(src)
    second = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 2)).entries[0]
    assert fill_id not in {ln["id"] for ln in second["ledger"]}
    assert not [w for w in second["warnings"] if w["code"] == "blank_value"]
    assert second["ledger_changes"]["closed"] >= 1


# ----------------------------------------------------------------------------- one-school form sheets

def school_form(name, kind, students, qualified, area):
    """One school's form sheet: label | value pairs, a blank value left as an empty cell."""
    return [
        [f"{name}办学条件情况表"],
        ["学校名称", name, None, "办学类型", kind],
        ["在校生数", students],
        ["高于规定学历教师数", qualified],
        ["教学及辅助用房面积（㎡）", area],
    ]


def forms_county(write_xlsx):
    """测试县 as one form sheet per school (issue 4's layout). Rows of each sheet: 1 title,
    2 学校名称 (| 办学类型), then one label a row.

    - 甲小学, 丁中学: every value given (rows 3–5: 在校生数, 高于规定学历教师数, 教学及辅助用房面积);
    - 乙小学: 教学及辅助用房面积 (B5) left blank;
    - 丙学校 (九年一贯制; row 3 办学类型, row 4 项目 | 小学部 | 初中部 | 全校, rows 5–7 the labels):
      初中部 高于规定学历教师数 (C6) and 全校 (D6) left blank, so 初中部 has no data for
      indicator 1 and the section's own cell C6 is the one named; its 全校 教学及辅助用房面积
      (D7) is split 1:1.1, so the empty B7, C7 beside it are no gap.
    """
    return write_xlsx({
        "甲小学": school_form("甲小学", "小学", 500, 25, 2500),
        "乙小学": school_form("乙小学", "小学", 300, 12, None),
        "丁中学": school_form("丁中学", "初级中学", 400, 22, 2600),
        "丙学校": [
            ["丙学校办学条件情况表"],
            ["学校名称", "丙学校", None, None],
            ["办学类型", "九年一贯制学校", None, None],
            ["项目", "小学部", "初中部", "全校"],
            ["在校生数", 300, 200, None],
            ["高于规定学历教师数", 15, None, None],
            ["教学及辅助用房面积（㎡）", None, None, 2600],
        ],
    }, name="测试县.xlsx")


def test_a_blank_cell_in_a_one_school_form_sheet_shows_up_everywhere(write_xlsx, tmp_path):
    src = forms_county(write_xlsx)
    out = tmp_path / "结果"
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    (entry,) = result.entries
    # summary.json: one warning per empty cell, at the cell, naming school and indicator.
    blank = sorted((w["sheet"], w["row"], w["column"], w["file"]) for w in entry["warnings"]
                   if w["code"] == "blank_value")
    assert blank == [("丙学校", 6, "C", "测试县.xlsx"), ("乙小学", 5, "B", "测试县.xlsx")]
    by_school = {w["sheet"]: w for w in entry["warnings"] if w["code"] == "blank_value"}
    assert by_school["乙小学"]["params"]["indicator_ids"] == [4]
    assert by_school["丙学校"]["params"]["indicator_ids"] == [1]
    assert "丙学校" in by_school["丙学校"]["message"] and "初中" in by_school["丙学校"]["message"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sorted((w["sheet"], w["row"], w["column"]) for w in summary["workbooks"][0]["warnings"]
                  if w["code"] == "blank_value") == [("丙学校", 6, "C"), ("乙小学", 5, "B")]
    wb = openpyxl.load_workbook(out / entry["output"])
    rows = [r[:5] for r in wb["数据问题"].iter_rows(values_only=True)]
    assert ("警告", "测试县.xlsx", "乙小学", 5, "B") in rows
    assert ("警告", "测试县.xlsx", "丙学校", 6, "C") in rows
    # 整改台账: a 补填数据 line for each school section and indicator, naming its cell.
    ws = wb["整改台账"]
    heads = [c.value for c in ws[1]]
    lines = [dict(zip(heads, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    fill = sorted((ln["学校"], ln["学段"], ln["指标编号"], ln["说明"]) for ln in lines
                  if str(ln["需补足"]).startswith("补填数据"))
    assert [f[:3] for f in fill] == [("丙学校", "初中", 1), ("乙小学", "小学", 4)]
    assert "测试县.xlsx / 丙学校 / C6" in fill[0][3] and "测试县.xlsx / 乙小学 / B5" in fill[1][3]
    # The split 全校 area leaves 丙学校 no gap in indicator 4 (its empty B7, C7 are not named).
    schools = {(s["name"], s["stage"]): s for s in entry["schools"]}
    assert schools[("丙学校", "junior")]["values"]["1"] is None
    assert schools[("乙小学", "primary")]["values"]["4"] is None
    # 丙学校 初中部 teaching area: 2600 · 1.1·200 / (300 + 1.1·200) = 2600 · 220/520 = 1100 m², /200 = 5.5 m²/生.
    assert schools[("丙学校", "junior")]["values"]["4"] == pytest.approx(5.5)
