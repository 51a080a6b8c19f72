"""数据问题: every error and warning found while reading, with where it was found."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ..problems import LEVEL_LABEL, Level
from ..vocabulary import CountySheet
from .context import ReportContext, Sheet
from .formats import fit_width, print_setup, wrapped_height

SHEET = CountySheet.PROBLEMS
HEADERS = ["级别", "文件", "工作表", "行", "列", "说明", "代码"]


def write(ws: Worksheet, ctx: ReportContext) -> None:
    problems, fm = ctx.problems, ctx.fm
    ws.write_row(0, 0, HEADERS, fm.header)
    ordered = sorted(problems, key=lambda p: p.level != Level.ERROR)  # errors first, stable otherwise
    for i, p in enumerate(ordered, start=1):
        ws.write_string(i, 0, LEVEL_LABEL[p.level], fm.bad if p.level == Level.ERROR else fm.amber)
        ws.write_string(i, 1, p.file or "", fm.wrap)
        ws.write_string(i, 2, p.sheet or "", fm.wrap)
        if p.row is None:
            ws.write_blank(i, 3, None, fm.text)
        else:
            ws.write_number(i, 3, p.row, fm.integer)
        ws.write_string(i, 4, p.column or "", fm.text)
        ws.write_string(i, 5, p.message, fm.wrap)
        ws.write_string(i, 6, str(p.code), fm.text)
    if not problems:
        ws.write_string(1, 0, "未发现数据问题。", fm.note)
    last = max(len(ordered), 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(HEADERS) - 1)
    # One A4 landscape page wide at 85 % or more: file, sheet and message wrap.
    widths = [6, fit_width((p.file for p in problems), minimum=10, maximum=28),
              fit_width((p.sheet for p in problems), minimum=8, maximum=16), 6, 6,
              fit_width((p.message for p in problems), minimum=30, maximum=64),
              fit_width((str(p.code) for p in problems), minimum=8, maximum=24)]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    for i, p in enumerate(ordered, start=1):  # LibreOffice and WPS keep the default height otherwise
        ws.set_row(i, wrapped_height([(p.message, widths[5]), (p.file, widths[1]), (p.sheet or "", widths[2])]))
    print_setup(ws, 0, widths=widths)


SHEET_UNIT = Sheet(SHEET, write, order=4)
