"""运行报告.xlsx: one row per input workbook with its status, and every error of the run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

from .formats import text_width


def write_run_report(path: Path, entries: list[dict], standard_title: str, started: datetime) -> None:
    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                            "valign": "vcenter"})
    ok = book.add_format({"font_color": "#006100", "bg_color": "#C6EFCE", "border": 1})
    bad = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", "border": 1})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})

    sheet = book.add_worksheet("运行概况")
    sheet.write(0, 0, f"运行时间：{started:%Y-%m-%d %H:%M:%S}　评估标准：{standard_title}")
    failed = sum(1 for e in entries if e["status"] != "ok")
    skipped = sum(1 for e in entries if e.get("skipped"))
    sheet.write(1, 0, f"共 {len(entries)} 个工作簿：成功 {len(entries) - failed} 个（其中未变化跳过 {skipped} 个），失败 {failed} 个。")
    headers = ["输入文件", "县（区）", "状态", "输出文件", "错误数", "警告数", "首个错误"]
    widths = [len(h) * 2 + 2 for h in headers]
    for c, h in enumerate(headers):
        sheet.write(3, c, h, head)
    for r, e in enumerate(entries, start=4):
        status = "失败" if e["status"] != "ok" else ("未变化（跳过）" if e.get("skipped") else "成功")
        first = e["errors"][0]["message"] if e["errors"] else ""
        row = [e["input"], e.get("county") or "", status, e.get("output") or "",
               len(e["errors"]), len(e["warnings"]), first]
        for c, v in enumerate(row):
            sheet.write(r, c, v, (ok if e["status"] == "ok" else bad) if c == 2 else cell)
            widths[c] = max(widths[c], min(60, text_width(str(v))))
    for c, w in enumerate(widths):
        sheet.set_column(c, c, w)
    sheet.freeze_panes(4, 0)
    if entries:
        sheet.autofilter(3, 0, 3 + len(entries), len(headers) - 1)

    errs = book.add_worksheet("错误与警告")
    headers = ["输入文件", "级别", "工作表", "行", "列", "说明", "代码"]
    for c, h in enumerate(headers):
        errs.write(0, c, h, head)
    r = 1
    for e in entries:
        for level, items in (("错误", e["errors"]), ("警告", e["warnings"])):
            for p in items:
                errs.write_row(r, 0, [e["input"], level, p.get("sheet") or "", p.get("row") or "",
                                      p.get("column") or "", p["message"], p.get("code") or ""], cell)
                r += 1
    for c, w in enumerate([28, 6, 14, 6, 6, 80, 20]):
        errs.set_column(c, c, w)
    errs.freeze_panes(1, 0)
    if r > 1:
        errs.autofilter(0, 0, r - 1, len(headers) - 1)
    book.close()
