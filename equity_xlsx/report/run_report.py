"""运行报告.xlsx: what one run did — each county (or input that failed), every error and warning,
and every file in the input folders that was not read, with the reason.

Every string that came from outside (file and sheet names, messages quoting cell text) is
written as a string (``formats.new_workbook``), never as a formula or link.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..problems import describe_counts
from ..vocabulary import RunReportSheet
from .formats import fit_width, new_workbook, print_setup, wrapped_height

SUMMARY_SHEET, PROBLEM_SHEET, NOT_READ_SHEET = RunReportSheet.SUMMARY, RunReportSheet.PROBLEMS, RunReportSheet.NOT_READ


def _table(sheet, row: int, headers: list[str], rows: list[list], head, cell, status_col: int | None = None,
           ok=None, bad=None, widths: list[float] | None = None) -> None:
    """A header row and data rows with filters, frozen header, fitted widths and row heights."""
    sheet.write_row(row, 0, headers, head)
    for r, values in enumerate(rows, start=row + 1):
        for c, v in enumerate(values):
            fmt = cell
            if c == status_col:
                fmt = ok if v in ("成功", "未变化（跳过）") else bad
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                sheet.write_number(r, c, v, fmt)
            else:
                sheet.write_string(r, c, "" if v is None else str(v), fmt)
    widths = widths or [fit_width([h, *(r[c] for r in rows)], minimum=8, maximum=60) for c, h in enumerate(headers)]
    for c, w in enumerate(widths):
        sheet.set_column(c, c, w)
    for r, values in enumerate(rows, start=row + 1):  # every cell wraps: each row shows all its lines
        sheet.set_row(r, wrapped_height((values[c], widths[c]) for c in range(len(values))))
    sheet.freeze_panes(row + 1, 0)
    if rows:
        sheet.autofilter(row, 0, row + len(rows), len(headers) - 1)
    print_setup(sheet, row, widths=list(widths))


def write_run_report(path: Path, entries: list[dict], standard_title: str, started: datetime,
                     not_read: list[dict] | None = None, notices: list[dict] | None = None) -> None:
    """Write the run report (three sheets) to ``path``; ``entries`` are summary.json's workbooks,
    ``notices`` problems of the run itself (e.g. a damaged ledger database replaced)."""
    book = new_workbook(path)
    base = {"font_name": "等线", "font_size": 10, "valign": "top"}
    head = book.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                            "valign": "vcenter"})
    ok = book.add_format({**base, "font_color": "#006100", "bg_color": "#C6EFCE", "border": 1})
    bad = book.add_format({**base, "font_color": "#9C0006", "bg_color": "#FFC7CE", "border": 1})
    cell = book.add_format({**base, "border": 1, "text_wrap": True})
    note = book.add_format({**base})
    not_read = not_read or []
    notices = notices or []

    sheet = book.add_worksheet(SUMMARY_SHEET)
    failed = sum(1 for e in entries if e["status"] != "ok")
    skipped = sum(1 for e in entries if e.get("skipped"))
    sheet.write_string(0, 0, f"运行时间：{started:%Y-%m-%d %H:%M:%S}　评估标准：{standard_title}", note)
    sheet.write_string(1, 0, f"共 {len(entries)} 项：成功 {len(entries) - failed} 项（其中未变化跳过 {skipped} 项），"
                             f"失败 {failed} 项；未读取的文件 {len(not_read)} 个（见“{NOT_READ_SHEET}”）。", note)
    for i, p in enumerate(notices[:1]):  # the run's own problem, in red above the table
        sheet.write_string(2, 0, f"注意：{p['message']}", bad)
    rows = []
    for e in entries:
        status = "失败" if e["status"] != "ok" else ("未变化（跳过）" if e.get("skipped") else "成功")
        first = e["errors"][0]["message"] if e["errors"] else ""
        rows.append(["、".join(e.get("inputs") or [e["input"]]), e.get("county") or "", status, e.get("output") or "",
                     len(e["errors"]), len(e["warnings"]), describe_counts(e.get("problems", {})), first])
    _table(sheet, 3, ["输入文件", "县（市、区）", "状态", "输出文件", "错误数", "警告数", "问题分类", "首个错误"], rows,
           head, cell, status_col=2, ok=ok, bad=bad, widths=[24, 10, 8, 20, 6, 6, 28, 40])

    errs = book.add_worksheet(PROBLEM_SHEET)
    rows = [["（本次运行）", "警告", "", "", "", p["message"], p.get("code") or ""] for p in notices]
    rows += [[e["input"], "错误" if level == "errors" else "警告", p.get("sheet") or "", p.get("row") or "",
              p.get("column") or "", p["message"], p.get("code") or ""]
             for e in entries for level in ("errors", "warnings") for p in e[level]]
    _table(errs, 0, ["输入文件", "级别", "工作表", "行", "列", "说明", "代码"], rows, head, cell,
           widths=[28, 6, 14, 6, 6, 64, 20])

    skipped_sheet = book.add_worksheet(NOT_READ_SHEET)
    rows = [[n["file"], n["reason"]] for n in not_read]
    _table(skipped_sheet, 0, ["文件", "未读取的原因"], rows, head, cell, widths=[40, 70])
    if not rows:
        skipped_sheet.write_string(1, 0, "输入文件夹中没有未读取的文件。", note)
    book.close()
