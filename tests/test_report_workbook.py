"""The output workbook read back with openpyxl: sheets, headers, layout, formulas with cached values.

Expected numbers are worked out by hand from the county in report_county.py.
"""

from __future__ import annotations

import datetime as dt
import math

import openpyxl
import pytest
from report_county import evaluation, ledger_lines

from equity_xlsx.rulebook import Rules
from equity_xlsx.checks import run_checks
from equity_xlsx.model import LEDGER_COLUMNS, STAFF_LABELS
from equity_xlsx.report import write_report
from equity_xlsx.report.formats import text_width

SCHOOL_HEADER_ROW = 6  # Excel row of the 学校指标 header (parameters above it)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "测试县_评估结果.xlsx"
    lines = ledger_lines()
    ev = evaluation()
    checks = run_checks(ev.data, Rules.of(ev.standard), evaluation=ev)
    write_report(ev, path, ledger=lines, closed=[lines[1]], rules=Rules.of(ev.standard), checks=checks,
                 run_info={"generated": "2024-05-21T02:00:00", "tool_version": "0.1.0", "input": "测试县.xlsx",
                           "opened_since_last": 2, "closed_since_last": 1})
    return (openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True))


def header_columns(ws, row):
    return {c.value: c.column_letter for c in ws[row] if c.value is not None}


def school_row(ws, name):
    for row in ws.iter_rows(min_row=SCHOOL_HEADER_ROW + 1):
        if row[0].value == name:
            return row[0].row
    raise KeyError(name)


def test_sheet_order(written):
    wb, _ = written
    assert wb.sheetnames == ["概览", "学校指标", "差异系数", "图表", "趋势", "整改台账", "任务清单", "口径说明", "数据问题", "已销号"]


def test_no_archive_sheet_without_closed_lines(tmp_path):
    path = tmp_path / "out.xlsx"
    write_report(evaluation(), path, rules=Rules.of(evaluation().standard))
    assert "已销号" not in openpyxl.load_workbook(path).sheetnames


def test_school_sheet_headers_frozen_and_filtered(written):
    wb, _ = written
    ws = wb["学校指标"]
    heads = [c.value for c in ws[SCHOOL_HEADER_ROW]]
    assert heads[:4] == ["学校", "学段", "办学类型", "在校生数"]
    assert heads[4] == "高于规定学历教师数"
    assert heads[7] == "教学及辅助用房面积\n(m²)"
    assert heads[9] == "教学仪器设备值\n(元)"
    assert heads[10] == "网络多媒体教室数\n(间)"
    assert heads[11] == "1.高学历教师\n(人/百生)"
    assert "达标项数" in heads and "判定" in heads
    assert ws.freeze_panes == f"B{SCHOOL_HEADER_ROW + 1}"
    assert ws.auto_filter.ref.startswith(f"A{SCHOOL_HEADER_ROW}:")
    assert ws.page_setup.orientation == "landscape"
    # Not shrunk to one page wide (5 pt): 85 %, pages across with the school repeated.
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert ws.page_setup.scale == 85
    assert ws.print_title_rows == f"$1:${SCHOOL_HEADER_ROW}" and ws.print_title_cols == "$A:$B"


def test_school_values_are_formulas_with_python_values_cached(written):
    wb, cached = written
    ws, wc = wb["学校指标"], cached["学校指标"]
    cols = header_columns(ws, SCHOOL_HEADER_ROW)
    r = school_row(ws, "乙小学")
    v1 = f"{cols['1.高学历教师' + chr(10) + '(人/百生)']}{r}"
    assert ws[v1].value == f'=IF(AND(ISNUMBER(E{r}),N($D{r})>0),E{r}*100/$D{r},"未提供数据")'
    assert wc[v1].value == pytest.approx(4.0)  # 12 × 100 / 300
    assert wc[f"{cols['6.仪器设备' + chr(10) + '(元)']}{r}"].value == pytest.approx(2000)  # 600 000 / 300
    assert ws[f"{cols['达标项数']}{r}"].value.startswith("=COUNTIF(")
    assert wc[f"{cols['达标项数']}{r}"].value == 4
    assert wc[f"{cols['判定']}{r}"].value == "未达标"
    assert wc[f"{cols['判定']}{school_row(ws, '甲小学')}"].value == "达标"
    # 丁中学 has no 多媒体教室 figure: the value formula shows it, never 0.
    rd = school_row(ws, "丁中学")
    assert wc[f"{cols['7.多媒体教室' + chr(10) + '(间/百生)']}{rd}"].value == "未提供数据"
    assert wc[f"{cols['7.达标率']}{rd}"].value == "未提供数据"


def test_standards_are_cells_the_formulas_refer_to(written):
    wb, _ = written
    ws = wb["学校指标"]
    cols = header_columns(ws, SCHOOL_HEADER_ROW)
    ratio = ws[f"{cols['1.达标率']}{school_row(ws, '甲小学')}"].value
    value_col = cols["1.高学历教师\n(人/百生)"]
    named = {name: d.attr_text.replace("'", "") for name, d in wb.defined_names.items()}
    assert "标准_小学_1" in ratio and named["标准_小学_1"] == f"学校指标!${value_col}$3"  # 小学 standards on row 3
    assert ws[f"{value_col}3"].value == 4.2 and ws[f"{value_col}4"].value == 5.3
    ratio_jr = ws[f"{cols['1.达标率']}{school_row(ws, '丁中学')}"].value
    assert "标准_初中_1" in ratio_jr and named["标准_初中_1"] == f"学校指标!${value_col}$4"


def test_source_column_names_the_input_cells(written):
    wb, _ = written
    ws = wb["学校指标"]
    cols = header_columns(ws, SCHOOL_HEADER_ROW)
    src = ws[f"{cols['来源（文件 / 工作表 / 单元格）']}{school_row(ws, '乙小学')}"].value
    assert src.startswith("测试县.xlsx / 小学 / 第6行：")
    assert "在校生数 D6" in src and "高于规定学历教师数 E6" in src


def test_school_sheet_conditional_formats_cover_value_columns(written):
    wb, _ = written
    ranges = [str(cf.sqref) for cf in wb["学校指标"].conditional_formatting]
    assert any(r.startswith("L7:R") for r in ranges)  # the seven values
    assert any(r.startswith("S7:Y") for r in ranges)  # the seven ratios


def cv_block(ws, title_start):
    """{label: (formula, row)} of the block whose title starts with ``title_start``."""
    start = next(r for r in range(1, ws.max_row + 1)
                 if isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value.startswith(title_start))
    out = {}
    for r in range(start + 2, ws.max_row + 1):
        label = ws.cell(r, 1).value
        if label is None:
            break
        out[label] = r
    return out


def test_cv_block_laid_out_for_audit(written):
    wb, cached = written
    ws, wc = wb["差异系数"], cached["差异系数"]
    rows = cv_block(ws, "小学 · 1.")
    assert list(rows)[:3] == ["甲小学", "乙小学", "丙小学"]
    r = rows["乙小学"]
    assert ws[f"B{r}"].value.startswith("='学校指标'!") and ws[f"C{r}"].value.startswith("='学校指标'!")
    assert wc[f"B{r}"].value == 300 and wc[f"C{r}"].value == pytest.approx(4.0)
    assert wc[f"D{r}"].value == pytest.approx(1200)  # 300 × 4.0
    assert wc[f"E{r}"].value == pytest.approx(147)  # 300 × (4.0 − 4.7)²
    assert wc[f"B{rows['ΣPᵢ']}"].value == 1000
    assert wc[f"B{rows['ΣPᵢXᵢ']}"].value == pytest.approx(4700)
    assert wc[f"B{rows['X̄ = ΣPᵢXᵢ / ΣPᵢ（全县值）']}"].value == pytest.approx(4.7)
    assert wc[f"B{rows['ΣPᵢ(Xᵢ − X̄)²']}"].value == pytest.approx(210)  # 45 + 147 + 18
    assert wc[f"B{rows['CV = S / X̄']}"].value == pytest.approx(math.sqrt(0.21) / 4.7)
    assert ws[f"B{rows['CV = S / X̄']}"].value.startswith("=IF(")
    assert wc[f"B{rows['限值']}"].value == 0.5
    assert wc[f"B{rows['判定（CV ≤ 限值）']}"].value == "达标"
    assert wc[f"B{rows['临界（|CV − 限值| ≤ 临界范围）']}"].value == "否"


def test_cv_block_has_only_schools_with_data(written):
    wb, _ = written
    ws = wb["差异系数"]
    start = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("初中 · 7."))
    assert ws.cell(start + 1, 1).value.startswith("本学段没有学校提供该项数据")


def overview_rows(ws):
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None}


def test_overview_county_values_and_counts(written):
    wb, cached = written
    ws, wc = wb["概览"], cached["概览"]
    values = [[c.value for c in row] for row in wc.iter_rows()]
    formulas = [[c.value for c in row] for row in ws.iter_rows()]
    # The first indicator row of 小学: 1 | name | unit | 4.7 | 4.2 | 达标 | CV | 0.5 | 达标 | 否 | 2 | 3 | 达标
    i = next(i for i, row in enumerate(values) if row[0] == 1)
    assert values[i][3] == pytest.approx(4.7) and values[i][4] == 4.2
    assert values[i][6] == pytest.approx(math.sqrt(0.21) / 4.7)
    # 甲 5.0 and 丙 5.0 meet 4.2, 乙 4.0 does not: the county value and the CV pass, yet the
    # conclusion must not read 达标 while a school fails the indicator.
    assert values[i][10:13] == [2, 3, "全县值达标（2/3 校达标）"]
    assert "&K" in formulas[i][12] and "校达标）" in formulas[i][12]  # live, like the counts beside it
    # Indicator 2: every 小学 meets 1.0 (1.2, 1.0, 1.0): plain 达标.
    assert values[i + 1][10:13] == [3, 3, "达标"]
    assert formulas[i][3].startswith("='差异系数'!") and formulas[i][10].startswith("=COUNTIFS(")
    passing = next(row for row in values if row[0] == "达标学校数（6 项达标且其余不低于 85%）")
    assert passing[2] == 1  # only 甲小学
    labels = {row[0]: row[2] for row in values if row[0]}
    assert labels["整改台账未销号条目"] == 2
    assert labels["上次运行以来新增台账条目"] == 2 and labels["上次运行以来销号条目"] == 1
    assert labels["B类等级"] == "未评分"
    # A类 by hand: 2, 3, 4 (every school and the county meet them) and 12 (no school over
    # 2000 students) met; 1, 5, 6, 7 have schools short; the other 18 lack data.
    assert (labels["A类指标达标项数"], labels["A类指标未达标项数"], labels["A类指标未提供数据项数"]) == (4, 4, 18)
    assert next(row[2] for row in values if row[0] == "县（市、区、旗）") == "测试县"
    # The 小学 verdict by 第六条: 乙 and 丙 fail, so the stage fails though every CV is in limit.
    verdict = next(row for row in values if str(row[0]).startswith("小学资源配置结论"))
    assert verdict[2:4] == ["未达标", "未达标学校 2 所"] and verdict[6] == "超限差异系数 0 项"
    link = next(row for row in formulas if str(row[0]).startswith("小学资源配置结论"))[3]
    assert link.startswith("=HYPERLINK(\"#'学校指标'!A") and "COUNTIFS(" in link
    junior = next(row for row in values if str(row[0]).startswith("初中资源配置结论"))
    assert junior[2:4] == ["未达标", "未达标学校 1 所"]  # 丁中学 has no 多媒体教室 figure
    # 丁中学's missing figure is named in the banner under the title.
    banner = next(row[0] for row in values if str(row[0]).startswith("1 所学校的 1 项数据未参与计算"))
    assert "丁中学（初中）" in banner
    assert headers_row(values)[3] == "全县值"  # the county's own word: 测试县 is a 县


def headers_row(values):
    return next(row for row in values if row[0] == "编号")


def test_ledger_headers_are_the_contract_on_row_1(written):
    wb, _ = written
    ws = wb["整改台账"]
    heads = [c.value for c in ws[1]]
    assert heads == [c.header for c in LEDGER_COLUMNS]
    for must in ("台账编号", "学校", "学段", "指标编号", "指标", "现值", "标准值", "差距", "需补足", "整改措施",
                 "责任部门", "责任股室", "首次发现", "状态", "责任人", "计划完成时间", "整改进展", "备注"):
        assert must in heads
    assert heads[-4:] == [STAFF_LABELS[k] for k in ("owner", "due", "progress", "remark")]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:U4"
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == ["TZ-0001", "TZ-0002", "TZ-0003"]
    owner = ws.cell(2, heads.index("责任人") + 1)
    assert owner.value == "张三" and owner.protection.locked is False
    # 已销号 lines greyed by one conditional format over the whole table.
    rules = [(str(cf.sqref), rule.formula) for cf in ws.conditional_formatting for rule in cf.rules]
    status_col = openpyxl.utils.get_column_letter(heads.index("状态") + 1)
    assert ("A2:U4", [f'${status_col}2="已销号"']) in rules


def test_archive_sheet_has_the_closed_lines(written):
    wb, _ = written
    ws = wb["已销号"]
    # The figures of a closed line are from before it closed, and say so.
    assert [c.value for c in ws[1]] == [c.header + ("（销号前）" if c.field in ("current", "shortfall", "need_text")
                                                    else "") for c in LEDGER_COLUMNS]
    assert ws.cell(2, 1).value == "TZ-0002"
    detail = ws.cell(2, [c.field for c in LEDGER_COLUMNS].index("detail") + 1).value
    assert detail.startswith("已于 2024-05-20 销号；现值、差距、需补足为销号前最后一次（2024-05-19）的数据")


def test_ledger_dates_are_date_cells(written):
    # 首次发现, 销号日期 and a typed 计划完成时间 are real dates (sortable, filterable), not text.
    wb, _ = written
    for sheet, row in (("整改台账", 3), ("已销号", 2)):  # TZ-0002: first seen 2024-05-01, closed 2024-05-20
        ws = wb[sheet]
        heads = [c.value for c in ws[1]]
        first_seen = ws.cell(row, heads.index("首次发现") + 1)
        closed_on = ws.cell(row, heads.index("销号日期") + 1)
        assert first_seen.value == dt.datetime(2024, 5, 1) and first_seen.is_date and "yy" in first_seen.number_format
        assert closed_on.value == dt.datetime(2024, 5, 20) and closed_on.is_date
    ws = wb["整改台账"]
    heads = [c.value for c in ws[1]]
    assert ws.cell(4, heads.index("首次发现") + 1).value == dt.datetime(2024, 5, 2)
    assert ws.cell(2, heads.index("销号日期") + 1).value is None  # an open line has none


def test_every_sheet_is_protected_and_only_typed_cells_are_open(written):
    wb, _ = written
    assert all(ws.protection.sheet for ws in wb.worksheets)
    ws = wb["整改台账"]
    heads = [c.value for c in ws[1]]
    open_cols = {heads[c.column - 1] for c in ws[2] if c.protection.locked is False}
    assert open_cols == {"整改措施", "责任部门", "责任股室", "状态", "责任人", "计划完成时间", "整改进展", "备注"}
    tasks = wb["任务清单"]
    score_col = next(c.column for c in tasks[4] if str(c.value).startswith("得分"))
    b_row = next(r for r in range(5, 41) if tasks.cell(r, 7).value == "B")
    assert tasks.cell(b_row, score_col).protection.locked is False
    assert tasks.cell(b_row, score_col - 1).protection.locked is not False  # 台账条目数: a formula


def test_task_sheet_mirrors_the_table(written):
    wb, cached = written
    ws, wc = wb["任务清单"], cached["任务清单"]
    heads = [c.value for c in ws[4]]
    # The national list in 测试县's words: {县区}教育局 → 县教育局.
    assert heads[:6] == ["一级指标", "二级指标", "指标值或评估要点", "推进措施", "责任部门", "县教育局责任股室"]
    assert ws["B5"].value.startswith("1.每百名学生拥有高于规定学历教师数")
    assert ws.cell(5 + 35, 2).value.startswith("36.")
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert "A5:A11" in merged  # 资源配置 over items 1–7
    # 台账条目数 counts open ledger lines: item 1 has one, item 6's line is 已销号.
    col = openpyxl.utils.get_column_letter(heads.index("台账条目数\n（未销号）") + 1)
    assert ws[f"{col}5"].value.startswith("=COUNTIFS('整改台账'!")
    assert wc[f"{col}5"].value == 1 and wc[f"{col}10"].value == 0
    # 未达标学校数 of item 1: 乙小学 (4.0 < 4.2) and 丁中学 (5.0 < 5.3).
    unmet = openpyxl.utils.get_column_letter(heads.index("未达标学校数") + 1)
    assert wc[f"{unmet}5"].value == 2
    # B item 8 (row 12): score entry validated 0..10.
    score = openpyxl.utils.get_column_letter(heads.index("得分\n（B类填写）") + 1)
    dv = [d for d in ws.data_validations.dataValidation if f"{score}12" in str(d.sqref)]
    assert dv and dv[0].type == "decimal" and dv[0].formula1 == "0" and dv[0].formula2 == "10"


def test_scope_sheet_lists_exclusions_splits_conversions(written):
    wb, _ = written
    text = "\n".join(str(c.value) for row in wb["口径说明"].iter_rows() for c in row if c.value is not None)
    assert "河口教学点" in text and "教学点在校生 30 人，少于 50 人" in text
    assert "城南九年一贯制学校" in text and "小学 9,711.60" in text and "初中 13,514.40" in text
    assert "教学仪器设备值（万元）" in text and "万元" in text
    assert "national-2017.toml" in text


def test_problem_sheet_lists_errors_first(written):
    wb, _ = written
    ws = wb["数据问题"]
    assert [c.value for c in ws[1]] == ["级别", "文件", "工作表", "行", "列", "说明", "代码"]
    assert [c.value for c in ws[2]] == ["错误", "测试县.xlsx", "初中", 6, "K",
                                        "单元格 K6（网络多媒体教室）“无”不是数字，该值未使用", "not_a_number"]
    assert ws.cell(3, 1).value == "警告"


def test_text_width_counts_chinese_double():
    assert text_width("学校abc") == 7
    assert text_width("甲\nabcdef") == 6


def test_three_hundred_schools_all_get_a_row(tmp_path):
    from report_county import STD, section

    from equity_xlsx.indicators import evaluate
    from equity_xlsx.model import CountyData

    secs = [section(f"学校{i}", 300 + i, 12 + i % 5, 3, 3, 1500 + i, 1800, 600_000 + i, 6,
                    stage="primary" if i % 3 else "junior") for i in range(300)]
    ev = evaluate(CountyData(file="x.xlsx", county="大县", sections=secs), STD)
    write_report(ev, tmp_path / "big.xlsx", rules=Rules.of(STD))
    ws = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)["学校指标"]
    names = [r[0] for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], str) and r[0][2:].isdigit()]
    assert len(names) == 300


def test_county_without_schools_still_writes_every_sheet(tmp_path):
    from equity_xlsx.indicators import evaluate
    from equity_xlsx.model import CountyData
    from equity_xlsx.problems import Code, Problem

    from report_county import STD

    data = CountyData(file="空.xlsx", county=None,
                      problems=[Problem(Code.NO_SCHOOL_DATA, "空.xlsx")])
    path = tmp_path / "empty.xlsx"
    write_report(evaluate(data, STD), path, rules=Rules.of(STD))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:9] == ["概览", "学校指标", "差异系数", "图表", "趋势", "整改台账", "任务清单", "口径说明", "数据问题"]
    assert wb["学校指标"].cell(SCHOOL_HEADER_ROW + 1, 1).value == "没有纳入计算的学校。"
    assert wb["数据问题"]["F2"].value.startswith("工作簿中没有找到可识别的学校数据")
    assert wb["数据问题"]["G2"].value == "no_school_data"


def test_junior_only_county_refers_to_junior_standards(tmp_path):
    from report_county import STD, section

    from equity_xlsx.indicators import evaluate
    from equity_xlsx.model import CountyData

    secs = [section("一中", 400, 20, 4, 4, 2400, 4000, 1_000_000, 10, stage="junior", school_type="初级中学")]
    path = tmp_path / "junior.xlsx"
    write_report(evaluate(CountyData(file="j.xlsx", county="初中县", sections=secs), STD), path, rules=Rules.of(STD))
    wb = openpyxl.load_workbook(path, data_only=True)
    row = [c.value for c in wb["学校指标"][SCHOOL_HEADER_ROW + 1]]
    # 20 × 100 / 400 = 5.0 against 5.3 → 94.3 %; 10 rooms × 100 / 400 = 2.5 ≥ 2.4.
    assert row[11] == pytest.approx(5.0) and row[18] == pytest.approx(round(5.0 / 5.3, 9))
    assert row[17] == pytest.approx(2.5) and row[24] == pytest.approx(round(2.5 / 2.4, 9))
