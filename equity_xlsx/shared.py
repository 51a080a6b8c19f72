"""Two output folders sharing one ledger for the same county.

A city may point every county's run at one PostgreSQL ledger (or two folders at one --state
file); then one county can have a result workbook in each folder, and staff may type into
both. Without care each folder's run would take its own cell as the edit, night after night,
and the two would silently disagree. Here the later edit wins, and both folders say so on
数据问题: the folder that finds the conflict at once, the other on its next run.

An edit is a conflict only when its folder had not seen the other folder's edit, i.e. the
value the tool last wrote into that cell there is not the other folder's value (otherwise
staff saw it and changed it on purpose, which is an ordinary edit).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .staff_edits import Typed, describe_cell, stamp
from .problems import Code, Problem
from .store import EditRecord, folder_key


@dataclass
class Settled:
    """This folder's edits weighed against the other folders': the edits to remember as the
    last of their cells (``kept``), the conflicts found tonight (item, field, the edit kept,
    the other), the earlier conflicts this folder reports now (``told``), and the problems to
    report, in order (earlier ones first)."""

    kept: dict[tuple[str, str], EditRecord] = field(default_factory=dict)
    conflicts: list[tuple[str, str, EditRecord, EditRecord]] = field(default_factory=list)
    told: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def weigh(known: dict[tuple[str, str], EditRecord], untold: list[dict], folder: str | os.PathLike[str],
          typed: Typed) -> Settled:
    """Weigh this folder's ``typed`` edits against those other folders made to the same cells
    (pure; the county's run reads and writes the store, pipeline.py): ``known`` are the last
    edits of every folder, ``untold`` the conflicts this folder has not reported. A concurrent
    edit saved earlier than the other folder's is dropped from ``typed`` (the ledger keeps the
    later one); every edit kept is in ``kept``, with its folder. ``problems``: the conflicts
    this folder has not reported yet, its own and those other folders found."""
    here = folder_key(folder)
    out = Settled(told=list(untold))
    for (item, field_), (_, saved_at, base) in typed.origin.items():
        value = _value(typed, item, field_)
        if value is None:
            continue
        mine, theirs = EditRecord(value, here, saved_at), known.get((item, field_))
        concurrent = (theirs is not None and theirs.folder != here and theirs.value != value
                      and base != theirs.value)
        if concurrent and saved_at < theirs.saved_at:
            _drop(typed, item, field_)
            out.conflicts.append((item, field_, theirs, mine))
            continue
        if concurrent:
            out.conflicts.append((item, field_, mine, theirs))
        out.kept[(item, field_)] = mine
    rows = [*untold, *({"item": item, "field": field_, "kept": k.value, "kept_folder": k.folder,
                        "kept_at": k.saved_at, "other": o.value, "other_folder": o.folder, "other_at": o.saved_at}
                       for item, field_, k, o in out.conflicts)]
    out.problems = [_problem(row, here) for row in rows]
    return out


def _value(typed: Typed, item: str, field: str) -> str | None:
    if item.startswith("score:"):
        score = typed.scores.get(item.removeprefix("score:"))
        return None if score is None else f"{score:g}"
    return typed.lines.get(item, {}).get(field)


def _drop(typed: Typed, item: str, field: str) -> None:
    if item.startswith("score:"):
        typed.scores.pop(item.removeprefix("score:"), None)
    else:
        typed.lines.get(item, {}).pop(field, None)


def _problem(row: dict, here: str) -> Problem:
    where, label = describe_cell(row["item"], row["field"])

    def name(folder: str) -> str:
        return f"本输出文件夹（{folder}）" if folder == here else f"另一个输出文件夹（{folder}）"

    return Problem(Code.SHARED_EDIT_CONFLICT, params={
        "where": where, "field": label, "kept": row["kept"], "kept_folder": name(row["kept_folder"]),
        "kept_at": stamp(row["kept_at"]), "other": row["other"], "other_folder": name(row["other_folder"]),
        "other_at": stamp(row["other_at"])})
