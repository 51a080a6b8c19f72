"""Every sheet of a county workbook prints legibly on A4: LibreOffice prints the sample county
(大祥区, 26 school sections, 33 ledger lines) to PDF and poppler reads the pages back.

No printed text under 8 pt (the tool's cells are 10 pt, printed at 85 % or more; chart text
10 pt); wide sheets are spread over pages across with their identifying columns and header
rows repeated, instead of being shrunk to one page (学校指标 printed at about 5 pt, 整改台账 at
3 pt); a wrapped cell shows every line (its whole text is on the page).
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from paper import PDFTOTEXT, SOFFICE, by_sheet, print_pdf, raw_text, read_pages, squeezed
from staff_typing import RESULT, SAMPLE, type_cell

from equity_xlsx.batch import run
from equity_xlsx.report import SHEET_ORDER

pytestmark = [pytest.mark.libreoffice, pytest.mark.whole_run,
              pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None, reason="LibreOffice or poppler missing")]

SMALLEST_PT = 8.0
LONG_NOTE = "已与财政局对接，预算报告已于十一月上报，等待审批；同时联系设计院完成方案初稿，计划明年三月开工，六月完工验收。"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """(workbook, pages, raw page texts) of the sample county, with a long note typed in."""
    tmp = tmp_path_factory.mktemp("paper")
    src, out = tmp / "县表", tmp / "结果"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区.xlsx")
    run([src], out, standard="national-2017", jobs=1, today=dt.date(2026, 11, 1))
    first = next(r[0] for r in openpyxl.load_workbook(out / RESULT)["整改台账"].iter_rows(min_row=2, values_only=True))
    type_cell(out / RESULT, first, "整改进展", LONG_NOTE)
    run([src], out, standard="national-2017", jobs=1, today=dt.date(2026, 11, 2))
    pdf = print_pdf(out / RESULT, tmp / "pdf")
    return out / RESULT, read_pages(pdf), raw_text(pdf)


def test_every_sheet_is_printed_and_no_text_is_under_8_points(printed):
    _, pages, _ = printed
    sheets = by_sheet(pages)
    assert set(SHEET_ORDER) <= set(sheets)
    for sheet, ps in sheets.items():
        sizes = sorted((round(w.size, 2), w.text) for p in ps for w in p.words if w.measurable)
        assert sizes and sizes[0][0] >= SMALLEST_PT, (sheet, sizes[:5])


def test_the_run_report_prints_at_8_points_or_more(printed, tmp_path):
    workbook, _, _ = printed
    pages = read_pages(print_pdf(workbook.parent / "运行报告.xlsx", tmp_path))
    assert {p.sheet for p in pages} == {"运行概况", "错误与警告", "未读取的文件"}
    sizes = sorted(round(w.size, 2) for p in pages for w in p.words if w.measurable)
    assert sizes[0] >= SMALLEST_PT


def test_trend_charts_never_straddle_a_page(printed):
    from equity_xlsx.standards import load_standard

    _, pages, _ = printed
    names = {ind.name for ind in load_standard("national-2017").indicators}
    # The sample is one data year, 2025: every chart's x axis runs 2024–2026 (the tables say 2025).
    counts = [(sum(w.text in names for w in p.words), sum(w.text == "2024" for w in p.words))
              for p in by_sheet(pages)["趋势"]]
    # Every chart's title and its x axis on the same page: seven charts, whole.
    assert all(titles == axes for titles, axes in counts), counts
    assert sum(titles for titles, _ in counts) == 7


def test_wide_sheets_spread_across_pages_with_their_columns_and_headers_repeated(printed):
    _, pages, _ = printed
    sheets = by_sheet(pages)
    for sheet, first_cols, header in (("学校指标", ("学校", "学段"), "判定"), ("整改台账", ("台账编号", "学校"), "需补足"),
                                       ("任务清单", ("一级指标", "二级指标"), "当前状态")):
        ps = sheets[sheet]
        for p in ps:  # every page says which school / line / item its rows are
            words = {w.text for w in p.words}
            assert set(first_cols) <= words, (sheet, p.number)
        assert any(header in p.text for p in ps)
    # The ledger: three pages across (the gap; the measures and who acts; dates and staff's
    # columns), every column header on one of them, not 21 columns shrunk onto one page.
    ledger = sheets["整改台账"]
    across = [p for p in ledger if "整改措施" in p.text or "首次发现" in p.text or "需补足" in p.text]
    assert {"需补足", "整改措施", "首次发现", "整改进展"} <= {w.text for p in across for w in p.words}


def test_wrapped_text_is_never_cut_off(printed):
    workbook, pages, raw = printed
    text_of = {}
    for p, page_text in zip(pages, raw):
        text_of[p.sheet] = text_of.get(p.sheet, "") + squeezed(page_text)
    wb = openpyxl.load_workbook(workbook)
    checked = 0
    for sheet, columns in (("整改台账", ("需补足", "说明", "整改措施", "整改进展")), ("任务清单", ("推进措施", "指标值或评估要点")),
                           ("数据问题", ("说明",))):
        ws = wb[sheet]
        head_row = next(r for r in ws.iter_rows(max_row=6) if any(c.value in columns for c in r))
        cols = [c.column for c in head_row if c.value in columns]
        for row in ws.iter_rows(min_row=head_row[0].row + 1):
            for c in cols:
                value = row[c - 1].value
                if isinstance(value, str) and len(value) > 20:
                    assert squeezed(value) in text_of[sheet], (sheet, row[0].row, value)
                    checked += 1
    assert checked > 50
    assert squeezed(LONG_NOTE) in text_of["整改台账"]
    for name in ("每百名学生拥有体育、艺术（美术、音乐）专任教师数", "资源配置结论（所有学校达标且7项差异系数均不超过限值）"):
        assert squeezed(name) in text_of["概览"]
