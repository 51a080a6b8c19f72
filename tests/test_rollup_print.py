"""市级汇总.xlsx on screen and on paper: a value that fails never reads as passing, and every
sheet prints legibly on A4.

The roll-up is built by hand (summary.json ``workbooks[]`` elements, only the keys it reads):

* 丁县 (430199): 小学 CVs within 0.5 except 体育场馆 0.5004 and 仪器设备 0.50004. At the
  roll-up's 4 CV decimals 0.50004 reads "0.5000" beside the limit 0.5, so it needs 5
  ("0.50004"); 0.5004 already reads over ("0.5004"). The worst ratio is 0.5004 / 0.5 = 1.0008:
  "100%" at 0 decimals reads as at the limit, "100.1%" over it. Its ledger: the county's CV line
  (0.50004 against 0.5, gap 0.00004: "0.5000" and "0.0000" at 4 decimals, so 5) and 丁县一小's
  教学用房 5.797 m² against 5.8 (gap 0.003 m²: "5.80" and "0.00" at 2 decimals, so 3).
* Twenty more counties (第01县 … 第20县), each with four failing schools whose long names and
  indicators wrap, so 未达标学校 runs over several pages and 汇总 is wider than a page; with
  丁县, 21 counties in each 趋势 chart's table: one band (table and chart) is 24 rows, so two no
  longer fit on one printed page.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from paper import PDFTOTEXT, SOFFICE, by_sheet, print_pdf, raw_text, read_pages, squeezed

from equity_xlsx.rollup_workbook import write_rollup
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
SHEETS = ("汇总", "图表", "未达标学校", "趋势")
SMALLEST_PT = 8.0
LONG_SCHOOL = "第{n:02d}县城关镇第{k}中心完全小学附属分校"
LONG_INDICATOR = "每百名学生拥有体育、艺术（美术、音乐）专任教师数"


def _stage(cvs, limit, schools, passing):
    return {"schools": schools, "students": 100 * schools, "schools_passing": passing,
            "schools_failing": schools - passing, "resource_pass": False,
            "cv_over_limit": [str(i) for i, cv in enumerate(cvs, start=1) if cv > limit],
            "indicators": {str(i): {"county_value": 1.0, "standard": 1.0, "cv": cv, "cv_limit": limit,
                                    "cv_ok": cv <= limit, "schools_meeting": passing}
                           for i, cv in enumerate(cvs, start=1)}}


def _line(school, item, indicator, current, standard, shortfall, unit, need, need_unit, line_id):
    return {"id": line_id, "school": school, "stage": "primary", "indicator": indicator, "current": current,
            "standard": standard, "shortfall": shortfall, "unit": unit, "item": item, "need": need,
            "need_unit": need_unit}


def _school(name):
    return {"name": name, "stage": "primary", "students": 300, "values": {str(i): 1.0 for i in range(1, 8)},
            "met": 5, "passes": False}


DING_CVS = [0.10, 0.30, 0.20, 0.15, 0.5004, 0.50004, 0.05]
DING = {
    "input": "丁县.xlsx", "status": "ok", "county": "丁县", "county_code": "430199", "errors": [], "warnings": [],
    "stages": {"primary": _stage(DING_CVS, 0.5, 3, 2)},
    "schools": [_school("丁县一小")],
    "ledger": [
        _line("全县", "6", "生均教学仪器设备值差异系数（小学≤0.5）", 0.50004, 0.5, 0.00004, "", 100.0, "元",
              "TZ-06-000001"),
        _line("丁县一小", "4", "生均教学及辅助用房面积", 5.797, 5.8, 0.003, "m²", 2.0, "m²", "TZ-04-000002"),
    ],
    "ledger_changes": {"opened": 2, "closed": 0, "reopened": 0, "open": 2},
}


def _county(n):
    schools = [LONG_SCHOOL.format(n=n, k=k) for k in range(1, 5)]
    return {
        "input": f"第{n:02d}县.xlsx", "status": "ok", "county": f"第{n:02d}县", "county_code": f"4301{n:02d}",
        "errors": [], "warnings": [],
        "stages": {"primary": _stage([0.1, 0.3, 0.2, 0.15, 0.25, 0.35, 0.05], 0.5, 6, 2),
                   "junior": _stage([0.1, 0.3, 0.2, 0.15, 0.25, 0.35, 0.05], 0.45, 3, 3)},
        "schools": [_school(s) for s in schools],
        "ledger": [_line(s, "3", LONG_INDICATOR, 0.8, 1.0, 0.2, "人/百生", 1.0, "人", f"TZ-03-{n:02d}{k:04d}")
                   for k, s in enumerate(schools)],
        "ledger_changes": {"opened": 4, "closed": 0, "reopened": 0, "open": 4},
    }


COUNTIES = range(1, 21)
ENTRIES = [DING, *(_county(n) for n in COUNTIES)]


def _trend(county, code, year, cvs):
    return {"county": county, "county_code": code, "data_year": year, "run_at": f"{year}-11-20 22:30:00",
            "stages": {"primary": {"cv": {str(i): cv for i, cv in enumerate(cvs, start=1)},
                                   "county_value": {str(i): 1.0 for i in range(1, 8)},
                                   "schools": 3, "schools_passing": 2, "resource_pass": False}},
            "ledger_open": 2, "ledger_closed": 0}


TREND = [_trend("丁县", "430199", year, DING_CVS) for year in (2024, 2025)] + [
    _trend(f"第{n:02d}县", f"4301{n:02d}", year, [0.1, 0.3, 0.2, 0.15, 0.25, 0.35, 0.05])
    for n in COUNTIES for year in (2024, 2025)]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("rollup_print") / "市级汇总.xlsx"
    write_rollup(path, ENTRIES, STD, TREND, generated="2026-11-23 22:30")
    return path


def shown(cell) -> str:
    """The cell's number as a spreadsheet displays it under its number format (the formats the
    roll-up writes: "0.0000", "#,##0.00", "#,##0.0##", "0%", "0.0%"): half up, "#" digits only
    when not zero."""
    m = re.fullmatch(r"(?:#,##)?0(?:\.(0*)(#*))?(%?)", cell.number_format)
    assert m, cell.number_format
    fixed, optional, percent = len(m.group(1) or ""), len(m.group(2) or ""), m.group(3)
    value = Decimal(repr(float(cell.value))) * (100 if percent else 1)
    text = f"{value.quantize(Decimal(1).scaleb(-(fixed + optional)), rounding=ROUND_HALF_UP):f}"
    if optional:
        text = text.rstrip("0")
        decimals = len(text.split(".")[1])
        text += "0" * max(0, fixed - decimals)
    return text + percent


def _cell(ws, row_text, col_text, header_row):
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == row_text)
    col = next(c for c in range(1, ws.max_column + 1)
               if col_text in (ws.cell(header_row, c).value, ws.cell(header_row - 1, c).value))
    return ws.cell(row, col)


def test_a_cv_just_over_its_limit_never_reads_as_the_limit_on_the_summary(book):
    ws = openpyxl.load_workbook(book)["汇总"]
    assert shown(_cell(ws, "丁县", "仪器设备", 5)) == "0.50004"   # not "0.5000" beside 0.50
    assert shown(_cell(ws, "丁县", "体育场馆", 5)) == "0.5004"    # 4 decimals already tell
    assert shown(_cell(ws, "丁县", "骨干教师", 5)) == "0.3000"    # within: as usual
    assert shown(_cell(ws, "丁县", "最差指标差异系数÷限值", 5)) == "100.1%"  # not "100%"
    assert shown(_cell(ws, "第01县", "最差指标差异系数÷限值", 5)) == "70%"  # 0.35 / 0.5


def test_a_cv_just_over_its_limit_never_reads_as_the_limit_on_the_trend(book):
    ws = openpyxl.load_workbook(book)["趋势"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "小学（限值 0.5）") + 1
    assert shown(_cell(ws, "丁县", "仪器设备", header)) == "0.50004"
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "小学·仪器设备")
    ding = next(r for r in range(top, ws.max_row + 1) if ws.cell(r, 1).value == "丁县")
    assert [shown(ws.cell(ding, c)) for c in (2, 3)] == ["0.50004", "0.50004"]


def test_failing_values_and_gaps_never_read_as_meeting_the_standard(book):
    ws = openpyxl.load_workbook(book)["未达标学校"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "县（市、区）")
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(r, cols["学校"]).value: r for r in range(header + 1, ws.max_row + 1)
            if ws.cell(r, 1).value == "丁县"}
    county, school = rows["全县"], rows["丁县一小"]
    assert [shown(ws.cell(county, cols[h])) for h in ("现值", "标准", "差距")] == ["0.50004", "0.5000", "0.00004"]
    assert [shown(ws.cell(school, cols[h])) for h in ("现值", "标准", "差距")] == ["5.797", "5.80", "0.003"]


# ------------------------------------------------------------------ on paper (LibreOffice)

@pytest.fixture(scope="module")
def printed(book, tmp_path_factory):
    if SOFFICE is None or PDFTOTEXT is None:
        pytest.skip("LibreOffice or poppler missing")
    pdf = print_pdf(book, tmp_path_factory.mktemp("rollup_pdf"))
    return read_pages(pdf), raw_text(pdf)


@pytest.mark.libreoffice
def test_every_sheet_is_printed_and_no_text_is_under_8_points(printed):
    pages, _ = printed
    sheets = by_sheet(pages)
    assert set(SHEETS) <= set(sheets)
    for sheet, ps in sheets.items():
        sizes = sorted((round(w.size, 2), w.text) for p in ps for w in p.words if w.measurable)
        assert sizes and sizes[0][0] >= SMALLEST_PT, (sheet, sizes[:5])


@pytest.mark.libreoffice
def test_printed_values_read_as_failing(printed):
    pages, _ = printed
    words = {sheet: {w.text for p in ps for w in p.words} for sheet, ps in by_sheet(pages).items()}
    assert {"0.50004", "0.5004", "100.1%"} <= words["汇总"]
    assert {"0.50004", "0.00004", "5.797", "0.003"} <= words["未达标学校"]
    assert "0.50004" in words["趋势"]


@pytest.mark.libreoffice
def test_every_page_repeats_the_column_names_and_the_identifying_columns(printed):
    pages, _ = printed
    sheets = by_sheet(pages)
    counties = {"丁县", *(f"第{n:02d}县" for n in COUNTIES)}
    for sheet, heads in (("汇总", ("县（市、区）", "学段")), ("未达标学校", ("县（市、区）", "学校", "台账编号"))):
        ps = sheets[sheet]
        assert len(ps) >= 2, sheet
        for p in ps:
            assert all(h in p.text for h in heads), (sheet, p.number)
            assert counties & {w.text for w in p.words}, (sheet, p.number)  # which county each row is
    # 汇总 is wider than a page at a legible scale: the CVs and the ledger counts are on a page across.
    summary_text = "".join(p.text for p in sheets["汇总"])
    assert "仪器设备" in summary_text and "未整改" in summary_text


@pytest.mark.libreoffice
def test_wrapped_cells_and_notes_are_printed_whole(printed, book):
    pages, raw = printed
    page_texts = [(p.sheet, squeezed(text)) for p, text in zip(pages, raw)]
    wb = openpyxl.load_workbook(book)
    checked = 0
    for sheet in SHEETS:
        ws = wb[sheet]
        for row in ws.iter_rows(min_row=2, max_row=3):  # the notes under each title
            value = row[0].value
            if isinstance(value, str) and len(value) > 20:
                assert any(s == sheet and squeezed(value) in t for s, t in page_texts), (sheet, value)
                checked += 1
    ws = wb["未达标学校"]
    sheet_text = "".join(t for s, t in page_texts if s == "未达标学校")
    for row in ws.iter_rows(min_row=6):
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 10:
                assert squeezed(cell.value) in sheet_text, (cell.coordinate, cell.value)
                checked += 1
    assert checked > 100


@pytest.mark.libreoffice
def test_trend_charts_never_straddle_a_page(printed):
    pages, _ = printed
    shorts = [ind.short for ind in STD.indicators]
    trend = by_sheet(pages)["趋势"]
    # The charts start on a page of their own (the table above has a 数据年份 column too).
    charts = trend[next(i for i, p in enumerate(trend) if "趋势图：" in p.text):]
    per_page = [(sum(p.text.count(f"·{short}差异系数") for short in shorts),
                 sum(w.text == "数据年份" for w in p.words)) for p in charts]
    assert all(titles == axes for titles, axes in per_page), per_page
    assert sum(titles for titles, _ in per_page) == 7  # 小学 × seven indicators, each whole


def test_a_stage_limit_shows_all_its_digits(tmp_path):
    """A limit of 0.425 (a province's own rule) reads "0.425", not "0.43"; 0.5 still reads "0.50"."""
    entry = {**_county(1), "stages": {"primary": _stage([0.1] * 7, 0.5, 6, 6),
                                      "junior": _stage([0.1] * 7, 0.425, 3, 3)}}
    path = tmp_path / "市级汇总.xlsx"
    write_rollup(path, [entry], STD, [], generated="2026-11-23 22:30")
    ws = openpyxl.load_workbook(path)["汇总"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "县（市、区）")
    col = next(c for c in range(1, ws.max_column + 1)
               if "限值" in str(ws.cell(header, c).value or "") + str(ws.cell(header + 1, c).value or ""))
    shown_limits = sorted(shown(ws.cell(r, col)) for r in range(header + 1, ws.max_row + 1)
                          if ws.cell(r, 1).value == "第01县")
    assert shown_limits == ["0.425", "0.50"]
