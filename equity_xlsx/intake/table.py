"""Rows under a found header -> Records (one per school row), in canonical units.

Skips 合计/小计/总计 rows, blank rows, a repeated header, the 序号 row (甲 乙 1 2 3 …)
and everything from the first note line (注：…, 填表人 …) down. A value that is not a
number where one is needed is an error naming the cell; it is left out, never guessed.
Merged data cells are kept as one shared ``Cell`` so normalising can tell a whole-school
amount merged over a school's section rows from a per-section value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Source
from ..standards import Aliases
from .cells import parse_number, text_of, to_canonical
from .grid import Grid, Merge, col_letter, is_blank
from .header import Column, Header, Vocabulary, norm
from ..problems import Code, ProblemLog

TEXT_FIELDS = ("name", "code", "school_type", "stage", "ownership", "counted")
_INF = float("inf")
# Returned for a cell that held something unusable (already reported as an error).
INVALID = object()


@dataclass(eq=False)
class Cell:
    """One numeric value in canonical units and the cell it came from.

    ``rows`` is (first, last) Excel row when the cell is merged over several rows.
    """

    value: float
    source: Source
    field: str
    rows: tuple[int, int] | None = None


@dataclass
class Record:
    """One school row as read: texts, stage-neutral values and stage-qualified values."""

    sheet: str
    row: int  # Excel row
    origin: Source
    text: dict[str, str] = field(default_factory=dict)
    text_src: dict[str, Source] = field(default_factory=dict)
    values: dict[str, Cell] = field(default_factory=dict)
    staged: dict[str, dict[str, Cell]] = field(default_factory=dict)
    sheet_stage: str | None = None
    form: bool = False  # read from a one-school form sheet
    invalid: set[str] = field(default_factory=set)  # fields whose cell was reported as unusable
    blanks: dict[tuple[str | None, str], Source] = field(default_factory=dict)  # (stage, field) -> an empty cell
    notes: list[tuple[str | None, str]] = field(default_factory=list)  # (stage or None, how a value was derived)


def _is_total(texts: list[str], aliases: Aliases) -> bool:
    for t in texts:
        if not t:
            continue
        for w in aliases.total_words:
            if t == w or (t.startswith(w) or t.endswith(w)) and len(t) <= len(w) + 6 and "学" not in t and "校" not in t:
                return True
    return False


def is_note(text: str, aliases: Aliases) -> bool:
    """A line under the table such as "注：…", "说明：…", "填表人：张三"."""
    for p in aliases.note_prefixes:
        if text.startswith(p):
            rest = text[len(p):]
            # "注" alone is a prefix only when followed by punctuation or a number.
            if len(p) > 1 or not rest or rest[0] in ":：、.．1234567890(（①":
                return True
    return False


_SERIAL_WORDS = set("甲乙丙丁戊己庚辛壬癸")


def _is_serial_row(row: list[Any], name: str) -> bool:
    """The column-number row under a statistics header: 甲 乙 1 2 3 … (the name cell holds
    a serial mark, not a school)."""
    if not (name in _SERIAL_WORDS or name.isdigit()):
        return False
    vals = [v for v in row if not is_blank(v)]
    nums = []
    for v in vals:
        if isinstance(v, str) and norm(v) in _SERIAL_WORDS:
            continue
        n, err = parse_number(v)
        if err or n is None or not n.is_integer():
            return False
        nums.append(n)
    return len(vals) >= 2 and all(b - a == 1 for a, b in zip(nums, nums[1:]))


def read_records(grid: Grid, header: Header, vocab: Vocabulary, file: str, problems: ProblemLog,
                 sheet_stage: str | None) -> list[Record]:
    """All school rows of one table sheet, with values converted by the header units."""
    aliases = vocab.aliases
    sheet = grid.name
    cols = header.columns
    text_cols = [c for c in cols if aliases.fields[c.field].kind == "text"]
    num_cols = [c for c in cols if aliases.fields[c.field].kind != "text"]
    field_cols = {c.col for c in cols}
    name_col = next((c for c in cols if c.field == "name"), None)
    # Unmapped columns left of the first number column may hold 序号 or "合计".
    first_num = min((c.col for c in num_cols), default=grid.col0 + grid.ncols)
    side_cols = [c for c in range(grid.col0, first_num) if c not in field_cols]
    name_aliases = {norm(a) for a in (aliases.fields["name"].label, *aliases.fields["name"].aliases)}
    merged_cells: dict[int, Cell] = {}  # id(Merge) -> shared Cell
    warned_merges: set[int] = set()
    out: list[Record] = []
    first = header.bottom + 1
    for i in range(first - grid.row0, grid.nrows):
        r = grid.row0 + i
        row = grid.rows[i]
        if not any(row) or all(is_blank(v) for v in row):
            continue
        texts = {c.field: _text_at(grid, r, c.col) for c in text_cols}
        first_text = next((norm(v) for v in row if isinstance(v, str) and v.strip()), "")
        if first_text and is_note(first_text, aliases):
            break
        side = [norm(text_of(grid.get(r, c))) for c in side_cols]
        if _is_total(side + [norm(texts.get("name", ""))], aliases):
            continue
        if r == first and _is_serial_row(row, norm(texts.get("name", ""))):
            continue
        if norm(texts.get("name", "")) in name_aliases:
            continue  # the header repeated (printed tables repeat it per page)
        excel_row = r + 1
        rec = Record(sheet=sheet, row=excel_row,
                     origin=Source(file, sheet, excel_row, name_col.letter if name_col else None),
                     sheet_stage=sheet_stage)
        for c in text_cols:
            if texts[c.field]:
                rec.text[c.field] = texts[c.field]
                rec.text_src[c.field] = Source(file, sheet, excel_row, c.letter)
        cover, no_cache = grid.cover, grid.no_cache
        for c in num_cols:
            j = c.col - grid.col0
            v = row[j] if j < len(row) else ""
            # Fast path for the common case: a plain number or an empty cell, not merged.
            if (r, c.col) in cover or (r, c.col) in no_cache:
                cell = _read_number(grid, r, c, file, problems, merged_cells, warned_merges, field_cols)
            elif type(v) is float and 0 <= v < _INF:
                cell = Cell(to_canonical(v, c.factor), Source(file, sheet, excel_row, c.letter), c.field)
            elif v == "":
                rec.blanks[(c.stage, c.field)] = Source(file, sheet, excel_row, c.letter, c.header)
                continue
            else:
                cell = _read_number(grid, r, c, file, problems, merged_cells, warned_merges, field_cols)
            if cell is None:
                continue
            if cell is INVALID:
                rec.invalid.add(c.field)
                continue
            if c.stage:
                rec.staged.setdefault(c.stage, {})[c.field] = cell
            else:
                rec.values[c.field] = cell
        if not rec.text.get("name"):
            if rec.values or rec.staged:
                col = name_col.letter if name_col else None
                problems.add(Code.NAME_EMPTY, sheet, excel_row, col)
            continue
        out.append(rec)
    return out


def _text_at(grid: Grid, r: int, c: int) -> str:
    v = grid.get(r, c)
    if is_blank(v):
        m = grid.cover.get((r, c))
        if m is not None and m.c0 == c and m.r0 < r:
            # A name or type merged down over a school's section rows applies to each.
            v = grid.get(m.r0, m.c0)
    return text_of(v)


def _read_number(grid: Grid, r: int, c: Column, file: str, problems: ProblemLog,
                 merged_cells: dict[int, Cell], warned: set[int], field_cols: set[int]) -> Cell | None:
    sheet = grid.name
    v = grid.get(r, c.col)
    m: Merge | None = grid.cover.get((r, c.col)) if grid.cover else None
    if m is not None:
        if m.c0 != c.col:
            # Covered by a merge that starts in another column: the value belongs there.
            if m.c0 in field_cols and id(m) not in warned:
                warned.add(id(m))
                problems.add(Code.MERGE_ACROSS_COLUMNS, sheet, m.r0 + 1, col_letter(m.c0), range=m.ref(),
                             other=c.header)
            return None
        if m.r1 > m.r0:
            shared = merged_cells.get(id(m))
            if shared is not None:
                return shared
            v = grid.get(m.r0, m.c0)
            r = m.r0
    excel_row = r + 1
    if is_blank(v):
        if (r, c.col) in grid.no_cache:
            error_value = grid.no_cache[(r, c.col)]
            if error_value:
                problems.add(Code.NOT_A_NUMBER, sheet, excel_row, c.letter, header=c.header,
                             reason=f"是错误值 {error_value}，不是数字", value=error_value)
            else:
                problems.add(Code.NO_CACHED_VALUE, sheet, excel_row, c.letter, header=c.header)
            return INVALID
        return None
    num, err = parse_number(v)
    if err:
        problems.add(Code.NOT_A_NUMBER, sheet, excel_row, c.letter, header=c.header, reason=err, value=text_of(v))
        return INVALID
    if num is None:
        return None
    if num < 0:
        problems.add(Code.NEGATIVE, sheet, excel_row, c.letter, header=c.header, value=text_of(v))
        return INVALID
    cell = Cell(to_canonical(num, c.factor), Source(file, sheet, excel_row, c.letter), c.field,
                (m.r0 + 1, m.r1 + 1) if m is not None and m.r1 > m.r0 else None)
    if cell.rows:
        merged_cells[id(m)] = cell
    return cell
