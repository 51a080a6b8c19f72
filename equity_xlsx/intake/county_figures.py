"""A 县级指标 sheet: label | value rows for county-wide figures (``aliases.county_fields``).

Ratios are stored as fractions: "96%", 96 under a "(%)" label and 0.96 all become 0.96.
"""

from __future__ import annotations

from ..model import Source
from ..standards import Aliases
from .cells import parse_ratio, text_of
from .grid import Grid, col_letter, is_blank
from .header import norm, split_unit
from ..problems import Code, ProblemLog

_MAX_GAP = 3


def county_lookup(aliases: Aliases) -> dict[str, str]:
    """Normalised label/alias -> county field name."""
    out: dict[str, str] = {}
    for name, spec in aliases.county_fields.items():
        for a in (spec.label, *spec.aliases):
            out.setdefault(norm(a), name)
    return out


def _match(text: str, lookup: dict[str, str]) -> tuple[str, bool] | None:
    t = norm(text)
    if t in lookup:
        return lookup[t], False
    label, unit = split_unit(t)
    for cand in (label, label.rstrip(":"), t.rstrip(":")):
        if cand in lookup:
            return lookup[cand], unit in ("%", "％")
    return None


def county_labels(grid: Grid, lookup: dict[str, str]) -> list[tuple[int, int, str, bool]]:
    """(row, label col, field, percent label) for every county label cell on the sheet."""
    out = []
    for i, row in enumerate(grid.rows):
        for j, v in enumerate(row):
            if type(v) is str and v.strip():
                hit = _match(v, lookup)
                if hit:
                    out.append((grid.row0 + i, grid.col0 + j, hit[0], hit[1]))
    return out


_NOTE_HEADERS = ("说明", "备注", "注", "口径", "数据来源")


def _is_note_column(grid: Grid, r: int, c: int) -> bool:
    """True when column c is headed 说明/备注 above row r (the template's notes column):
    a blank value must not be taken from the explanation beside it."""
    for rr in range(r - 1, max(grid.row0, r - 60) - 1, -1):
        above = grid.get(rr, c)
        if type(above) is str and norm(above) in _NOTE_HEADERS:
            return True
    return False


def read_county(grid: Grid, labels: list[tuple[int, int, str, bool]], file: str, problems: ProblemLog,
                figures: dict[str, float], sources: dict[str, Source], aliases: Aliases) -> None:
    """Fill ``figures`` (fractions for ratios) and ``sources`` from the sheet's label/value pairs."""
    sheet = grid.name
    for r, c, fname, percent in labels:
        label = aliases.county_fields[fname].label
        m = grid.cover.get((r, c))
        start = (m.c1 if m is not None and m.c0 == c else c) + 1
        vc = next((cc for cc in range(start, start + _MAX_GAP)
                   if not is_blank(grid.get(r, cc)) and not _is_note_column(grid, r, cc)), None)
        if vc is None:
            problems.add(Code.COUNTY_VALUE_MISSING, sheet, r + 1, col_letter(c), label=label)
            continue
        raw = grid.get(r, vc)
        # A "(%)" column header above the values counts as a percent label too.
        if not percent:
            for rr in range(r - 1, max(grid.row0, r - 60) - 1, -1):
                above = grid.get(rr, vc)
                if type(above) is str and above.strip() and not above.strip().endswith(("%", "％")):
                    percent = "%" in norm(above)
                    break
        value, err = parse_ratio(raw, percent)
        letter = col_letter(vc)
        if err or value is None:
            problems.add(Code.COUNTY_VALUE_INVALID, sheet, r + 1, letter, label=label, reason=err or "为空")
            continue
        if fname in figures:
            prev = sources[fname]
            problems.add(Code.COUNTY_VALUE_DUPLICATE, sheet, r + 1, letter, label=label,
                         first=f"{prev.sheet} {prev.cell}", value=text_of(raw))
            continue
        figures[fname] = value
        sources[fname] = Source(file, sheet, r + 1, letter)
