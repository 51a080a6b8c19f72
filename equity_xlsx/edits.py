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
from dataclasses import dataclass, field
from typing import Iterable

from .model import LedgerLine, STAFF_LABELS, TYPED_FIELDS
from .problems import Code, Problem
from .readback import EXTRA, WorkbookEdits


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
                if lines_written is not None and value == str(lines_written.get(line_id, {}).get(name, "")).strip():
                    continue
                found.setdefault((line_id, name), []).append((edits.saved_at, edits.file, value))
                if lines_written is not None:
                    bases[(line_id, name, edits.file)] = str(lines_written.get(line_id, {}).get(name, "")).strip()
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
