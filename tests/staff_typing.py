"""Typing into a result workbook as staff do, with openpyxl, and the nights that read it back.

Shared by the tests of staff edits (a helper module, not a test module).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl

from equity_xlsx.batch import run

SAMPLE = Path(__file__).resolve().parents[1] / "sample_inputs" / "大祥区义务教育学校办学条件统计表.xlsx"
RESULT, BUSY = "大祥区_评估结果.xlsx", "大祥区_评估结果(新).xlsx"


def rows(path: Path) -> dict[str, dict]:
    """整改台账 and 已销号 by 台账编号, header -> cell (openpyxl cells, to check types).

    Read-only mode parses just these two sheets (a fourth of the time of the whole workbook);
    each row is padded to the sheet's width, as a full load gives it.
    """
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        out = {}
        for name in ("整改台账", "已销号"):
            if name not in wb.sheetnames:
                continue
            ws = wb[name]
            width = ws.max_column
            head = [c.value for c in next(ws.iter_rows(max_row=1, max_col=width))]
            for r in ws.iter_rows(min_row=2, max_col=width):
                if r[0].value:
                    out[r[0].value] = {h: c for h, c in zip(head, r)}
        return out
    finally:
        wb.close()


def _score_columns(ws) -> tuple[int, int, int]:  # noqa: ANN001
    """(header row, 二级指标 column, 得分 column) of 任务清单, found by header text (1-based)."""
    head = next(r for r in ws.iter_rows(min_row=1, max_row=8) if any(str(c.value).startswith("得分") for c in r))
    item_col = next(c.column for c in head if c.value == "二级指标")
    score_col = next(c.column for c in head if str(c.value).startswith("得分"))
    return head[0].row, item_col, score_col


def type_cells(path: Path, cells: dict[tuple[str, str], object] | None = None,
               scores: dict[str, float] | None = None) -> None:
    """Staff type into 整改台账 ({(台账编号, header): value}) and B类 得分 on 任务清单
    ({item: score}), in that order, and save the workbook once, as one sitting in Excel does."""
    wb = openpyxl.load_workbook(path)
    if cells:
        ws = wb["整改台账"]
        heads = [c.value for c in ws[1]]
        for (line_id, header), value in cells.items():
            row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == line_id)
            ws.cell(row, heads.index(header) + 1, value)
    if scores:
        ws = wb["任务清单"]
        head_row, item_col, score_col = _score_columns(ws)
        for item, score in scores.items():
            row = next(r[0].row for r in ws.iter_rows(min_row=head_row + 1)
                       if str(r[item_col - 1].value or "").startswith(f"{item}."))
            ws.cell(row, score_col, score)
    wb.save(path)


def type_cell(path: Path, line_id: str, header: str, value: object) -> None:
    type_cells(path, {(line_id, header): value})


def type_score(path: Path, item: str, score: float) -> None:
    type_cells(path, scores={item: score})


def scores(path: Path) -> dict[str, float]:
    ws = openpyxl.load_workbook(path)["任务清单"]
    head_row, item_col, score_col = _score_columns(ws)
    return {str(r[item_col - 1].value).split(".")[0]: r[score_col - 1].value
            for r in ws.iter_rows(min_row=head_row + 1) if r[score_col - 1].value is not None}


def set_county_figure(path: Path, label: str, value: float) -> None:
    """Staff correct one figure on the input's 县级指标 sheet (the value right of ``label``)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["县级指标"]
    cell = next(c for r in ws.iter_rows() for c in r if c.value == label)
    ws.cell(row=cell.row, column=cell.column + 1, value=value)
    wb.save(path)


def saved_at(path: Path, when: dt.datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def night(src: Path, out: Path, day: int, *, lock: bool = False):
    lock_file = out / f"~${RESULT}"
    if lock:
        lock_file.write_bytes(b"")
    elif lock_file.exists():
        lock_file.unlink()
    # force: tonight's inputs count as changed, so the workbook is really rewritten.
    return run([src], out, standard="national-2017", jobs=1, force=True, today=dt.date(2026, 11, day))


def stored(out: Path) -> dict:
    """The ledger store's lines of 大祥区 by id (what survives the workbook)."""
    from equity_xlsx.store import LedgerStore

    with LedgerStore(out) as store:
        (key,) = store.counties()
        return store.load(key)
