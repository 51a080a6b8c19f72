"""A statistics form on a sheet: its header paths, its labelled rows, and the cell where a
row label meets a column path (domain.md §7).

Both shapes of the 教育事业统计 read through this module. A per-school form::

    (row 1: A B C … column letters; column A: row numbers)
    学校（机构）基本情况                    ← title
    教基3112                    计量单位：人  ← form code
    项目 | 编号 | 在校学生数          …       ← two or three merged header rows
         |      | 合计 | 其中：女
    甲   | 乙   | 1    | 2                    ← index row
    总计 | 01   | 1452 | 688                  ← labelled rows

and a county-wide export (the header starts at the row naming 学校标识码; one school per row).

Texts are compared after ``clean``: spaces and line breaks out, full-width punctuation
half-width, a leading 其中： or # dropped, and a trailing unit in brackets taken off (and
kept: a header's unit wins over the rules file's). A rule's column path matches a column
whose path ends with it, so ``["在校学生数", "合计"]`` finds 在校学生数 › 合计 whatever
group stands above it this year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .grid import Grid, is_blank
from .header import norm

# Units a form writes in brackets after a header ("运动场地面积（平方米）"); any other bracket
# is part of the name ("体育（与健康）", "县级及以上骨干教师（小学）").
UNITS = {"人": "人", "人次": "人次", "个": "个", "间": "间", "台": "台", "册": "册", "平方米": "平方米",
         "㎡": "平方米", "m2": "平方米", "m²": "平方米", "万元": "万元", "元": "元", "千元": "千元",
         "GB": "GB", "Mbps": "Mbps"}
_LEAD = re.compile(r"^(?:其中[:：]?|#|＃|\*)+")
_TAIL_UNIT = re.compile(r"^(.+?)\(([^()]+)\)$")
_INDEX = set("甲乙丙丁戊己庚辛")
SEP = "›"  # between the levels of a header path, as shown to users


def clean(text: Any) -> tuple[str, str | None]:
    """A header or row label as compared, and the unit it names (or None)."""
    t = norm(text)
    t = _LEAD.sub("", t)
    m = _TAIL_UNIT.match(t)
    if m and m.group(2) in UNITS:
        return m.group(1), UNITS[m.group(2)]
    return t, None


def cleaned(text: Any) -> str:
    return clean(text)[0]


def _show(text: Any) -> str:
    """A header text as shown in messages: one line, no padding."""
    return re.sub(r"\s+", "", str(text))


@dataclass
class FormTable:
    """The grid of one form: header paths by column, labelled rows, where data starts."""

    grid: Grid
    header_top: int  # absolute 0-based rows
    first_data: int
    paths: dict[int, tuple[str, ...]]  # column -> cleaned header path, top level first
    shown: dict[int, str]  # column -> the header path as written ("在校学生数›合计")
    units: dict[int, str]  # column -> unit named in its header
    label_col: int | None = None
    rows: dict[str, int] = field(default_factory=dict)  # cleaned row label -> first absolute row
    labels: dict[int, str] = field(default_factory=dict)  # absolute row -> label as written

    def column(self, options: tuple[tuple[str, ...], ...]) -> int | None:
        """The first column whose path ends with one of ``options`` (tried in order)."""
        for option in options:
            want = tuple(cleaned(p) for p in option)
            hits = [c for c, path in self.paths.items() if path[-len(want):] == want]
            if hits:
                exact = [c for c in hits if self.paths[c] == want]
                return (exact or hits)[0]
        return None

    def row(self, label: str) -> int | None:
        return self.rows.get(cleaned(label))


def header_paths(grid: Grid, top: int, bottom: int) -> tuple[dict[int, tuple[str, ...]], dict[int, str],
                                                                dict[int, str]]:
    """Each column's header path over rows ``top..bottom`` (absolute, inclusive): the text of
    every level, a merged group carried over the columns it spans, a leaf merged down counted
    once. Returns (cleaned paths, paths as written, units named in a header)."""
    paths: dict[int, tuple[str, ...]] = {}
    shown: dict[int, str] = {}
    units: dict[int, str] = {}
    for c in range(grid.col0, grid.col0 + grid.ncols):
        levels: list[str] = []
        raw: list[str] = []
        for r in range(top, bottom + 1):
            m = grid.cover.get((r, c))
            v = grid.get(m.r0, m.c0) if m is not None else grid.get(r, c)
            if m is not None and m.r0 < top:  # a title merged over the header: not a level
                continue
            if type(v) is not str or is_blank(v):  # numbers beside a header: the sheet's row numbers
                continue
            text, unit = clean(v)
            if not text or (levels and levels[-1] == text):
                continue
            levels.append(text)
            raw.append(_show(v))
            if unit:
                units[c] = unit
        if levels:
            paths[c] = tuple(levels)
            shown[c] = SEP.join(raw)
    return paths, shown, units


def index_row(grid: Grid, start: int = 0) -> tuple[int, int] | None:
    """(absolute row, label column) of the first index row (甲 乙 丙 1 2 3 …) at or below ``start``."""
    for i in range(max(0, start - grid.row0), grid.nrows):
        texts = [(j, cleaned(v)) for j, v in enumerate(grid.rows[i]) if not is_blank(v)]
        for k, (j, t) in enumerate(texts[:-1]):
            if t == "甲" and texts[k + 1][1] in _INDEX:
                return grid.row0 + i, grid.col0 + j
    return None


_CODE_LINE = re.compile(r"表号|^(?:教基|基础基|综基)\d|单位[:：]")


def _is_preamble(grid: Grid, r: int) -> bool:
    """A row above a form's header: the column letters, the title, the form code or unit line."""
    row = grid.rows[r - grid.row0] if 0 <= r - grid.row0 < grid.nrows else []
    # Only texts count: the numbers in column A are the sheet's row numbers.
    texts = [(grid.col0 + j, norm(v)) for j, v in enumerate(row) if type(v) is str and not is_blank(v)]
    if not texts:
        return True
    if all(re.fullmatch(r"[A-Z]{1,3}", t) for _, t in texts):
        return True
    if any(_CODE_LINE.search(t) for _, t in texts):
        return True
    if len(texts) == 1:  # a title: one text merged across most of the form
        m = grid.cover.get((r, texts[0][0]))
        return m is not None and m.c1 - m.c0 + 1 >= 3
    return False


def read_form_table(grid: Grid) -> FormTable | None:
    """A per-school form: the header between the preamble and the index row, the labels in the
    index row's 甲 column, data from the row below the index row. None when there is no index row."""
    found = index_row(grid)
    if found is None:
        return None
    idx, label_col = found
    top = idx - 1
    while top - 1 >= grid.row0 and not _is_preamble(grid, top - 1):
        top -= 1
    paths, shown, units = header_paths(grid, top, idx - 1)
    table = FormTable(grid, top, idx + 1, paths, shown, units, label_col)
    for r in range(idx + 1, grid.row0 + grid.nrows):
        v = grid.get(r, label_col)
        if is_blank(v) or type(v) is not str:
            continue
        key = cleaned(v)
        table.rows.setdefault(key, r)
        table.labels[r] = _show(v)
    return table


def read_export_table(grid: Grid, anchor: str = "学校标识码") -> FormTable | None:
    """A one-school-per-row export: the header from the row naming ``anchor`` down to the row
    above the first school (an index row 甲 乙 … is skipped); None when no row names it."""
    anchor = cleaned(anchor)
    for i in range(min(grid.nrows, 40)):
        row = grid.rows[i]
        col = next((grid.col0 + j for j, v in enumerate(row) if type(v) is str and cleaned(v) == anchor), None)
        if col is None:
            continue
        top = grid.row0 + i
        head = grid.cover.get((top, col))
        bottom = head.r1 if head is not None and head.r0 == top else top
        r = bottom + 1
        # Unmerged headers: levels continue while the anchor column stays empty.
        while r < grid.row0 + grid.nrows and is_blank(grid.get(r, col)) and _has_text(grid, r):
            bottom, r = r, r + 1
        first = bottom + 1
        found = index_row(grid, first)
        if found is not None and found[0] == first:
            first += 1
        paths, shown, units = header_paths(grid, top, bottom)
        return FormTable(grid, top, first, paths, shown, units)
    return None


def _has_text(grid: Grid, r: int) -> bool:
    row = grid.rows[r - grid.row0]
    return any(type(v) is str and v.strip() and not re.fullmatch(r"[\d.,\s]+", v) for v in row)
