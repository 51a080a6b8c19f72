"""What staff typed since the last run, decided cell by cell across the result workbooks.

Staff type into last night's result, or into the ``(新)`` copy written while it was open in
Excel/WPS — sometimes into both. A cell is a staff edit when it differs from what the tool
itself wrote into that file (the store keeps a snapshot per file). When two files edited the
same cell differently, the file saved later wins and the conflict, with both values, is
listed on 数据问题. Without a snapshot (the first run of this version, a lost database), a
non-empty cell counts, as before. A blank cell never erases anything (to clear a value, type
无): a deleted column or a paste gone wrong must not wipe what someone typed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Iterable

from .model import LedgerLine, STAFF_LABELS, TYPED_FIELDS
from .problems import Code, Problem
from .readback import EXTRA, WorkbookEdits
from .vocabulary import CountySheet


@dataclass
class Typed:
    """The edits to keep: ``lines`` {line id: {field: value}} (plus 首次发现 hints for a lost
    ledger), ``scores`` {item id: points}, and the ``conflicts`` found."""

    lines: dict[str, dict[str, str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    conflicts: list[Problem] = field(default_factory=list)
    # Where each kept edit came from: (line id or "score:item", field) -> (file, saved at, what
    # the tool had written in that cell, None when unknown). Used by shared.py.
    origin: dict[tuple[str, str], tuple[str, float, str | None]] = field(default_factory=dict)


def snapshot(lines: Iterable[LedgerLine], scores: dict[str, float]) -> dict:
    """What the tool writes into the cells staff may type into, as the read-back will see it."""
    return {"lines": {ln.id: {**{f: str(getattr(ln, f) or "") for f in TYPED_FIELDS},
                              **{EXTRA + h: v for h, v in ln.extras.items()}} for ln in lines},
            "scores": {str(k): float(v) for k, v in scores.items()}}


def _as_written(lines_written: dict, line_id: str, name: str) -> str:
    """What the tool wrote into line ``line_id``'s ``name`` cell, as the read-back compares it."""
    return str(lines_written.get(line_id, {}).get(name, "")).strip()


def stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M") if seconds else "时间不明"


def decide(files: list[tuple[WorkbookEdits, dict | None]]) -> Typed:
    """Merge the edits of ``files`` (each with the snapshot of what the tool wrote into it)."""
    found: dict[tuple[str, str], list[tuple[float, str, object]]] = {}
    bases: dict[tuple[str, str, str], str | None] = {}
    out = Typed()
    for edits, written in sorted(files, key=lambda f: f[0].saved_at):
        lines_written = written["lines"] if written else None
        for line_id, entry in edits.lines.items():
            for name, value in entry.items():
                value = (value or "").strip()
                if name == "first_seen":
                    if value:
                        out.lines.setdefault(line_id, {}).setdefault(name, value)
                    continue
                if not value:
                    continue
                base = None if lines_written is None else _as_written(lines_written, line_id, name)
                if value == base:
                    continue
                found.setdefault((line_id, name), []).append((edits.saved_at, edits.file, value))
                if base is not None:
                    bases[(line_id, name, edits.file)] = base
        scores_written = written["scores"] if written else None
        for item, value in edits.scores.items():
            if scores_written is not None and scores_written.get(item) == value:
                continue
            found.setdefault((f"score:{item}", "score"), []).append((edits.saved_at, edits.file, value))
            if scores_written is not None:
                base = scores_written.get(item)
                bases[(f"score:{item}", "score", edits.file)] = f"{base:g}" if base is not None else ""
    for (key, name), seen in found.items():
        saved_at, kept_file, kept = seen[-1]  # the file saved last
        out.origin[(key, name)] = (kept_file, saved_at, bases.get((key, name, kept_file)))
        for when, file, value in seen[:-1]:
            if value != kept and file != kept_file:
                out.conflicts.append(_conflict(key, name, (kept_file, saved_at, kept), (file, when, value)))
        if key.startswith("score:"):
            out.scores[key[len("score:"):]] = float(kept)
        else:
            out.lines.setdefault(key, {})[name] = str(kept)
    return out


def describe_cell(key: str, name: str) -> tuple[str, str]:
    """(where, column) of an edited cell, in Chinese: ("台账 TZ-01-…", "责任人")."""
    where = f"任务清单第 {key[len('score:'):]} 项" if key.startswith("score:") else f"台账 {key}"
    return where, "得分" if name == "score" else STAFF_LABELS.get(name, name.removeprefix(EXTRA))


def _conflict(key: str, name: str, kept: tuple[str, float, object], other: tuple[str, float, object]) -> Problem:
    where, label = describe_cell(key, name)
    return Problem(Code.EDIT_CONFLICT, kept[0], params={
        "where": where, "field": label, "kept": f"{kept[2]:g}" if isinstance(kept[2], float) else kept[2],
        "kept_file": kept[0], "kept_at": stamp(kept[1]),
        "other": f"{other[2]:g}" if isinstance(other[2], float) else other[2], "other_file": other[0],
        "other_at": stamp(other[1])})


# -- what cannot be used, said out loud ------------------------------------------------------

WHY_UNMATCHED = {"no_id": "没有台账编号", "no_id_column": "所在的表没有“台账编号”列"}


def _values_text(values: Iterable[tuple[str, str]]) -> str:
    return "、".join(f"{STAFF_LABELS.get(k, k.removeprefix(EXTRA))}“{v}”" for k, v in values) or "（无）"


def screen(edits: WorkbookEdits, *, written: dict | None, known_ids: set[str], points: dict[str, float],
           status_choices: tuple[str, ...], backup: str) -> list[Problem]:
    """Take out of ``edits`` what cannot be used, and say so, each at its row.

    * a damaged 整改台账 (deleted, renamed, its 台账编号 column gone): one problem naming what
      could not be read back and where the old file went (``backup``);
    * rows whose typed cells cannot be placed: no 台账编号, an id no line has (mistyped), an id
      repeated with different values; rows that merely repeat an id are merged, with a warning;
    * a 状态 that is none of ``status_choices`` (the line keeps its status);
    * a B类 得分 that is not a number, or outside 0 … the item's ``points`` (1e308 included),
      or typed on an item that has no points (the stored score stays).

    ``written``: the store's snapshot of what the tool wrote into this file (None when unknown);
    ``known_ids``: every line the county has (store and tonight). Returns the problems.
    """
    out: list[Problem] = []
    name = edits.file
    lines_written = (written or {}).get("lines") or {}

    def problem(code: Code, sheet: str | None = None, row: int | None = None, column: str | None = None,
                **params) -> None:
        out.append(Problem(code, name, sheet, row, column, {"file_name": name, "backup": backup, **params}))

    if edits.ledger_sheet is None:
        problem(Code.LEDGER_SHEET_MISSING, lines=len(lines_written) or len(known_ids))
    elif edits.ledger_sheet != CountySheet.LEDGER:
        problem(Code.LEDGER_SHEET_RENAMED, sheet=edits.ledger_sheet)
    # A row without an id is news only where it holds something the tool did not write there.
    wrote = {}
    for entry in lines_written.values():
        for k, v in entry.items():
            if v:
                wrote.setdefault(k, set()).add(str(v).strip())
    lost = [u for u in edits.unmatched if u.reason != "duplicate"]
    lost = [replace(u, values=tuple((k, v) for k, v in u.values if v not in wrote.get(k, ()))) for u in lost]
    lost = [u for u in lost if u.values]
    if not edits.id_column:
        problem(Code.LEDGER_ID_COLUMN_MISSING, sheet=edits.ledger_sheet, rows=sum(1 for u in lost
                                                                                   if u.sheet == edits.ledger_sheet))
    for u in lost:
        problem(Code.LEDGER_EDIT_UNMATCHED, u.sheet, u.row, why=WHY_UNMATCHED[u.reason], values=_values_text(u.values))
    for u in (u for u in edits.unmatched if u.reason == "duplicate"):
        if u.values:
            problem(Code.LEDGER_EDIT_UNMATCHED, u.sheet, u.row, why=f"的台账编号 {u.line_id} 与第 {u.first_row} 行重复且填写不同",
                    values=_values_text(u.values))
        else:
            problem(Code.LEDGER_DUPLICATE_ROW, u.sheet, u.row, line_id=u.line_id, first_row=u.first_row)
    for line_id in [i for i in edits.lines if i not in known_ids]:
        entry = edits.lines.pop(line_id)
        sheet, row = edits.where.get(line_id, (edits.ledger_sheet, None))
        typed = [(k, v) for k, v in entry.items() if v and (k in STAFF_LABELS or k.startswith(EXTRA))
                 and v != _as_written(lines_written, line_id, k)]
        if typed:
            problem(Code.LEDGER_EDIT_UNMATCHED, sheet, row, why=f"的台账编号“{line_id}”不是本县的台账条目（可能输错了）",
                    values=_values_text(typed))
    for line_id, entry in edits.lines.items():
        status = (entry.get("status") or "").strip()
        if status and status not in status_choices:
            sheet, row = edits.where.get(line_id, (edits.ledger_sheet, None))
            entry["status"] = ""  # a blank keeps what the line had
            problem(Code.LEDGER_STATUS_UNKNOWN, sheet, row, line_id=line_id, status=status,
                    choices="、".join(status_choices))
    scores_written = (written or {}).get("scores") or {}
    for item, cell in edits.score_cells.items():
        most = points.get(item)
        value = cell.value
        if value is not None and most is not None and math.isfinite(value) and 0 <= value <= most:
            continue
        if value is not None and scores_written.get(item) == value:
            continue  # what the tool wrote there itself
        edits.scores.pop(item, None)
        if most is None:
            reason = "填在了不计分的指标上"
        elif value is None:
            reason = "不是数字"
        else:
            reason = f"超出 0–{most:g} 分"
        kept = f"（保留原得分 {scores_written[item]:g}）" if item in scores_written else ""
        problem(Code.SCORE_INVALID, cell.sheet, cell.row, cell.column, item=item, value=cell.text, reason=reason,
                kept=kept)
    return out
