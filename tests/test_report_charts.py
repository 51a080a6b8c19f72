"""Native charts: the CV chart per stage on 概览 and the per-indicator school charts on 图表,
read back with openpyxl (series references, anchors) and from the chart XML (fonts, #N/A).

Expected values are worked out by hand from the county in report_county.py:
  小学 6. 仪器设备 (元/生, standard 2000, floor 85 % = 1700): 甲 2400, 乙 2000, 丙 1500;
  小学 1. 高学历教师 (standard 4.2, floor 3.57): 甲 5.0, 丙 5.0, 乙 4.0 (95 %: under the standard, above the floor);
  初中 7. 多媒体教室: 丁中学 has no figure.
"""

from __future__ import annotations

import re
import shutil
import zipfile

import openpyxl
import pytest
from recalc import SOFFICE, recalculate, set_input
from report_county import STD, evaluation, section

from equity_xlsx.indicators import evaluate
from equity_xlsx.model import CountyData
from equity_xlsx.report import SHEETS, write_report
from equity_xlsx.report.chart_sheet import CHART_COLS, DATA_COL, PAGE_ROWS
from equity_xlsx.rulebook import Rules

SCHOOL_HEADER_ROW = 6  # Excel row of the 学校指标 header
NA = "#N/A"


def write(path, ev):
    write_report(ev, path, rules=Rules.of(ev.standard))
    return openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    path = tmp_path_factory.mktemp("charts") / "测试县_评估结果.xlsx"
    wb, cached = write(path, evaluation())
    return path, wb, cached


def title(chart) -> str:
    return "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))


def series(chart) -> dict[str, tuple[str, str, str]]:
    """{series name: (chart type, categories reference, values reference)}, bars and lines."""
    out = {}
    for part in chart._charts:
        for s in part.series:
            cat = s.cat.strRef or s.cat.numRef
            out[s.tx.v] = (type(part).__name__, cat.f, s.val.numRef.f)
    return out


def charts_by_title(ws) -> dict:
    return {title(c): c for c in ws._charts}


def cells(ref: str) -> tuple[str, str, int, int]:
    """"图表!$R$6:$R$8" -> ("图表", "R", 6, 8); a single cell "图表!$R$6" -> ("图表", "R", 6, 6)."""
    m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", ref)
    assert m and m.group(2) == (m.group(4) or m.group(2)), ref
    return m.group(1), m.group(2), int(m.group(3)), int(m.group(5) or m.group(3))


def column(ws, header_row, header) -> str:
    return next(c.column_letter for c in ws[header_row] if c.value == header)


def school_row(ws, name) -> int:
    return next(r for r in range(SCHOOL_HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == name)


def block(ws, cached, chart) -> dict[str, dict[str, object]]:
    """The data block behind ``chart``, by school in chart order: {school: {header: (formula, cached)}}."""
    _, school_col, first, last = cells(series(chart)["达标"][1])
    header_row = first - 1
    heads = {c.column_letter: c.value for c in ws[header_row] if c.value is not None}
    rows = {}
    for r in range(first, last + 1):
        name = ws[f"{school_col}{r}"].value
        rows[name] = {h: (ws[f"{col}{r}"].value, cached[f"{col}{r}"].value) for col, h in heads.items()}
    return rows


def chart_xml(path, title_text: str) -> str:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/charts/chart"):
                xml = zf.read(name).decode("utf-8")
                if f"<a:t>{title_text}</a:t>" in xml:
                    return xml
    raise KeyError(title_text)


# ---------------------------------------------------------------- 图表


def test_chart_sheet_comes_right_after_the_cv_sheet():
    names = [s.name for s in SHEETS]
    assert names[names.index("差异系数") + 1] == "图表"


def test_one_chart_per_indicator_and_stage_titled_in_chinese(county):
    _, wb, _ = county
    titles = [title(c) for c in sorted(wb["图表"]._charts, key=lambda c: c.anchor._from.row)]
    assert titles == [f"{stage} {ind.name}（{ind.unit}）" for ind in STD.indicators for stage in ("小学", "初中")]
    assert "小学 生均教学及辅助用房面积（m²）" in titles


def test_series_read_the_sorted_data_block_which_reads_the_school_cells(county):
    _, wb, cached = county
    ws, schools = wb["图表"], wb["学校指标"]
    chart = charts_by_title(ws)["小学 生均教学仪器设备值（元）"]
    s = series(chart)
    assert list(s) == ["达标", "未达标（不低于标准的85%）", "低于标准的85%", "标准 2000", "标准的85%"]
    assert [kind for kind, _, _ in s.values()] == ["BarChart"] * 3 + ["LineChart"] * 2
    sheet, school_col, first, last = cells(s["达标"][1])
    assert (sheet, school_col, last - first) == ("图表", "R", 2)  # three 小学, school names in column R
    assert all(cat == s["达标"][1] for _, cat, _ in s.values())
    value_cols = [cells(val)[1] for _, _, val in s.values()]
    assert value_cols == ["U", "V", "W", "X", "Y"]
    assert all(cells(val)[2:] == (first, last) for _, _, val in s.values())

    rows = block(ws, cached["图表"], chart)
    assert list(rows) == ["甲小学", "乙小学", "丙小学"]  # 2400, 2000, 1500 元: highest first
    value_col = column(schools, SCHOOL_HEADER_ROW, "6.仪器设备\n(元)")
    ratio_col = column(schools, SCHOOL_HEADER_ROW, "6.达标率")
    for name, row in rows.items():
        r = school_row(schools, name)
        assert row["指标值（元）"][0] == f"='学校指标'!{value_col}{r}"
        assert row["达标率"][0] == f"='学校指标'!{ratio_col}{r}"
    assert [row["指标值（元）"][1] for row in rows.values()] == pytest.approx([2400, 2000, 1500])
    assert [row["序号"][1] for row in rows.values()] == [1, 2, 3]


def test_a_failing_school_is_a_red_bar_and_not_a_green_one(county):
    _, wb, cached = county
    ws = wb["图表"]
    rows = block(ws, cached["图表"], charts_by_title(ws)["小学 生均教学仪器设备值（元）"])
    # 丙小学 1500 元 is 75 % of 2000: under the 85 % floor.
    bing = rows["丙小学"]
    assert bing["低于标准的85%"][1] == 1500
    assert bing["达标"][1] == NA and bing["未达标（不低于标准的85%）"][1] == NA
    # 乙小学 2000 元 is exactly the standard: met.
    assert rows["乙小学"]["达标"][1] == 2000 and rows["乙小学"]["低于标准的85%"][1] == NA
    # The helper formulas test the ratio cell of the same row against the named floor.
    formula = bing["低于标准的85%"][0]
    assert re.fullmatch(r"=IF\(ISNUMBER\(T(\d+)\),IF\(T\1<达标下限比例,S\1,NA\(\)\),NA\(\)\)", formula)

    amber = block(ws, cached["图表"], charts_by_title(ws)["小学 每百名学生拥有高于规定学历教师数（人/百生）"])
    assert list(amber) == ["丙小学", "甲小学", "乙小学"]  # 5.0, 5.0 (ties by name), 4.0
    assert amber["乙小学"]["未达标（不低于标准的85%）"][1] == pytest.approx(4.0)  # 95 % of 4.2
    assert amber["乙小学"]["达标"][1] == NA and amber["乙小学"]["低于标准的85%"][1] == NA


def test_lines_are_the_standard_and_its_floor_from_the_defined_names(county):
    _, wb, cached = county
    ws = wb["图表"]
    rows = block(ws, cached["图表"], charts_by_title(ws)["小学 生均教学仪器设备值（元）"])
    for row in rows.values():
        assert row["标准"] == ("=标准_小学_6", 2000)
        assert row["标准的85%"][0] == "=达标下限比例*标准_小学_6"
        assert row["标准的85%"][1] == pytest.approx(1700)
    junior = block(ws, cached["图表"], charts_by_title(ws)["初中 生均教学仪器设备值（元）"])
    assert junior["丁中学"]["标准"] == ("=标准_初中_6", 2500)


def test_a_school_without_data_is_listed_with_no_bar(county):
    path, wb, cached = county
    ws = wb["图表"]
    rows = block(ws, cached["图表"], charts_by_title(ws)["初中 每百名学生拥有网络多媒体教室数（间/百生）"])
    ding = rows["丁中学"]
    assert ding["指标值（间/百生）"][1] == "未提供数据"
    assert [ding[h][1] for h in ("达标", "未达标（不低于标准的85%）", "低于标准的85%")] == [NA, NA, NA]
    xml = chart_xml(path, "初中 每百名学生拥有网络多媒体教室数（间/百生）")
    assert 'dispNaAsBlank val="1"' in xml  # #N/A draws nothing, not a 0 bar


def test_chart_sheet_prints_two_small_charts_a_page_with_the_data_outside(county):
    _, wb, _ = county
    ws = wb["图表"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert (ws.page_setup.scale or 100) >= 85  # one page wide as they are, not shrunk
    charts = sorted(ws._charts, key=lambda c: c.anchor._from.row)
    tops = [c.anchor._from.row for c in charts]  # 0-based
    assert tops == [3 + 15 * i for i in range(14)]  # every county stage here has ≤ 12 schools: half pages
    last = charts[-1].anchor.to.row
    assert ws.print_area == f"'图表'!$A$1:$O${tops[-1] + 15}" and last < tops[-1] + 15
    assert [b.id for b in ws.row_breaks.brk] == tops[2::2]  # a new page every two charts
    for c in charts:
        assert c.anchor._from.col == 0 and (c.anchor.to.col, c.anchor.to.colOff) <= (CHART_COLS, 0)
    assert ws.cell(4, DATA_COL + 1).value.startswith("图表数据：小学 每百名学生拥有高于规定学历教师数")
    assert ws.protection.sheet


def test_many_schools_get_a_whole_page_and_rotated_labels(tmp_path):
    # 300 小学 of 100 students; school i has 20·i 元 of equipment per student, except every
    # 50th, which has no equipment figure.
    sections = []
    for i in range(1, 301):
        equipment = None if i % 50 == 0 else 2000 * i
        sections.append(section(f"第{i}小学", 100, 5, 1, 1, 500, 800, equipment, 3, row=4 + i))
    ev = evaluate(CountyData(file="大县.xlsx", county="大县", sections=sections), STD)
    path = tmp_path / "大县_评估结果.xlsx"
    wb, cached = write(path, ev)
    ws = wb["图表"]
    name = "小学 生均教学仪器设备值（元）"
    chart = charts_by_title(ws)[name]
    assert len(ws._charts) == 7
    assert chart.anchor.to.row - chart.anchor._from.row == PAGE_ROWS - 1  # a whole page
    rows = block(ws, cached["图表"], chart)
    names = list(rows)
    assert len(names) == 300 and names[:2] == ["第299小学", "第298小学"]  # 5980, 5960 元
    assert set(names[-6:]) == {f"第{i}小学" for i in range(50, 301, 50)}  # no data: last, no bar
    assert all(rows[n][h][1] == NA for n in names[-6:] for h in ("达标", "未达标（不低于标准的85%）", "低于标准的85%"))
    assert rows["第100小学"]["指标值（元）"][1] == "未提供数据"
    assert rows["第85小学"]["未达标（不低于标准的85%）"][1] == 1700  # exactly 85 %
    assert rows["第84小学"]["低于标准的85%"][1] == 1680
    xml = chart_xml(path, name)
    cat_axis = re.search(r"<c:catAx>.*?</c:catAx>", xml).group(0)
    labels = re.search(r"<c:txPr><a:bodyPr rot=\"(-?\d+)\".*?sz=\"(\d+)\"", cat_axis)
    # Names rotated 90° at 10 pt (never under 8 on paper): every 5th of 300 is named, the data
    # block beside the chart lists them all.
    assert labels.groups() == ("-5400000", "1000")
    assert '<c:tickLblSkip val="5"/>' in cat_axis
    assert "<c:dLbls>" not in xml  # no value labels on 300 bars


# ---------------------------------------------------------------- 概览


def test_overview_has_one_cv_chart_per_stage_below_the_tables(county):
    _, wb, _ = county
    ws = wb["概览"]
    charts = charts_by_title(ws)
    assert set(charts) == {"小学各项指标差异系数", "初中各项指标差异系数"}
    top = min(c.anchor._from.row for c in charts.values())  # 0-based: the Excel row above is `top`
    used = max(c.row for row in ws.iter_rows(max_col=13) for c in row if c.value is not None)
    assert ws.cell(top, 1).value.startswith("柱：各项指标的差异系数")  # the chart section's own note
    assert ws.cell(top - 1, 1).value == "差异系数图"
    assert used == top  # nothing of the tables under or beside the charts
    assert [b.id for b in ws.row_breaks.brk] == [top - 2]  # a page break above 差异系数图
    assert ws.print_area == f"'概览'!$A$1:$M${max(c.anchor.to.row for c in charts.values())}"
    for c in charts.values():
        assert (c.anchor.to.col, c.anchor.to.colOff) <= (13, 0)  # within the tables' width (A–M)


def test_overview_cv_series_are_helpers_beside_each_stage_table(county):
    _, wb, cached = county
    ws, wc = wb["概览"], cached["概览"]
    s = series(charts_by_title(ws)["小学各项指标差异系数"])
    assert list(s) == ["不超过限值", "超过限值", "限值 0.5"]
    _, cat_col, first, last = cells(s["不超过限值"][1])
    assert (cat_col, last - first) == ("N", 6)
    assert [cells(v)[1] for _, _, v in s.values()] == ["O", "P", "H"]
    assert ws[f"A{first}"].value == 1 and ws[f"A{last}"].value == 7  # the 小学 indicator rows
    assert ws[f"N{first}"].value == "1.高学历教师"
    assert ws[f"H{first}"].value == "=限值_小学"
    assert ws[f"O{first}"].value == f"=IF(ISNUMBER(G{first}),IF(G{first}<=H{first},G{first},NA()),NA())"
    assert ws[f"P{first}"].value == f"=IF(ISNUMBER(G{first}),IF(G{first}>H{first},G{first},NA()),NA())"
    assert wc[f"O{first}"].value == pytest.approx(wc[f"G{first}"].value) and wc[f"P{first}"].value == NA
    junior = series(charts_by_title(ws)["初中各项指标差异系数"])
    _, _, jfirst, jlast = cells(junior["超过限值"][2])
    assert ws[f"H{jfirst}"].value == "=限值_初中"
    # 初中 7: no school has the figure, so no CV and no bar in either series.
    assert wc[f"G{jlast}"].value == "未提供数据" and (wc[f"O{jlast}"].value, wc[f"P{jlast}"].value) == (NA, NA)


def test_a_cv_over_its_limit_is_the_red_series(tmp_path):
    # Two 小学 of 500 students alike but for equipment: 5000 and 1000 元 per student.
    # X̄ = 3000, S = 2000, CV = 2/3 > 0.5; every other CV is 0.
    a = section("东小学", 500, 25, 5, 5, 2500, 4000, 2_500_000, 12)
    b = section("西小学", 500, 25, 5, 5, 2500, 4000, 500_000, 12, row=6)
    wb, cached = write(tmp_path / "两校县.xlsx", evaluate(CountyData(file="两校县.xlsx", county="两校县",
                                                                      sections=[a, b]), STD))
    ws, wc = wb["概览"], cached["概览"]
    s = series(charts_by_title(ws)["小学各项指标差异系数"])
    _, _, first, _ = cells(s["超过限值"][2])
    equipment = first + 5
    assert ws[f"N{equipment}"].value == "6.仪器设备"
    assert wc[f"P{equipment}"].value == pytest.approx(2 / 3) and wc[f"O{equipment}"].value == NA
    assert wc[f"O{first}"].value == 0 and wc[f"P{first}"].value == NA


# ---------------------------------------------------------------- live in LibreOffice


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_corrected_input_recolours_its_bar(county, tmp_path):
    path, wb, cached = county
    edited = tmp_path / "edited.xlsx"
    shutil.copyfile(path, edited)
    schools = wb["学校指标"]
    # 丙小学's equipment corrected to 340 000 元: 1700 元 per student, exactly 85 % of 2000.
    cell = f"{column(schools, SCHOOL_HEADER_ROW, '教学仪器设备值' + chr(10) + '(元)')}{school_row(schools, '丙小学')}"
    set_input(edited, "学校指标", cell, 340000)
    out = recalculate(edited, tmp_path / "lo")
    after = openpyxl.load_workbook(out, data_only=True)["图表"]
    rows = block(wb["图表"], after, charts_by_title(wb["图表"])["小学 生均教学仪器设备值（元）"])
    assert rows["丙小学"]["未达标（不低于标准的85%）"][1] == pytest.approx(1700)  # amber now
    assert rows["丙小学"]["低于标准的85%"][1] == NA and rows["丙小学"]["达标"][1] == NA
