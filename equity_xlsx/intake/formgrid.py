"""A statistics form on a sheet, as the real 基层表 are laid out (domain.md §7): its header
paths, its labelled rows and stage sections, and the card cells of 111 / 1001.

A grid form (312, 423, 512 …)::

    (row 1: A B C … column letters; column A: row numbers)
    中小学校舍情况                                 ← title (merged across)
    基础基512                  单位：平方米        ← form code and unit, often in one cell
            | 编号 | 校舍建筑面积          …        ← two or three merged header rows
            |      | 合计 | 框架结构 …
    甲      | 乙   | 1    | 2                      ← index row (sometimes absent)
    总     计 | 1  | 9650 | 9650                   ← labelled rows, numbers often stored as text
    其中 | 危房 | 2 | *                            ← a vertical 其中 merged down B, sub-labels in C
    一、教学及辅助用房 | 4 | 6120 …                ← ordinal prefixes
    初中  (a row, or a label merged down B)        ← a stage section: its own 合计 and rows

a list form (112: 项目 | 编号 | 内容 | 单位 | 备注; 5176: a label and its value), and a card
(111 / 1001: a header cell with its value below it, 办学类型 with a 名称 row and a 代码 row,
``续`` rows between blocks).

Texts are compared after ``clean``: spaces and line breaks out, full-width punctuation
half-width, a leading 其中： # 一、 （一） 1. dropped, a trailing unit in brackets taken off
(and kept), a trailing （章） dropped. A column path matches a header whose path ends with it;
a trailing 合计 / 计 / 小计 level stands for its group, so ``["校舍建筑面积", "合计"]`` also
finds an unsplit 校舍建筑面积 column and ``["教学及辅助用房"]`` finds 教学及辅助用房›计.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .grid import Grid, is_blank
from .header import norm

# Units a form writes in brackets after a header or label, or alone on a header row; any other
# bracket is part of the name ("体育（与健康）", "县级及以上骨干教师（小学）").
UNITS = {"人": "人", "人次": "人次", "个": "个", "间": "间", "台": "台", "册": "册", "平方米": "平方米",
         "㎡": "平方米", "m2": "平方米", "m²": "平方米", "万元": "万元", "元": "元", "千元": "千元",
         "GB": "GB", "Mbps": "Mbps", "小时": "小时", "所": "所", "班": "班"}
_LEAD = re.compile(r"^(?:其中[:：]?|#|\*|[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d{1,2}[、.](?!\d))+")
_TAIL_UNIT = re.compile(r"^(.+?)\(([^()]+)\)$")
_ONLY_UNIT = re.compile(r"^(?:\(([^()]+)\)|单位[:：]?(.+))$")
_SEAL = re.compile(r"\((?:章|盖章|签章|签字)\)$")
_INDEX = set("甲乙丙丁戊己庚辛")
SEP = "›"  # between the levels of a header path, as shown to users
TOTAL_WORDS = frozenset({"合计", "计", "小计", "总计"})
# Header cells over the label and row-number columns, never a data column.
LABEL_HEADS = frozenset({"项目", "指标", "指标名称", "名称", "分类", "类别", "栏目"})
CODE_HEADS = frozenset({"编号", "行次", "序号", "乙"})
UNIT_HEADS = frozenset({"单位", "计量单位"})
NOTE_HEADS = frozenset({"备注", "说明", "注"})
# The column a list form gives its values in.
VALUE_HEADS = ("内容", "数量", "数值", "填报内容", "填报数", "值", "合计", "计")
# A row naming a stage starts that stage's section of the form (424: 初中 and 高中 parts).
SECTION_WORDS = {"小学": "小学", "小学阶段": "小学", "小学部": "小学", "初中": "初中", "初中阶段": "初中",
                 "初中部": "初中", "初级中学": "初中", "高中": "高中", "普通高中": "高中", "高中阶段": "高中",
                 "高中部": "高中", "幼儿园": "幼儿园", "学前": "幼儿园", "特殊教育": "特殊教育", "中职": "中职"}
# Lines under a form: never a row.
_FOOTER = re.compile(r"^(?:单位负责人|统计负责人|填表人|报出日期|审核人|联系电话|注[:：]|说明[:：])")
_CODE_LINE = re.compile(r"表号|^(?:教基|基础基|综基)\d|单位[:：]|学年初")
_SHEET_UNIT = re.compile(r"(?:计量)?单位[:：]\s*([^\s,，、;；]+)")


def clean(text: Any) -> tuple[str, str | None]:
    """A header or row label as compared, and the unit it names (or None)."""
    t = norm(text)
    t = _LEAD.sub("", t)
    t = _SEAL.sub("", t)
    m = _TAIL_UNIT.match(t)
    if m and m.group(2) in UNITS:
        return m.group(1), UNITS[m.group(2)]
    return t, None


def cleaned(text: Any) -> str:
    return clean(text)[0]


def unit_only(text: Any) -> str | None:
    """The unit of a cell that holds only a unit: "（平方米）", "单位：万元" -> 平方米, 万元."""
    m = _ONLY_UNIT.match(norm(text))
    if not m:
        return None
    return UNITS.get((m.group(1) or m.group(2) or "").strip())


def path_key(path: tuple[str, ...]) -> tuple[str, ...]:
    """A header path as matched: a trailing 合计/计/小计 level stands for its group."""
    out = path
    while len(out) > 1 and out[-1] in TOTAL_WORDS:
        out = out[:-1]
    return out


def show(text: Any) -> str:
    """A header text or label as shown in messages: one line, no padding."""
    return re.sub(r"\s+", "", str(text))


def _is_number(v: Any) -> bool:
    if type(v) in (int, float):
        return True
    return type(v) is str and re.fullmatch(r"\s*-?[\d,]+(?:\.\d+)?\s*", v) is not None


def parse_cell(ref: str) -> tuple[int, int] | None:
    """"D30" -> (29, 3), absolute 0-based; None when it is no cell address."""
    m = re.fullmatch(r"\s*([A-Za-z]{1,3})\s*(\d{1,7})\s*", ref or "")
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


@dataclass
class HeaderBand:
    """The header of a form or an export: each data column's path, and finding columns by path."""

    paths: dict[int, tuple[str, ...]]  # column -> cleaned header path, top level first
    shown: dict[int, str]  # column -> the header path as written ("在校学生数›合计")
    units: dict[int, str]  # column -> unit named in its header (or on a unit-only header row)

    @cached_property
    def keys(self) -> dict[int, tuple[str, ...]]:
        return {c: path_key(p) for c, p in self.paths.items()}

    def column(self, options: tuple[tuple[str, ...], ...]) -> int | None:
        """The first column whose path ends with one of ``options`` (tried in order; an exact
        path wins over a longer one ending the same way)."""
        for option in options:
            want = path_key(tuple(cleaned(p) for p in option))
            if not want:
                continue
            hits = [c for c, key in self.keys.items() if key[-len(want):] == want]
            if hits:
                exact = [c for c in hits if self.keys[c] == want]
                return (exact or hits)[0]
        return None

    def is_group_of(self, group: int, other: int) -> bool:
        """Column ``group`` is the total of a header group that column ``other`` sits under
        (艺术›计 over 艺术›音乐): counting both would count the same teachers twice."""
        g, o = self.keys.get(group, ()), self.paths.get(other, ())
        return group != other and len(o) > len(g) and o[:len(g)] == g

    def has_children(self, col: int) -> bool:
        return any(self.is_group_of(col, other) for other in self.paths)


def header_paths(grid: Grid, top: int, bottom: int, skip: set[int] = frozenset()) -> HeaderBand:
    """Each column's header path over rows ``top..bottom`` (absolute, inclusive): the text of
    every level, a merged group carried over the columns it spans, a leaf merged down counted
    once. A level that is only a unit ("（平方米）") gives the column its unit. Numbers beside a
    header are the sheet's row numbers and are skipped."""
    paths: dict[int, tuple[str, ...]] = {}
    shown: dict[int, str] = {}
    units: dict[int, str] = {}
    for c in range(grid.col0, grid.col0 + grid.ncols):
        if c in skip:
            continue
        levels: list[str] = []
        raw: list[str] = []
        for r in range(top, bottom + 1):
            m = grid.cover.get((r, c))
            v = grid.get(m.r0, m.c0) if m is not None else grid.get(r, c)
            if m is not None and m.r0 < top:  # a title merged over the header: not a level
                continue
            if type(v) is not str or is_blank(v):
                continue
            alone = unit_only(v)
            if alone:
                units[c] = alone
                continue
            text, unit = clean(v)
            if not text or (levels and levels[-1] == text):
                continue
            levels.append(text)
            raw.append(show(v))
            if unit:
                units[c] = unit
        if levels:
            paths[c] = tuple(levels)
            shown[c] = SEP.join(raw)
    return HeaderBand(paths, shown, units)


@dataclass
class FormRow:
    """One labelled row of a form."""

    r: int  # absolute 0-based
    label: str  # the cleaned label ("教学及辅助用房" for "一、教学及辅助用房")
    shown: str  # as written, one line
    parents: tuple[str, ...] = ()  # cleaned label cells left of it (a vertical group such as 初中)
    unit: str | None = None  # named in the label's brackets or in the row's 单位 column
    section: str | None = None  # the stage section it lies in (小学 / 初中 / 高中)
    section_total: bool = False  # the row naming the section: its 合计


@dataclass
class FormSheet:
    """One sheet of a school's 基层表 workbook, read once (see the module doc)."""

    grid: Grid
    header_top: int
    first_data: int
    band: HeaderBand
    label_cols: tuple[int, ...]
    rows: list[FormRow] = field(default_factory=list)
    sheet_unit: str | None = None  # "单位：平方米" on the form-code line
    titles: list[str] = field(default_factory=list)  # the title, 学年初 and form-code lines
    unit_col: int | None = None
    rownum_col: int | None = None
    code_col: int | None = None  # the 编号 (乙) column, when the form has one

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(r.section for r in self.rows if r.section))

    def find_rows(self, alternatives: tuple[tuple[str, ...], ...], section: str | None = None) -> list[FormRow] | None:
        """The rows of the first alternative whose every label is found (several labels: their
        rows are summed), within ``section`` when the form has stage sections. A 合计 wanted in
        a section is the section's own 合计 row, else the row naming the section."""
        pool = self.rows
        if section and self.sections:
            pool = [r for r in self.rows if r.section == section]
        for alt in alternatives:
            got: list[FormRow] = []
            for label in alt:
                want = cleaned(label)
                hit = next((r for r in pool if r.label == want and not r.section_total and r not in got), None)
                if hit is None and want in TOTAL_WORDS and section and self.sections:
                    hit = next((r for r in pool if r.section_total), None)
                if hit is None:
                    break
                got.append(hit)
            else:
                return got
        return None

    def value_column(self) -> int | None:
        """A list form's value column: the one headed 内容 / 数量 / 数值 …, else the first data
        column that holds anything below the header."""
        for head in VALUE_HEADS:
            hit = self.band.column(((head,),))
            if hit is not None:
                return hit
        for c in sorted(self.band.paths):
            if any(not is_blank(self.grid.get(r.r, c)) for r in self.rows):
                return c
        return None

    def nearest_rows(self, want: str, section: str | None = None, n: int = 5) -> list[str]:
        pool = [r for r in self.rows if not section or not self.sections or r.section == section]
        return nearest(want, [r.shown for r in pool], n)

    def nearest_columns(self, want: str, n: int = 5) -> list[str]:
        return nearest(want, list(self.band.shown.values()), n)


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, cleaned(a), cleaned(b)).ratio()


def nearest(want: str, seen: list[str], n: int = 5) -> list[str]:
    """The texts of ``seen`` closest to ``want`` (by shared characters, then order), for a
    message that says what the form has instead."""
    unique = list(dict.fromkeys(s for s in seen if s))
    scored = sorted(unique, key=lambda s: -_ratio(want, s))
    return [s for s in scored[:n] if _ratio(want, s) > 0.2]


def similarity(want: str, found: tuple[str, ...] | list[str]) -> float:
    """How close the nearest of ``found`` is to ``want`` (0–1)."""
    return max((_ratio(want, s) for s in found), default=0.0)


# ----------------------------------------------------------------------------- reading a grid form

def _row_texts(grid: Grid, r: int, skip: int | None = None) -> list[tuple[int, str]]:
    """(column, text) of the text cells of row ``r``, a merged cell once (at its origin)."""
    out = []
    i = r - grid.row0
    if not 0 <= i < grid.nrows:
        return out
    for j, v in enumerate(grid.rows[i]):
        c = grid.col0 + j
        if c == skip or type(v) is not str or is_blank(v):
            continue
        out.append((c, norm(v)))
    return out


def _rownum_col(grid: Grid) -> int | None:
    """Column A of an export of the forms: the sheet's own row numbers (1, 2, 3 … down the
    rows under the letters row)."""
    c = grid.col0
    nums = [(r, grid.get(r, c)) for r in range(grid.row0, grid.row0 + min(grid.nrows, 40))]
    nums = [(r, v) for r, v in nums if not is_blank(v) and not (type(v) is str and re.fullmatch(r"[A-Z]{1,3}", v.strip()))]
    if len(nums) < 3 or not all(type(v) in (int, float) or (type(v) is str and v.strip().isdigit()) for _, v in nums):
        return None
    values = [int(float(v)) for _, v in nums]
    steps = [b - a for a, b in zip(values, values[1:])]
    return c if steps and all(s == rb - ra for s, (ra, _), (rb, _) in zip(steps, nums, nums[1:])) else None


def _is_preamble(grid: Grid, r: int, skip: int | None) -> bool:
    """A row above a form's header: the column letters, the title, the 学年初 line, the form
    code or unit line, an empty row."""
    texts = _row_texts(grid, r, skip)
    if not texts:
        return True
    if all(re.fullmatch(r"[A-Z]{1,3}", t) for _, t in texts):
        return True
    if any(_CODE_LINE.search(t) for _, t in texts):
        return True
    if len(texts) == 1:  # a title: one text merged across most of the form
        m = grid.cover.get((r, texts[0][0]))
        return m is not None and m.c1 - m.c0 + 1 >= 3 and m.r1 == m.r0
    return False


def index_row(grid: Grid, start: int, stop: int, skip: int | None = None) -> tuple[int, int, int | None] | None:
    """(row, 甲 column, 乙 column) of the index row (甲 乙 丙 1 2 3 …, or 1 2 3 … alone) between
    ``start`` and ``stop`` (absolute rows)."""
    for r in range(max(start, grid.row0), min(stop, grid.row0 + grid.nrows)):
        texts = [(c, cleaned(t)) for c, t in _row_texts(grid, r, skip)]
        numbers = [(grid.col0 + j, v) for j, v in enumerate(grid.rows[r - grid.row0])
                   if grid.col0 + j != skip and type(v) in (int, float)]
        marks = [(c, t) for c, t in texts if t in _INDEX]
        if len(marks) >= 2 and marks[0][1] == "甲":
            second = next((c for c, t in marks if t == "乙"), None)
            return r, marks[0][0], second
        seq = sorted([(c, int(t)) for c, t in texts if t.isdigit()] + [(c, int(v)) for c, v in numbers
                                                                        if float(v).is_integer()])
        if len(seq) >= 3 and len(seq) == len(texts) + len(numbers) and [n for _, n in seq] == list(
                range(1, len(seq) + 1)):
            return r, seq[0][0] - 1, None
    return None


def read_form_sheet(grid: Grid) -> FormSheet:
    """A per-school form: the preamble, the header band, the labelled rows and sections."""
    rownum = _rownum_col(grid)
    top = grid.row0
    titles: list[str] = []
    while top < grid.row0 + grid.nrows and _is_preamble(grid, top, rownum):
        titles += [t for _, t in _row_texts(grid, top, rownum)]
        top += 1
    sheet_unit = None
    for t in titles:
        m = _SHEET_UNIT.search(t)
        if m and UNITS.get(m.group(1)):
            sheet_unit = UNITS[m.group(1)]
    found = index_row(grid, top, top + 8, rownum)
    heads = {cleaned(t): c for r in range(top, min(top + 4, grid.row0 + grid.nrows))
             for c, t in _row_texts(grid, r, rownum)}
    if found is not None:
        idx, label_col, code_col = found
        bottom, first = idx - 1, idx + 1
    else:
        code_col = next((heads[h] for h in ("编号", "行次") if h in heads), None)
        label_col = next((heads[h] for h in LABEL_HEADS if h in heads), None)
        first = _first_data_row(grid, top, code_col, rownum)
        bottom = first - 1
        if label_col is None:
            label_col = next((c for c, t in _row_texts(grid, first, rownum) if not t.isdigit()), grid.col0)
    if code_col is not None and code_col > label_col:
        label_cols = tuple(range(label_col, code_col))
    else:
        label_cols = (label_col,)
    skip = {*label_cols, *(c for c in (code_col, rownum) if c is not None)}
    band = header_paths(grid, top, bottom, skip) if bottom >= top else HeaderBand({}, {}, {})
    unit_col = next((c for c, p in band.paths.items() if p[-1] in UNIT_HEADS), None)
    # The 单位, 备注 and 编号 columns hold no figures: keep them out of the column search.
    aside = {c for c, p in band.paths.items() if p[-1] in UNIT_HEADS | NOTE_HEADS | CODE_HEADS}
    band = HeaderBand({c: p for c, p in band.paths.items() if c not in aside},
                      {c: t for c, t in band.shown.items() if c not in aside},
                      {c: u for c, u in band.units.items() if c not in aside})
    sheet = FormSheet(grid, top, first, band, label_cols, sheet_unit=sheet_unit, titles=titles, unit_col=unit_col,
                      rownum_col=rownum, code_col=code_col)
    sheet.rows = _form_rows(grid, first, label_cols, unit_col)
    return sheet


def _first_data_row(grid: Grid, top: int, code_col: int | None, rownum: int | None) -> int:
    """Without an index row: the first row whose 编号 holds a number, else the first row with
    a label and a number beside it."""
    for r in range(top + 1, min(top + 12, grid.row0 + grid.nrows)):
        if code_col is not None:
            m = grid.cover.get((r, code_col))
            if (m is None or m.r0 == r) and _is_number(grid.get(r, code_col)):
                return r
            continue
        row = grid.rows[r - grid.row0]
        cells = [(grid.col0 + j, v) for j, v in enumerate(row) if grid.col0 + j != rownum and not is_blank(v)]
        if any(type(v) is str and not _is_number(v) for _, v in cells[:2]) and any(_is_number(v) for _, v in cells):
            return r
    return top + 1


def _form_rows(grid: Grid, first: int, label_cols: tuple[int, ...], unit_col: int | None) -> list[FormRow]:
    rows: list[FormRow] = []
    section: str | None = None
    for r in range(first, grid.row0 + grid.nrows):
        parts: list[str] = []
        for c in label_cols:
            m = grid.cover.get((r, c))
            if m is not None and m.c0 != c:
                continue  # covered from the left: the label was taken at its first column
            v = grid.get(m.r0, m.c0) if m is not None else grid.get(r, c)
            if type(v) is str and not is_blank(v):
                parts.append(v)
        if not parts:
            continue
        if _FOOTER.match(norm(parts[0])):
            break
        texts = [clean(p) for p in parts]
        named = [(t, u) for t, u in texts if t]
        if not named:
            continue
        label, unit = named[-1]
        parents = tuple(t for t, _ in named[:-1])
        if unit_col is not None and unit is None:
            unit = UNITS.get(cleaned(grid.get(r, unit_col)).strip("()")) or unit_only(grid.get(r, unit_col))
        total = False
        group = next((SECTION_WORDS[p] for p in parents if p in SECTION_WORDS), None)
        if group is not None:
            section = group
        elif label in SECTION_WORDS:
            section, total = SECTION_WORDS[label], True
        rows.append(FormRow(r, label, show(parts[-1]), parents, unit, section, total))
    return rows


# ----------------------------------------------------------------------------- a card (111 / 1001)

def card_cell(grid: Grid, headers: tuple[tuple[str, ...], ...], qualifier: tuple[str, ...] = ()) -> tuple[int, int, str] | None:
    """The value cell of a card form: under the header cell named by one of ``headers`` (the
    last level of each path), in the row labelled ``qualifier`` (名称 / 代码) when given, else the
    first row below the header. Returns (row, column, the header as written) or None."""
    wanted = [cleaned(h[-1]) for h in headers if h]
    rownum = _rownum_col(grid)
    for want in wanted:
        for i, row in enumerate(grid.rows):
            r = grid.row0 + i
            for j, v in enumerate(row):
                c = grid.col0 + j
                if type(v) is not str or cleaned(v) != want:
                    continue
                m = grid.cover.get((r, c))
                below = (m.r1 if m is not None else r) + 1
                for rr in range(below, min(below + 8, grid.row0 + grid.nrows)):
                    texts = _row_texts(grid, rr, rownum)
                    lead = cleaned(texts[0][1]) if texts and texts[0][0] < c else ""
                    if lead == "续":
                        break
                    if qualifier and lead not in {cleaned(q) for q in qualifier}:
                        continue
                    return rr, c, show(v)
    return None


# ----------------------------------------------------------------------------- an export (one school per row)

@dataclass
class ExportTable:
    """A one-school-per-row export: where its header is and its columns' paths."""

    grid: Grid
    header_top: int
    first_data: int
    band: HeaderBand


def read_export_table(grid: Grid, anchors: tuple[str, ...]) -> ExportTable | None:
    """The header from the row naming one of ``anchors`` (学校标识码, 统计三级) down to the row
    above the first school (an index row 甲 乙 … skipped; a row of units alone, "(平方米)",
    belongs to the header); None when no row names an anchor."""
    wanted = {cleaned(a) for a in anchors}
    for i in range(min(grid.nrows, 40)):
        row = grid.rows[i]
        col = next((grid.col0 + j for j, v in enumerate(row) if type(v) is str and cleaned(v) in wanted), None)
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
        found = index_row(grid, first, first + 1)
        if found is not None and found[0] == first:
            first += 1
        return ExportTable(grid, top, first, header_paths(grid, top, bottom))
    return None


def _has_text(grid: Grid, r: int) -> bool:
    row = grid.rows[r - grid.row0]
    return any(type(v) is str and v.strip() and not re.fullmatch(r"[\d.,\s]+", v) for v in row)


def side_cell(grid: Grid, labels: tuple[str, ...]) -> tuple[int, int, str] | None:
    """A label | value list with no header at all (label in B, value beside it): the first
    non-blank cell right of the cell holding one of ``labels``, within three columns.
    Returns (row, column, the label as written) or None."""
    wanted = [cleaned(lb) for lb in labels]
    for want in wanted:
        for i, row in enumerate(grid.rows):
            r = grid.row0 + i
            for j, v in enumerate(row):
                if type(v) is not str or cleaned(v) != want:
                    continue
                c = grid.col0 + j
                m = grid.cover.get((r, c))
                start = (m.c1 if m is not None and m.c0 == c else c) + 1
                for cc in range(start, start + 3):
                    if not is_blank(grid.get(r, cc)):
                        return r, cc, show(v)
                return None
    return None

