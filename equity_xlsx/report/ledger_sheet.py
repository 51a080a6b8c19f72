"""整改台账 and 已销号: one line per gap, with the columns staff fill in by hand.

The header texts are a contract: the ledger store reads last night's 整改台账 back by
header name (row 1, data from row 2) to keep what staff typed. ``LEDGER_HEADERS`` lists
(LedgerLine attribute, header) in sheet order; keep the texts stable.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..model import CLOSED, IN_PROGRESS, OPEN, STAFF_COLUMNS, STAFF_LABELS, STAGE_LABEL, LedgerLine
from .formats import Formats, fit_width, print_setup, wrapped_height

SHEET = "整改台账"
CLOSED_SHEET = "已销号"
HEADER_ROW = 0  # Excel row 1; lines from Excel row 2

LEDGER_HEADERS: tuple[tuple[str, str], ...] = (
    ("id", "台账编号"),
    ("school", "学校"),
    ("stage", "学段"),
    ("item", "指标编号"),
    ("indicator", "指标"),
    ("current", "现值"),
    ("standard", "标准值"),
    ("shortfall", "差距"),
    ("unit", "单位"),
    ("need_text", "需补足"),
    ("detail", "说明"),
    ("measure", "整改措施"),
    ("department", "责任部门"),
    ("office", "责任股室"),
    ("first_seen", "首次发现"),
    ("status", "状态"),
    ("closed_on", "销号日期"),
) + tuple((f, STAFF_LABELS[f]) for f in STAFF_COLUMNS)  # 责任人, 计划完成时间, 整改进展, 备注

FIELDS = tuple(f for f, _ in LEDGER_HEADERS)
COLUMN = {f: i for i, f in enumerate(FIELDS)}
NUMBER_FIELDS = ("current", "standard", "shortfall")
WIDTHS = {"id": 14, "stage": 6, "item": 6, "current": 10, "standard": 10, "shortfall": 10, "unit": 8,
          "first_seen": 11, "status": 8, "closed_on": 11, "owner": 10, "due": 12, "progress": 30,
          "remark": 20}
WRAPPED = ("indicator", "need_text", "detail", "measure", "department", "office")


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


def write(ws: Worksheet, lines: list[LedgerLine], fm: Formats, *, archive: bool = False,
          status_choices: tuple[str, ...] = ()) -> LedgerLayout:
    """Write ``lines`` as given (already sorted); 已销号 lines are greyed by a conditional format."""
    sheet = CLOSED_SHEET if archive else SHEET
    ws.write_row(HEADER_ROW, 0, [h for _, h in LEDGER_HEADERS], fm.header)
    ws.set_row(HEADER_ROW, 30)
    number_fmt = fm.amount
    staff = set(STAFF_COLUMNS)
    texts: dict[str, list[str]] = {f: [] for f in ("school", "indicator", "need_text", "detail", "measure",
                                                   "department", "office")}
    for i, line in enumerate(lines, start=1):
        for c, f in enumerate(FIELDS):
            v = getattr(line, f)
            if f == "stage":
                v = STAGE_LABEL.get(v, v)
            if f == "item":
                v = item_value(v)
            if f in texts:
                texts[f].append(v)
            cell_fmt = fm.staff if f in staff else (fm.wrap if f in WRAPPED else fm.text)
            if f in NUMBER_FIELDS:
                if v is None:
                    ws.write_blank(i, c, None, fm.text)
                else:
                    ws.write_number(i, c, v, number_fmt)
            elif isinstance(v, int):
                ws.write_number(i, c, v, fm.integer)
            elif v:
                ws.write_string(i, c, str(v), cell_fmt)
            else:
                ws.write_blank(i, c, None, cell_fmt)
    n = len(lines)
    last_row = max(n, 1)
    last_col = len(FIELDS) - 1
    if not lines:
        ws.write_string(1, 0, "已销号条目为空。" if archive else "没有需要整改的条目。", fm.note)
    else:
        status = xl_col_to_name(COLUMN["status"])
        ws.conditional_format(1, 0, n, last_col, {"type": "formula", "criteria": f'=${status}2="{CLOSED}"',
                                                  "format": fm.cf_grey})
        if not archive and status_choices:
            ws.data_validation(1, COLUMN["status"], n, COLUMN["status"], {
                "validate": "list", "source": list(status_choices), "error_type": "warning",
                "input_title": "状态", "input_message": f"{' / '.join(status_choices)}；手工填写的状态会保留。",
                "error_title": "状态", "error_message": "建议从下拉列表中选择状态。"})
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, last_row, last_col)
    widths = {}
    for f, c in COLUMN.items():
        if f in WIDTHS:
            w = WIDTHS[f]
        elif f in texts:
            w = fit_width(texts[f], minimum=10, maximum=36 if f in WRAPPED else 30)
        else:
            w = 12
        widths[f] = w
        ws.set_column(c, c, w)
    for i, line in enumerate(lines, start=1):
        ws.set_row(i, wrapped_height((getattr(line, f), widths[f]) for f in WRAPPED if f in widths))
    print_setup(ws, HEADER_ROW)
    return LedgerLayout(sheet, n)
