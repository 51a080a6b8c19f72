"""市级汇总.xlsx: the city roll-up of one run, read back with openpyxl.

Three hand-written counties (summary.json ``workbooks[]`` elements, only the keys the roll-up
reads), so every expected figure below can be checked by reading them:

* 乙区 (430102): 小学 未达标 — 2 of 5 schools fail (城关小学 on 教学用房; 河西小学 without data
  for two indicators), every CV within 0.5, the largest 体育场馆 0.49 → 0.49 / 0.5 = 98%;
  no 初中 data; B类 86.5; a county-level ledger line (全区, item 19).
* 甲县 (430121): 小学 未达标 — 2 schools fail and 仪器设备 CV 0.60 > 0.5 (120%); 初中 达标 with
  the largest CV 骨干教师 0.40 → 0.40 / 0.45.
* 丙县: could not be evaluated (its first error is shown).

Listed in 行政区划代码 order (乙区 430102 before 甲县 430121), although 甲县 comes first here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import openpyxl
import pytest

from equity_xlsx.rollup_workbook import ONE_YEAR_NOTE, rollup_frames, write_rollup
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
SHORT = ["高学历教师", "骨干教师", "体艺教师", "教学用房", "体育场馆", "仪器设备", "多媒体教室"]
RED, GREEN = "FFFFC7CE", "FFC6EFCE"


def _stage(cvs, limit, schools, passing, passed, over=()):
    return {"schools": schools, "students": 100 * schools, "schools_passing": passing,
            "schools_failing": schools - passing, "resource_pass": passed, "cv_over_limit": list(over),
            "indicators": {str(i): {"county_value": 1.0, "standard": 1.0, "cv": cv, "cv_limit": limit,
                                    "cv_ok": cv <= limit, "schools_meeting": passing}
                           for i, cv in enumerate(cvs, start=1)}}


def _line(school, stage, item, indicator, current, standard, unit, need, need_unit, line_id):
    return {"id": line_id, "school": school, "stage": stage, "indicator": indicator, "current": current,
            "standard": standard, "shortfall": standard - current, "unit": unit, "item": item, "need": need,
            "need_unit": need_unit}


def _school(name, stage, passes, values=None):
    return {"name": name, "stage": stage, "students": 300, "values": values or {str(i): 1.0 for i in range(1, 8)},
            "met": 7 if passes else 5, "passes": passes}


JIA = {
    "input": "甲县.xlsx", "status": "ok", "county": "甲县", "county_code": "430121", "errors": [], "warnings": [],
    "stages": {
        "primary": _stage([0.10, 0.30, 0.20, 0.15, 0.25, 0.60, 0.05], 0.5, 5, 3, False, over=["6"]),
        "junior": _stage([0.05, 0.40, 0.10, 0.12, 0.20, 0.30, 0.08], 0.45, 2, 2, True),
    },
    "schools": [_school("甲县一小", "primary", False), _school("甲县二小", "primary", False),
                _school("甲县三小", "primary", True), _school("甲县中学", "junior", True)],
    "ledger": [
        _line("全县", "primary", "6", "生均教学仪器设备值差异系数（小学≤0.5）", 0.60, 0.5, "", 120000.0, "元", "TZ-06-000001"),
        _line("甲县一小", "primary", "6", "生均教学仪器设备值", 1500.0, 2000.0, "元", 250000.0, "元", "TZ-06-000002"),
        _line("甲县一小", "primary", "5", "生均体育运动场馆面积", 6.0, 7.5, "m²", 750.0, "m²", "TZ-05-000003"),
        _line("甲县二小", "primary", "1", "每百名学生拥有高于规定学历教师数", 4.0, 4.2, "人/百生", 1.0, "人",
              "TZ-01-000004"),
        # a passing school's lines are not listed on 未达标学校
        _line("甲县三小", "primary", "2", "每百名学生拥有县级及以上骨干教师数", 0.9, 1.0, "人/百生", 1.0, "人",
              "TZ-02-000005"),
        _line("甲县中学", "junior", "13", "班额（每班≤50人）", 52.0, 50.0, "人", 2.0, "人", "TZ-13-000006"),
    ],
    "ledger_changes": {"opened": 6, "closed": 0, "reopened": 0, "open": 6},
}

YI = {
    "input": "乙区.xlsx", "status": "ok", "county": "乙区", "county_code": "430102", "errors": [], "warnings": [],
    "stages": {"primary": _stage([0.20, 0.45, 0.10, 0.30, 0.49, 0.35, 0.15], 0.5, 5, 3, False)},
    "schools": [_school("乙区城关小学", "primary", False),
                _school("乙区河西小学", "primary", False, {"1": 5.0, "2": None, "3": 1.0, "4": 5.0, "5": None,
                                                       "6": 2100.0, "7": 2.5}),
                _school("=1+2小学", "primary", True)],
    "ledger": [
        _line("乙区城关小学", "primary", "4", "生均教学及辅助用房面积", 4.0, 4.5, "m²", 1200.0, "m²", "TZ-04-000007"),
        _line("全区", "", "19", "交流轮岗教师中骨干教师比例（≥20%）", 18.0, 20.0, "%", 2.0, "个百分点", "TZ-19-000008"),
    ],
    "ledger_changes": {"opened": 1, "closed": 1, "reopened": 0, "open": 2},
    "b_score": {"total": 86.5, "items": 10},
}

BING = {"input": "丙县.xlsx", "status": "error", "county": "丙县", "county_code": None,
        "errors": [{"code": "unreadable", "level": "error", "message": "工作簿无法打开：文件已损坏"},
                   {"code": "other", "level": "error", "message": "第二个错误"}], "warnings": []}

ENTRIES = [JIA, YI, BING]


def _trend_row(county, code, year, primary_cvs, passing):
    return {"county": county, "county_code": code, "data_year": year, "run_at": f"{year}-11-20 22:30:00",
            "stages": {"primary": {"cv": {str(i): cv for i, cv in enumerate(primary_cvs, start=1)},
                                   "county_value": {str(i): 1.0 for i in range(1, 8)},
                                   "schools": 5, "schools_passing": passing, "resource_pass": False}},
            "ledger_open": 10 - year % 10, "ledger_closed": year % 10}


TREND = [
    _trend_row("甲县", "430121", 2024, [0.12, 0.33, 0.22, 0.16, 0.27, 0.66, 0.06], 2),
    _trend_row("甲县", "430121", 2025, [0.10, 0.30, 0.20, 0.15, 0.25, 0.60, 0.05], 3),
    _trend_row("乙区", "430102", 2024, [0.21, 0.47, 0.11, 0.31, 0.52, 0.36, 0.16], 2),
    _trend_row("乙区", "430102", 2025, [0.20, 0.45, 0.10, 0.30, 0.49, 0.35, 0.15], 3),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("rollup") / "市级汇总.xlsx"
    write_rollup(path, ENTRIES, STD, TREND, generated="2026-11-23 22:30")
    return path


def _table(ws, header_row):
    """Rows under ``header_row`` as dicts keyed by the header texts, until an empty first cell.
    A header merged down from the row above (no group over it) is read from that row."""
    headers = [c.value if c.value is not None else ws.cell(header_row - 1, c.column).value for c in ws[header_row]]
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        values = [c.value for c in ws[r]]
        if values[0] is None:
            break
        rows.append(dict(zip(headers, values)))
    return rows


def _row_of(ws, text, col=1):
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == text)


def _col_of(ws, row, text):
    """The column headed ``text`` on ``row`` (or merged down from the row above)."""
    return next(c for c in range(1, ws.max_column + 1) if text in (ws.cell(row, c).value, ws.cell(row - 1, c).value))


SUMMARY_HEADER = 5  # title, two notes, the group row, then the column names


def _summary(book):
    ws = openpyxl.load_workbook(book)["汇总"]
    return ws, _table(ws, SUMMARY_HEADER)


# ------------------------------------------------------------------ 汇总

def test_summary_rows_are_county_by_stage_in_code_order_with_failed_last(book):
    ws, rows = _summary(book)
    assert [(r["县（市、区）"], r["行政区划代码"], r["学段"]) for r in rows] == [
        ("乙区", "430102", "小学"), ("甲县", "430121", "小学"),
        ("乙区", "430102", "初中"), ("甲县", "430121", "初中"),
        ("丙县", None, "—"),
    ]
    assert ws["A1"].value == "各县（市、区）义务教育优质均衡资源配置汇总"
    assert "国家标准" in ws["A2"].value and "2026-11-23 22:30" in ws["A2"].value


def test_summary_verdicts_reasons_and_passing_counts(book):
    _ws, rows = _summary(book)
    got = [(r["资源配置结论"], r["原因"], r["达标"], r["全部"], r["限值"]) for r in rows]
    assert got == [
        ("未达标", "未达标学校 2 所", 3, 5, 0.5),
        ("未达标", "未达标学校 2 所；超限差异系数 1 项", 3, 5, 0.5),
        ("未提供数据", None, None, None, 0.45),
        ("达标", None, 2, 2, 0.45),
        ("评估失败", "工作簿无法打开：文件已损坏", None, None, None),
    ]


def test_summary_cvs_worst_indicator_ledger_and_b_score(book):
    _ws, rows = _summary(book)
    yi, jia, yi_junior, jia_junior, _bing = rows
    assert [yi[s] for s in SHORT] == [0.20, 0.45, 0.10, 0.30, 0.49, 0.35, 0.15]
    assert [jia_junior[s] for s in SHORT] == [0.05, 0.40, 0.10, 0.12, 0.20, 0.30, 0.08]
    assert [yi_junior[s] for s in SHORT] == [None] * 7
    # worst = largest CV ÷ limit: 0.49 / 0.5, 0.60 / 0.5, 0.40 / 0.45
    assert (yi["最差指标"], yi["最差指标差异系数÷限值"]) == ("体育场馆", pytest.approx(0.98))
    assert (jia["最差指标"], jia["最差指标差异系数÷限值"]) == ("仪器设备", pytest.approx(1.2))
    assert (jia_junior["最差指标"], jia_junior["最差指标差异系数÷限值"]) == ("骨干教师", pytest.approx(0.40 / 0.45))
    # the county's ledger counts and B score, on each of its stage rows
    assert [(r["未整改"], r["本次新增"], r["本次销号"], r["B类得分"]) for r in rows[:4]] == [
        (2, 1, 1, 86.5), (6, 6, 0, None), (2, 1, 1, 86.5), (6, 6, 0, None)]


def _shifted(ref: str, dr: int, dc: int) -> str:
    """A1 reference moved by (dr, dc) unless a part is absolute ($)."""
    m = re.fullmatch(r"(\$?)([A-Z]+)(\$?)(\d+)", ref)
    col_abs, letters, row_abs, row = m.groups()
    col = openpyxl.utils.column_index_from_string(letters) + (0 if col_abs else dc)
    return f"{openpyxl.utils.get_column_letter(col)}{int(row) + (0 if row_abs else dr)}"


def _shown_fill(ws, coord: str) -> str | None:
    """The fill a conditional format gives ``coord``: the rules of the kinds the roll-up writes
    (``cellIs >`` a number or cell, ``AND(ISNUMBER(x),x<=y)``), evaluated for that cell."""
    cell = ws[coord]

    def value(ref):
        return ws[ref.replace("$", "")].value

    for cf in ws.conditional_formatting:
        for rng in cf.sqref.ranges:
            if not (rng.min_row <= cell.row <= rng.max_row and rng.min_col <= cell.column <= rng.max_col):
                continue
            dr, dc = cell.row - rng.min_row, cell.column - rng.min_col
            for rule in cf.rules:
                formula = rule.formula[0]
                if rule.type == "cellIs" and rule.operator == "greaterThan":
                    bound = float(formula) if re.fullmatch(r"[\d.]+", formula) else value(_shifted(formula, dr, dc))
                    fires = isinstance(cell.value, (int, float)) and cell.value > bound
                elif rule.type == "expression":
                    m = re.fullmatch(r"AND\(ISNUMBER\((\w+)\),(\w+)<=(\$?\w+)\)", formula)
                    x, limit = value(_shifted(m.group(2), dr, dc)), value(_shifted(m.group(3), dr, dc))
                    fires = isinstance(x, (int, float)) and x <= limit
                else:
                    continue
                if fires:
                    return rule.dxf.fill.bgColor.rgb
    return None


def test_cv_over_its_stage_limit_is_red_and_within_is_green(book):
    ws, rows = _summary(book)
    equipment, sports = _col_of(ws, SUMMARY_HEADER, "仪器设备"), _col_of(ws, SUMMARY_HEADER, "体育场馆")
    backbone = _col_of(ws, SUMMARY_HEADER, "骨干教师")

    def at(row_index, col):
        return ws.cell(SUMMARY_HEADER + 1 + row_index, col).coordinate

    assert _shown_fill(ws, at(1, equipment)) == RED      # 甲县 小学 0.60 > 0.5
    assert _shown_fill(ws, at(0, sports)) == GREEN       # 乙区 小学 0.49 ≤ 0.5 (it would exceed 初中's 0.45)
    assert _shown_fill(ws, at(3, backbone)) == GREEN     # 甲县 初中 0.40 ≤ 0.45
    assert _shown_fill(ws, at(2, backbone)) is None      # 乙区 初中: no data, no colour


def test_summary_sheet_filters_frozen_header_print_and_protection(book):
    ws, rows = _summary(book)
    last_col = openpyxl.utils.get_column_letter(ws.max_column)
    assert ws.auto_filter.ref == f"A{SUMMARY_HEADER}:{last_col}{SUMMARY_HEADER + len(rows)}"
    assert ws.freeze_panes == f"D{SUMMARY_HEADER + 1}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["汇总", "图表", "未达标学校", "趋势"]
    assert all(wb[name].protection.sheet for name in wb.sheetnames)
    assert all(wb[name].protection.password is None for name in wb.sheetnames)


# ------------------------------------------------------------------ 图表

def test_stage_charts_point_at_the_summary_cells(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    charts = wb["图表"]._charts
    assert len(charts) == 2
    stage_col = _col_of(ws, SUMMARY_HEADER, "学段")
    limit_col = openpyxl.utils.get_column_letter(_col_of(ws, SUMMARY_HEADER, "限值"))
    for chart, stage in zip(charts, ("小学", "初中")):
        rows = [r for r in range(SUMMARY_HEADER + 1, ws.max_row + 1) if ws.cell(r, stage_col).value == stage]
        first, last = rows[0], rows[-1]
        assert last - first + 1 == 2  # 乙区 and 甲县, next to each other
        columns, line = chart._charts
        assert columns.type == "col" and columns.grouping == "clustered"
        assert len(columns.series) == 7
        for series, short in zip(columns.series, SHORT):
            col = openpyxl.utils.get_column_letter(_col_of(ws, SUMMARY_HEADER, short))
            assert series.tx.strRef.f == f"汇总!${col}${SUMMARY_HEADER}"
            assert series.cat.strRef.f == f"汇总!$A${first}:$A${last}"
            assert series.val.numRef.f == f"汇总!${col}${first}:${col}${last}"
        (limit,) = line.series
        assert limit.tx.v == "限值"
        assert limit.val.numRef.f == f"汇总!${limit_col}${first}:${limit_col}${last}"


# ------------------------------------------------------------------ 未达标学校

def test_failing_schools_sheet_lists_each_gap_in_real_units(book):
    ws = openpyxl.load_workbook(book)["未达标学校"]
    header = _row_of(ws, "县（市、区）")
    rows = _table(ws, header)
    got = [(r["县（市、区）"], r["学校"], r["类型"], r["学段"], r["现值"], r["标准"], r["需补足"], r["台账编号"])
           for r in rows]
    assert got == [
        ("乙区", "全区", "县级", "—", 18.0, 20.0, "2 个百分点", "TZ-19-000008"),
        ("乙区", "乙区城关小学", "学校", "小学", 4.0, 4.5, "1,200 m²", "TZ-04-000007"),
        ("乙区", "乙区河西小学", "学校", "小学", None, None, None, None),
        ("甲县", "全县", "县级", "小学", 0.60, 0.5, "120,000 元（约 12.00 万元）", "TZ-06-000001"),
        ("甲县", "甲县一小", "学校", "小学", 6.0, 7.5, "750 m²", "TZ-05-000003"),
        ("甲县", "甲县一小", "学校", "小学", 1500.0, 2000.0, "250,000 元（约 25.00 万元）", "TZ-06-000002"),
        ("甲县", "甲县二小", "学校", "小学", 4.0, 4.2, "1 人", "TZ-01-000004"),
    ]
    assert rows[2]["指标"] == "未达标，整改台账中没有该校该学段的条目（2 项指标未提供数据）"
    assert rows[4]["差距"] == pytest.approx(1.5) and rows[4]["单位"] == "m²"
    assert ws.auto_filter.ref == f"A{header}:K{header + len(rows)}"


# ------------------------------------------------------------------ 趋势

def test_trend_table_two_counties_two_years(book):
    ws = openpyxl.load_workbook(book)["趋势"]
    assert ws["A3"].value is None  # two years: no "only one run" note
    header = _row_of(ws, "小学（限值 0.5）") + 1
    rows = _table(ws, header)
    assert [(r["县（市、区）"], r["数据年份"], r["仪器设备"], r["体育场馆"], r["达标学校数"]) for r in rows] == [
        ("乙区", 2024, 0.36, 0.52, 2), ("乙区", 2025, 0.35, 0.49, 3),
        ("甲县", 2024, 0.66, 0.27, 2), ("甲县", 2025, 0.60, 0.25, 3),
    ]
    assert rows[0]["台账未销号（全县）"] == 6 and rows[1]["台账已销号（全县）"] == 5
    # no 初中 in the trend rows: no 初中 table
    assert not any(ws.cell(r, 1).value == "初中（限值 0.45）" for r in range(1, ws.max_row + 1))


def test_trend_line_chart_per_indicator_series_per_county(book):
    ws = openpyxl.load_workbook(book)["趋势"]
    charts = ws._charts
    assert len(charts) == 7  # one stage with data × seven indicators
    top = _row_of(ws, "小学·仪器设备")
    assert [ws.cell(top, c).value for c in (2, 3)] == ["2024年", "2025年"]
    assert [[ws.cell(r, c).value for c in (1, 2, 3)] for r in (top + 1, top + 2, top + 3)] == [
        ["乙区", 0.36, 0.35], ["甲县", 0.66, 0.60], ["限值", 0.5, 0.5]]
    chart = charts[SHORT.index("仪器设备")]
    assert chart.tagname == "lineChart"
    names = [s.tx.strRef.f for s in chart.series]
    assert names == [f"趋势!$A${top + 1}", f"趋势!$A${top + 2}", f"趋势!$A${top + 3}"]
    assert [s.val.numRef.f for s in chart.series] == [f"趋势!$B${r}:$C${r}" for r in (top + 1, top + 2, top + 3)]
    assert {s.cat.strRef.f for s in chart.series} == {f"趋势!$B${top}:$C${top}"}


def test_trend_with_one_year_says_so(tmp_path):
    path = tmp_path / "市级汇总.xlsx"
    write_rollup(path, ENTRIES, STD, [t for t in TREND if t["data_year"] == 2025])
    ws = openpyxl.load_workbook(path)["趋势"]
    assert ws["A3"].value == ONE_YEAR_NOTE


def test_no_trend_rows_leave_a_note(tmp_path):
    path = tmp_path / "市级汇总.xlsx"
    write_rollup(path, ENTRIES, STD)
    ws = openpyxl.load_workbook(path)["趋势"]
    assert ws["A3"].value.startswith("暂无历年数据")
    assert ws._charts == []


def test_a_run_where_every_county_failed_still_writes_every_sheet(tmp_path):
    path = tmp_path / "市级汇总.xlsx"
    write_rollup(path, [BING], STD, [])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "图表", "未达标学校", "趋势"]
    rows = _table(wb["汇总"], SUMMARY_HEADER)
    assert [(r["县（市、区）"], r["资源配置结论"], r["原因"]) for r in rows] == [("丙县", "评估失败", "工作簿无法打开：文件已损坏")]
    assert wb["图表"]._charts == [] and wb["图表"]["A4"].value == "没有可作图的数据。"
    assert wb["未达标学校"]["A6"].value == "没有资源配置未达标的学校。"


def test_frames_for_other_callers():
    frames = rollup_frames(ENTRIES, STD, TREND)
    summary, failing, trend = frames
    assert list(summary["county"]) == ["乙区", "甲县", "乙区", "甲县", "丙县"]
    assert list(summary["stage"]) == ["primary", "primary", "junior", "junior", ""]
    assert summary.loc[1, "cv_6"] == 0.60 and summary.loc[1, "worst_indicator"] == 6
    assert summary.loc[4, "county_code"] is None and summary.loc[4, "error"] == "工作簿无法打开：文件已损坏"
    assert list(failing["level"]) == ["县级", "学校", "学校", "县级", "学校", "学校", "学校"]
    assert len(trend) == 4 and set(trend["stage"]) == {"primary"}


# ------------------------------------------------------------------ LibreOffice, the real pipeline

@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook(book, soffice_convert):
    pdf = soffice_convert(book, "pdf")
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 4  # every sheet printed


def test_rollup_of_the_sample_run_matches_summary_json(sample_run, tmp_path):
    summary = json.loads((sample_run / "summary.json").read_text(encoding="utf-8"))
    path = tmp_path / "市级汇总.xlsx"
    write_rollup(path, summary["workbooks"], STD)
    _ws, rows = _summary(path)
    expected = {(w["county"], stage): st for w in summary["workbooks"] for stage, st in w["stages"].items()}
    label = {"primary": "小学", "junior": "初中"}
    assert len(rows) == len(expected) == 12  # six counties × two stages
    for (county, stage), st in expected.items():
        (row,) = [r for r in rows if r["县（市、区）"] == county and r["学段"] == label[stage]]
        assert [row[s] for s in SHORT] == [pytest.approx(st["indicators"][str(i)]["cv"], rel=1e-12)
                                           for i in range(1, 8)]
        assert (row["达标"], row["全部"]) == (st["schools_passing"], st["schools"])
        assert row["资源配置结论"] == ("达标" if st["resource_pass"] else "未达标")
