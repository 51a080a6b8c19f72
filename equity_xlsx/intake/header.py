"""Find a table's header row(s) on a sheet and map header cells to canonical fields.

Header text is normalised (line breaks and spaces removed, full-width brackets/colons made
half-width), two-row merged headers are flattened to "group›leaf", and the unit in brackets
is split off and checked against ``aliases.units`` of the field's family. A group or prefix
that is a stage word (小学/初中/高中) makes the column hold that stage's value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..standards import Aliases, FieldSpec, Standard
from .grid import Grid, col_letter

SEP = "›"
# A header naming a sub-item of the column before it: "其中：高于规定学历", "#本科毕业".
SUB_ITEM_PREFIXES = ("其中:", "其中", "#", "其:")
# Header rows are found among the first rows only: titles and 填报单位 lines are short.
HEADER_SEARCH_ROWS = 40

# Full-width ASCII (！..～) to half-width, ideographic space and line breaks removed, a few
# CJK punctuation marks that people use for brackets mapped to ASCII ones.
_TRANS = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TRANS.update({0x3000: None, ord(" "): None, ord("\n"): None, ord("\r"): None, ord("\t"): None,
               0xA0: None, ord("【"): "(", ord("】"): ")", ord("〔"): "(", ord("〕"): ")"})


def norm(text: Any) -> str:
    """Header/label text as matched against aliases: no spaces or breaks, half-width punctuation."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    return text.translate(_TRANS)


_UNIT_BRACKET = re.compile(r"^(.*?)\(([^()]*)\)$")
_UNIT_SLASH = re.compile(r"^(.+?)/([^/]{1,4})$")


def split_unit(text: str) -> tuple[str, str | None]:
    """("教学仪器设备值(万元)") -> ("教学仪器设备值", "万元"); no unit -> (text, None)."""
    m = _UNIT_BRACKET.match(text)
    if m and m.group(1):
        unit = m.group(2)
        for prefix in ("单位:", "单位"):
            if unit.startswith(prefix):
                unit = unit[len(prefix):]
        return m.group(1), unit
    m = _UNIT_SLASH.match(text)
    if m:
        return m.group(1), m.group(2)
    return text, None


_BUILT: dict[int, "Vocabulary"] = {}


@dataclass
class Vocabulary:
    """Alias lookups built once per Aliases object."""

    aliases: Aliases
    lookup: dict[str, str]
    stage_words: list[tuple[str, str]]  # (word, stage), longest first
    all_units: set[str]
    _memo: dict[str, tuple[str, str | None, str | None] | None] = field(default_factory=dict)
    kind_memo: dict[str, str | None] = field(default_factory=dict)  # school type text -> kind

    @classmethod
    def of(cls, aliases: Aliases) -> "Vocabulary":
        """The vocabulary of ``aliases``, built once per Aliases object (a run has one)."""
        hit = _BUILT.get(id(aliases))
        if hit is None or hit.aliases is not aliases:
            hit = _BUILT[id(aliases)] = cls.build(aliases)
        return hit

    @classmethod
    def build(cls, aliases: Aliases) -> "Vocabulary":
        lookup: dict[str, str] = {}
        for name, spec in aliases.fields.items():
            for a in (spec.label, *spec.aliases):
                lookup.setdefault(norm(a), name)
        stage_words = sorted(((norm(w), st) for st, words in aliases.stages.items() for w in words),
                             key=lambda p: -len(p[0]))
        all_units = {u for fam in aliases.units.values() for u in fam if u}
        return cls(aliases, lookup, stage_words, all_units)

    def stage_of(self, text: str) -> str | None:
        """Stage named by a whole cell / group text (小学, 初中部 …), else None."""
        t = norm(text)
        for w, st in self.stage_words:
            if t == w:
                return st
        return None

    def stage_in(self, text: str) -> str | None:
        """Stage mentioned inside a longer text (a sheet name); None if none or several."""
        t = norm(text)
        # "中小学" contains 小学 but names both stages.
        if "中小学" in t:
            return None
        found = {st for w, st in self.stage_words if w in t}
        return found.pop() if len(found) == 1 else None

    def match(self, text: str) -> tuple[str, str | None, str | None] | None:
        """Header text -> (field, unit written or None, stage or None); None if unknown."""
        try:
            return self._memo[text]
        except KeyError:
            pass
        hit = self._match(text)
        if len(self._memo) < 50_000:  # random junk must not grow the memo without bound
            self._memo[text] = hit
        return hit

    def _match(self, text: str) -> tuple[str, str | None, str | None] | None:
        t = norm(text)
        if not t:
            return None
        hit = self._match_label(t)
        if hit:
            return hit
        if SEP in t:
            group, leaf = t.rsplit(SEP, 1)
            stage = self.stage_of(group)
            hit = self._match_label(leaf)
            if hit:
                f, unit, st = hit
                if unit is None:
                    # The unit may sit on the group: 教学仪器设备值(万元) over 合计.
                    unit = split_unit(group)[1]
                return f, unit, stage or st
            # A group that is the field with a unit leaf: 面积 over ㎡ is rare; a group
            # carrying the field and a generic leaf (合计) is common.
            if leaf in ("合计", "小计", "计", "总数", "总计", "数量"):
                hit = self._match_label(group)
                if hit:
                    return hit
        return None

    def _match_label(self, t: str) -> tuple[str, str | None, str | None] | None:
        if t in self.lookup:
            return self.lookup[t], None, None
        for prefix in SUB_ITEM_PREFIXES:  # "其中:高于规定学历", "#按学历分" …
            if t.startswith(prefix) and len(t) > len(prefix):
                hit = self._match_label(t[len(prefix):])
                if hit:
                    return hit
        label, unit = split_unit(t)
        for cand in (label,):
            if cand in self.lookup:
                return self.lookup[cand], unit, None
        # Stage prefix: 小学在校生数, 初中部教学及辅助用房面积.
        for w, st in self.stage_words:
            if label.startswith(w) and len(label) > len(w):
                rest = label[len(w):]
                if rest in self.lookup:
                    return self.lookup[rest], unit, st
        return None


@dataclass
class Column:
    """A header column mapped to a canonical field, with its unit factor to canonical units."""

    col: int  # absolute 0-based
    field: str
    header: str  # the header text as flattened
    unit: str  # unit applied ("" for counts without unit)
    factor: float
    stage: str | None = None
    unit_from: str = "header"  # "header" | "title" (a 单位：… line above) | "setting" (standards file)
    letter: str = ""

    def __post_init__(self) -> None:
        self.letter = col_letter(self.col)


@dataclass
class Header:
    """Where the table's header is and what its columns mean."""

    top: int  # absolute 0-based first header row
    bottom: int  # absolute 0-based last header row (== top for one-row headers)
    columns: list[Column] = field(default_factory=list)
    unknown_units: list[tuple[int, str, str, str]] = field(default_factory=list)  # (col, header, field, unit)
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)  # (col, header, field)
    title_text: list[str] = field(default_factory=list)  # text above the header

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}

    @property
    def excel_row(self) -> int:
        return self.bottom + 1


def _text(v: Any) -> str:
    # Only text can be a header; numbers and dates in a candidate row mean data.
    if type(v) is not str or not v.strip():
        return ""
    return norm(v)


def _row_labels(grid: Grid, r: int, width: int) -> list[str]:
    c0 = grid.col0
    return [_text(grid.get(r, c0 + j)) for j in range(width)]


def _two_row_labels(grid: Grid, r: int, width: int) -> list[str]:
    """Flatten rows r and r+1 to "group›leaf" (or the one text a column has)."""
    c0 = grid.col0
    out = []
    group = ""
    for j in range(width):
        c = c0 + j
        top = _text(grid.get(r, c))
        m = grid.cover.get((r, c))
        if m is not None and not top:
            top = _text(grid.get(m.r0, m.c0)) if m.r0 <= r else ""
        bottom = _text(grid.get(r + 1, c))
        mb = grid.cover.get((r + 1, c))
        if mb is not None and mb.r0 < r + 1:
            bottom = ""  # the top cell merged down over this one
        if top and bottom:
            group = top
            out.append(f"{top}{SEP}{bottom}")
        elif bottom:
            # No merge info (ods) or an unmerged group: the group runs on to the right
            # while leaves continue under it.
            inherited = group if (not grid.merges_known or m is None) and group else ""
            out.append(f"{inherited}{SEP}{bottom}" if inherited else bottom)
        else:
            group = ""
            out.append(top)
    return out


def _score(vocab: Vocabulary, labels: list[str]) -> tuple[int, set[str]]:
    found = set()
    for t in labels:
        if t:
            hit = vocab.match(t)
            if hit:
                found.add(hit[0])
    return len(found), found


def find_header(grid: Grid, vocab: Vocabulary) -> tuple[int, int, list[str], set[str]] | None:
    """Best header: (top, bottom, flattened labels, fields found) or None.

    A header needs at least two known fields on one (flattened) row and must contain the
    school name or the students; two rows win over one when they know more fields.
    """
    width = grid.ncols
    last = grid.row0 + min(grid.nrows, HEADER_SEARCH_ROWS)
    singles: dict[int, tuple[int, list[str], set[str]]] = {}
    for r in range(grid.row0, min(last + 1, grid.row0 + grid.nrows)):
        if any(grid.rows[r - grid.row0]):
            labels = _row_labels(grid, r, width)
            n, found = _score(vocab, labels)
            singles[r] = (n, labels, found)
    best = None
    for r in range(grid.row0, last):
        if r not in singles:
            continue
        n1, labels, f1 = singles[r]
        cand = (n1, r, r, labels, f1)
        if r + 1 in singles:
            labels2 = _two_row_labels(grid, r, width)
            n2, f2 = _score(vocab, labels2)
            # Two rows are one header only when together they know more than either row
            # alone (a 单位 line above a one-row header must not be taken as its group).
            if n2 > max(n1, singles[r + 1][0]):
                cand = (n2, r, r + 1, labels2, f2)
        if cand[0] >= 2 and ({"name", "students"} & cand[4]) and (best is None or cand[0] > best[0]):
            best = cand
    if best is None:
        return None
    _, top, bottom, labels, found = best
    return top, bottom, labels, found


def make_column(vocab: Vocabulary, std: Standard, col: int, label: str, hit: tuple[str, str | None, str | None],
                sheet_units: dict[str, str]) -> Column | tuple[str, str]:
    """A matched header/label -> Column with its unit factor, or (unit, family) when the
    written unit is not one of ``aliases.units`` for the field's family.

    No unit written: a "单位：…" line above the table, else "" when the family allows it
    (counts, areas), else the standard's ``[units] <field>_default`` (equipment_value_default).
    """
    aliases = vocab.aliases
    fname, unit, stage = hit
    spec: FieldSpec = aliases.fields[fname]
    if spec.kind == "text":
        return Column(col, fname, label, "", 1.0, stage)
    family = aliases.units.get(spec.unit, {"": 1.0})
    unit_from = "header"
    if unit is None:
        if spec.unit in sheet_units:
            unit = sheet_units[spec.unit]
            unit_from = "title"
        elif "" in family:
            unit = ""
        else:
            unit = std.units.default_unit(fname) or aliases.canonical_unit(spec.unit)
            unit_from = "setting"
    unit_key = find_unit(unit, family)
    if unit_key is None:
        return unit, spec.unit
    return Column(col, fname, label, unit_key, family[unit_key], stage, unit_from)


def build_header(grid: Grid, vocab: Vocabulary, std: Standard, found: tuple[int, int, list[str], set[str]],
                 sheet_units: dict[str, str]) -> Header:
    """Map flattened header labels to Columns, resolving units (see ``make_column``)."""
    top, bottom, labels, _ = found
    hdr = Header(top=top, bottom=bottom)
    seen: set[tuple[str, str | None]] = set()
    for j, label in enumerate(labels):
        if not label:
            continue
        hit = vocab.match(label)
        if not hit:
            continue
        col = grid.col0 + j
        if (hit[0], hit[2]) in seen:
            hdr.duplicates.append((col, label, hit[0]))
            continue
        seen.add((hit[0], hit[2]))
        made = make_column(vocab, std, col, label, hit, sheet_units)
        if isinstance(made, Column):
            hdr.columns.append(made)
        else:
            hdr.unknown_units.append((col, label, hit[0], made[0]))
    return hdr


def find_unit(unit: str, family: dict[str, float]) -> str | None:
    """``unit`` as the family ({unit: factor}) spells it (case aside), or None."""
    if unit in family:
        return unit
    low = unit.lower()
    for k in family:
        if k.lower() == low:
            return k
    return None


_SHEET_UNIT = re.compile(r"单位[:：]?(.+)")


def units_from_titles(texts: list[str], aliases: Aliases) -> dict[str, str]:
    """A "单位：万元、平方米" line above the table -> {family: unit} where it names one unit."""
    out: dict[str, str] = {}
    for t in texts:
        m = _SHEET_UNIT.search(norm(t))
        if not m:
            continue
        words = re.split(r"[,，、;；/ ]+", m.group(1))
        for fam, units in aliases.units.items():
            named = [w for w in words if w and w in units]
            if len(named) == 1 and fam not in ("count", "rooms"):
                out[fam] = named[0]
    return out
