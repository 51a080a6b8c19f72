"""整改台账 and 已销号: one line per gap, with the columns staff fill in by hand.

The columns are ``model.LEDGER_COLUMNS`` — the same table the read-back uses to find what
staff typed by header name (row 1, data from row 2). Keep the header texts stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..display import gap_above_zero_decimals, gap_decimals
from ..model import LEDGER_COLUMNS, STAGE_LABEL, LedgerColumn, LedgerLine
from ..vocabulary import CountySheet, LedgerStatus
from .context import ReportContext, Sheet
from .formats import Formats, fit_width, print_setup, wrapped_height

SHEET = CountySheet.LEDGER
CLOSED_SHEET = CountySheet.ARCHIVE
HEADER_ROW = 0  # Excel row 1; lines from Excel row 2

FIELDS = tuple(c.field for c in LEDGER_COLUMNS)
COLUMN = {f: i for i, f in enumerate(FIELDS)}
WRAPPED = tuple(c.field for c in LEDGER_COLUMNS if c.kind == "wrap")
# Widest a fitted column grows (characters): the sheet prints three A4 pages wide at 85 % —
# the gap (台账编号 … 需补足), the measures and who acts, then dates, status and what staff type.
MAX_WIDTH = {"school": 20, "indicator": 24, "need_text": 24, "detail": 30, "measure": 36, "department": 18,
             "office": 14}


@dataclass(frozen=True)
class LedgerLayout:
    """Where the 整改台账 columns are, for 任务清单 and 概览 formulas."""

    sheet: str
    n_lines: int

    def column(self, field: str) -> str:
        c = xl_col_to_name(COLUMN[field])
        last = max(self.n_lines, 1) + 1
        return f"'{self.sheet}'!${c}$2:${c}${last}"


def item_value(item: str) -> int | str:
    """指标编号 as written: a number for the task-list items, so COUNTIF matches it."""
    return int(item) if item.isdigit() else item


def _iso_date(text: str) -> dt.datetime | None:
    """``2024-06-30`` -> a datetime for a date cell; None for any other text ("6月底")."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    except (TypeError, ValueError):
        return None


AMOUNT_DECIMALS = 3  # fm.amount: up to 3 decimals


def number_format(fm: Formats, line: LedgerLine, field: str):  # noqa: ANN201
    """现值 / 差距 shown so that a gap never reads as closed: a 现值 short of its 标准值 keeps
    the decimals that tell them apart (5.7993 beside 5.8), a 差距 above 0 never shows as 0."""
    if field == "current":
        decimals = gap_decimals(line.current, line.standard, AMOUNT_DECIMALS)
    elif field == "shortfall":
        decimals = gap_above_zero_decimals(line.shortfall, AMOUNT_DECIMALS)
    else:
        decimals = AMOUNT_DECIMALS
    return fm.amount if decimals == AMOUNT_DECIMALS else fm.number(decimals)


def _write_cell(ws: Worksheet, row: int, col: int, column: LedgerColumn, value, fm: Formats,  # noqa: ANN001
                edited: bool = False, number_fmt=None) -> None:  # noqa: ANN001
    """One ledger cell by its column kind; typed columns are cream and unlocked, a default staff
    replaced is shown in blue."""
    if column.kind == "number":
        if value is None:
            ws.write_blank(row, col, None, fm.text)
        else:
            ws.write_number(row, col, value, number_fmt or fm.amount)
        return
    if column.kind == "stage":
        value = STAGE_LABEL.get(value, value)
    if column.kind == "item":
        value = item_value(value)
        if isinstance(value, int):
            ws.write_number(row, col, value, fm.integer)
            return
    text_fmt = fm.edited if edited else (fm.staff if column.typed else (fm.wrap if column.kind == "wrap" else fm.text))
    if column.kind == "date" and value and (when := _iso_date(value)) is not None:
        ws.write_datetime(row, col, when, fm.staff_date if column.staff else fm.date)
    elif value:
        ws.write_string(row, col, str(value), text_fmt)
    else:
        ws.write_blank(row, col, None, text_fmt)


def closed_detail(line: LedgerLine) -> str:
    """说明 of a line: for a 已销号 line, first which day its 现值 / 差距 / 需补足 are from."""
    if line.status != LedgerStatus.CLOSED:
        return line.detail
    when = f"已于 {line.closed_on} 销号；" if line.closed_on else f"{LedgerStatus.CLOSED}；"
    seen = f"现值、差距、需补足为销号前最后一次（{line.last_seen}）的数据" if line.last_seen else "现值、差距、需补足为销号前的数据"
    return "；".join(x for x in (when + seen, line.detail) if x)


def _header_notes(ws: Worksheet) -> None:
    for c, column in enumerate(LEDGER_COLUMNS):
        if column.staff:
            ws.write_comment(HEADER_ROW, c, "由工作人员填写；每晚运行都会保留（空白不会清除已填内容，要清除请填“无”）。",
                             {"x_scale": 2})
        elif column.editable and column.field != "status":
            ws.write_comment(HEADER_ROW, c, "默认取自任务清单，可直接修改：改过的内容会保留（蓝色字），不再随任务清单更新；"
                                            "改回任务清单原文即恢复跟随。", {"x_scale": 2.4, "y_scale": 1.3})


def write_lines(ws: Worksheet, lines: list[LedgerLine], fm: Formats, *, archive: bool = False,
                status_choices: tuple[str, ...] = ()) -> LedgerLayout:
    """Write ``lines`` as given (already sorted); 已销号 lines are greyed by a conditional format."""
    sheet = CLOSED_SHEET if archive else SHEET
    before_closing = {"current", "shortfall", "need_text"} if archive else set()
    ws.write_row(HEADER_ROW, 0, [c.header + ("（销号前）" if c.field in before_closing else "")
                                 for c in LEDGER_COLUMNS], fm.header)
    ws.set_row(HEADER_ROW, 30)
    _header_notes(ws)
    # Columns staff inserted, carried from last night by their header, after ours.
    extras = list(dict.fromkeys(h for line in lines for h in line.extras))
    for k, header in enumerate(extras):
        ws.write_string(HEADER_ROW, len(LEDGER_COLUMNS) + k, header, fm.header)
    for i, line in enumerate(lines, start=1):
        edited = line.edited
        for c, column in enumerate(LEDGER_COLUMNS):
            value = closed_detail(line) if column.field == "detail" else getattr(line, column.field)
            _write_cell(ws, i, c, column, value, fm, column.field in edited,
                        number_format(fm, line, column.field) if column.kind == "number" else None)
        values = line.extras
        for k, header in enumerate(extras):
            ws.write_string(i, len(LEDGER_COLUMNS) + k, values.get(header, ""), fm.staff)
    n = len(lines)
    last_row = max(n, 1)
    last_col = len(FIELDS) - 1
    if not lines:
        ws.write_string(1, 0, "已销号条目为空。" if archive else "没有需要整改的条目。", fm.note)
    else:
        status = xl_col_to_name(COLUMN["status"])
        ws.conditional_format(1, 0, n, last_col, {"type": "formula", "criteria": f'=${status}2="{LedgerStatus.CLOSED}"',
                                                  "format": fm.cf_grey})
        if not archive and status_choices:
            ws.data_validation(1, COLUMN["status"], n, COLUMN["status"], {
                "validate": "list", "source": list(status_choices), "error_type": "warning",
                "input_title": "状态", "input_message": f"{' / '.join(status_choices)}；手工填写的状态会保留。",
                "error_title": "状态", "error_message": "建议从下拉列表中选择状态。"})
    extra_widths = {h: fit_width([h], minimum=12, maximum=30) for h in extras}
    for k, header in enumerate(extras):
        ws.set_column(len(LEDGER_COLUMNS) + k, len(LEDGER_COLUMNS) + k, extra_widths[header])
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, last_row, last_col + len(extras))
    widths = {}
    for c, column in enumerate(LEDGER_COLUMNS):
        if column.width is not None:
            w = column.width
        else:
            values = [getattr(line, column.field) for line in lines]
            w = fit_width(values, minimum=10, maximum=MAX_WIDTH.get(column.field, 30))
        widths[column.field] = w
        ws.set_column(c, c, w)
    # Every wrapping cell shows all its lines: the long texts and what staff typed.
    tall = (*WRAPPED, *(c.field for c in LEDGER_COLUMNS if c.staff))
    for i, line in enumerate(lines, start=1):
        ws.set_row(i, wrapped_height([(closed_detail(line) if f == "detail" else getattr(line, f), widths[f])
                                      for f in tall] + [(line.extras.get(h, ""), extra_widths[h]) for h in extras]))
    # Printed three pages wide at the most (the gap; the measures and who acts; dates, status
    # and what staff typed), 台账编号 and 学校 repeated on each.
    print_setup(ws, HEADER_ROW, widths=[widths[f] for f in FIELDS] + [extra_widths[h] for h in extras],
                repeat_cols=COLUMN["school"] + 1,
                blocks=(COLUMN["detail"], COLUMN["first_seen"], len(FIELDS)))
    return LedgerLayout(sheet, n)


def write(ws: Worksheet, ctx: ReportContext) -> None:
    """整改台账: open lines, then lines closed within the grey period."""
    ctx.ledger_layout = write_lines(ws, ctx.ledger, ctx.fm, status_choices=ctx.std.ledger.status_choices)


def write_archive(ws: Worksheet, ctx: ReportContext) -> None:
    """已销号: lines closed longer ago than the grey period."""
    write_lines(ws, ctx.archived, ctx.fm, archive=True)


SHEET_UNIT = Sheet(SHEET, write, order=2)
ARCHIVE_UNIT = Sheet(CLOSED_SHEET, write_archive, order=2, wanted=lambda ctx: bool(ctx.archived))
