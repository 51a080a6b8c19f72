"""A sheet that is one school's form: label cells beside value cells (issue 4).

    学校名称 | 城南小学     办学类型 | 小学
    在校生数 | 812          班级数   | 18

The value of a label is the next non-blank cell to its right (past the label's own merged
range). Labels may carry a unit (教学仪器设备值(万元)) or a stage prefix (初中在校生数),
exactly like table headers, so a form becomes the same Record a table row does.

A 九年一贯制 school's form may instead give a column per section, with a 全校 column for
whole-school amounts:

    项目     | 小学部 | 初中部 | 全校
    在校生数 | 620    | 380    |
    教学及辅助用房面积 |  |      | 5800

Below such a row, each label is read under every section column (the 全校 value is split
by weighted students, like a whole-school amount in a table).
"""

from __future__ import annotations

from typing import NamedTuple

from ..model import Source
from ..problems import Code, ProblemLog
from ..standards import Standard
from .cells import text_of
from .grid import Grid, col_letter, is_blank
from .header import Column, Vocabulary, make_column, norm
from .table import INVALID, TEXT_FIELDS, Record, _read_number

# A label's value is at most this many cells to its right (forms leave a gap or two).
MAX_GAP = 3
# Column headings for the whole school beside section columns (小学部 | 初中部 | 全校).
WHOLE_SCHOOL_WORDS = ("全校", "全校合计", "学校合计", "合计", "全校数")


def section_columns(grid: Grid, vocab: Vocabulary) -> tuple[int, dict[int, str | None]] | None:
    """(row, {col: stage, or None for 全校}) of a row heading two or more section columns."""
    for i, row in enumerate(grid.rows):
        cols: dict[int, str | None] = {}
        for j, v in enumerate(row):
            if type(v) is not str:
                continue
            t = norm(v)
            stage = vocab.stage_of(t)
            if stage:
                cols[grid.col0 + j] = stage
            elif t in WHOLE_SCHOOL_WORDS:
                cols[grid.col0 + j] = None
        if sum(1 for st in cols.values() if st) >= 2:
            return grid.row0 + i, cols
    return None


class FormLabel(NamedTuple):
    """A label cell of a form and where its value is (0-based row and columns)."""

    row: int
    value_col: int  # -1: nothing beside the label
    text: str
    match: tuple
    empty_col: int  # when value_col is -1: the empty cell right of the label, else -1


def form_labels(grid: Grid, vocab: Vocabulary) -> dict[tuple[str, str | None], FormLabel]:
    """(field, stage) -> the first label cell naming it, with its value cell or, when the
    value was left empty, the empty cell where it belongs."""
    found: dict[tuple[str, str | None], FormLabel] = {}
    for i, row in enumerate(grid.rows):
        r = grid.row0 + i
        j = 0
        n = len(row)
        while j < n:
            v = row[j]
            if type(v) is not str or not v.strip():
                j += 1
                continue
            label = norm(v)
            hit = vocab.match(label)
            if not hit:
                j += 1
                continue
            c = grid.col0 + j
            m = grid.cover.get((r, c))
            k = (m.c1 if m is not None and m.c0 == c else c) + 1
            value_col = None
            for cc in range(k, min(k + MAX_GAP, grid.col0 + n)):
                val = grid.get(r, cc)
                if not is_blank(val) or (r, cc) in grid.no_cache:
                    if type(val) is str and vocab.match(norm(val)):
                        break  # the next cell is another label: this one was left empty
                    value_col = cc
                    break
            key = (hit[0], hit[2])
            if key not in found:
                empty = -1 if value_col is not None or not _empty(grid, r, k) else k
                found[key] = FormLabel(r, value_col if value_col is not None else -1, label, hit, empty)
            j = (value_col - grid.col0 + 1) if value_col is not None else j + 1
    return found


def is_form(labels: dict) -> bool:
    """A form names the school and gives students (for any stage) in label/value pairs."""
    has_name = ("name", None) in labels and labels[("name", None)].value_col >= 0
    has_students = any(f == "students" and pos.value_col >= 0 for (f, _), pos in labels.items())
    return has_name and has_students


def read_form(grid: Grid, labels: dict, vocab: Vocabulary, std: Standard, file: str, problems: ProblemLog,
              sheet_stage: str | None, sheet_units: dict[str, str]) -> Record | None:
    """The one school of a form sheet as a Record (values in canonical units)."""
    sheet = grid.name
    r_name, c_name = labels[("name", None)][:2]
    name = text_of(grid.get(r_name, c_name))
    rec = Record(sheet=sheet, row=r_name + 1, origin=Source(file, sheet, r_name + 1, col_letter(c_name)),
                 sheet_stage=sheet_stage, form=True)
    field_cols: set[int] = set()
    merged: dict = {}
    warned: set = set()
    sections = section_columns(grid, vocab)
    for (fname, stage), (r, vc, label, hit, empty_col) in labels.items():
        numeric = fname not in TEXT_FIELDS and vocab.aliases.fields[fname].kind != "text"
        if sections is not None and r > sections[0] and stage is None and numeric:
            # Read under every section column even when the whole row is empty, so that
            # each empty section cell is named as a blank.
            for col, section in sections[1].items():
                _read_value(grid, r, col, fname, section, label, hit, rec, vocab, std, file, problems,
                            sheet_units, merged, warned, field_cols)
            continue
        if vc < 0:
            if numeric and empty_col >= 0:
                rec.blanks[(stage, fname)] = Source(file, sheet, r + 1, col_letter(empty_col), label)
            continue
        if numeric:
            _read_value(grid, r, vc, fname, stage, label, hit, rec, vocab, std, file, problems, sheet_units,
                        merged, warned, field_cols)
            continue
        text = text_of(grid.get(r, vc))
        if text:
            rec.text[fname] = text
            rec.text_src[fname] = Source(file, sheet, r + 1, col_letter(vc))
    if not name:
        problems.add(Code.FORM_NAME_EMPTY, sheet, r_name + 1, col_letter(c_name))
        return None
    rec.text["name"] = name
    return rec


def _read_value(grid: Grid, r: int, col: int, fname: str, stage: str | None, label: str, hit: tuple,
                rec: Record, vocab: Vocabulary, std: Standard, file: str, problems: ProblemLog,
                sheet_units: dict[str, str], merged: dict, warned: set, field_cols: set[int]) -> None:
    """One number of a form, at (``r``, ``col``): into ``rec.staged[stage]``, or ``rec.values``
    when the label names no stage (or it sits under the 全校 column)."""
    made = make_column(vocab, std, col, label, hit, sheet_units)
    if not isinstance(made, Column):
        unit, fam = made
        known = "、".join(u for u in vocab.aliases.units.get(fam, {}) if u) or "无"
        problems.add(Code.UNKNOWN_UNIT, grid.name, r + 1, col_letter(col), header=label, unit=unit,
                     field=vocab.aliases.fields[fname].label, known=known)
        return
    cell = _read_number(grid, r, made, file, problems, merged, warned, field_cols)
    if cell is None:
        if _empty(grid, r, col):
            rec.blanks[(stage, fname)] = Source(file, grid.name, r + 1, col_letter(col), label)
        return
    if cell is INVALID:
        rec.invalid.add(fname)
    elif stage:
        rec.staged.setdefault(stage, {})[fname] = cell
    else:
        rec.values[fname] = cell


def _empty(grid: Grid, r: int, c: int) -> bool:
    """The cell at (``r``, ``c``) is a value cell left empty: blank, the first cell of its
    merged range if merged (a cell inside another's range holds nothing of its own), and not
    a formula without a cached result (that is reported where it is read)."""
    m = grid.cover.get((r, c))
    return (is_blank(grid.get(r, c)) and (m is None or (m.r0, m.c0) == (r, c))
            and (r, c) not in grid.no_cache)

