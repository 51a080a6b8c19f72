"""One school's 教育事业统计 基层表 workbook -> a part (one Record) of its county.

One sheet per form, named by its code (教基3112, 基础基312, with suffixes such as
``_小学``); the generation is recognised from the sheet names and its rules file
(``rules/forms/*.toml``) says which form, row label and column path holds each figure. An
unknown generation, a missing form, row or column is a problem naming it; what it would
have given stays absent, never 0. A blank cell where the row and column were both found is
0 (``[statistics] blank_cell_is_zero``): the statistics system leaves zeros blank.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..forms import COURSES, LABEL, TEACHER_ROWS, FormRules
from ..identity import CountyId, normalise_code, resolve
from ..model import Conversion, Source
from ..problems import Code, ProblemLog
from ..rulebook import Rules
from .cells import parse_number, text_of, to_canonical
from .derive import Figures, check_figures, to_record
from .formgrid import SEP, FormTable, read_form_table
from .grid import col_letter, load_grid
from .header import Vocabulary, find_unit
from .normalise import COMPULSORY, school_kind
from .part import WorkbookPart
from .place import county_from_text, year_in
from .table import INVALID, Cell

# A sheet named like a statistics form: a prefix ending in 基 and a 3–4 digit code.
FORM_LIKE = re.compile(r"^(?P<prefix>[\u4e00-\u9fff]{0,3}基)(?P<code>\d{3,4}续?)(?:$|[_\-\s（(].*)")

# Statistics field -> the canonical field it feeds (its unit family, the indicators it serves).
FEEDS = {"students": "students", "backbone_teachers": "backbone_teachers", "teaching_aux_area": "teaching_area",
         "indoor_sports_area": "sports_area", "field_area": "sports_area", "equipment_value": "equipment_value",
         "multimedia_rooms": "multimedia_rooms", "total": "full_time_teachers",
         **{lv: "qualified_teachers" for lv in TEACHER_ROWS if lv != "total"},
         **{c: "pe_art_teachers" for c in COURSES}}


def form_sheets(names: list[str]) -> dict[str, dict[str, str]]:
    """Sheets named like statistics forms: prefix -> {code: sheet} (the first sheet of a code)."""
    out: dict[str, dict[str, str]] = {}
    for name in names:
        m = FORM_LIKE.match(name.strip())
        if m:
            out.setdefault(m.group("prefix"), {}).setdefault(m.group("code"), name)
    return out


def generation_of(names: list[str], rules: Rules) -> tuple[FormRules | None, dict[str, str]]:
    """The form generation whose forms the sheet names carry most, and its {code: sheet}."""
    found = form_sheets(names)
    best, best_hits, best_codes = None, 0, {}
    for gen in rules.forms:
        if gen.info is None:  # the export rules
            continue
        codes = found.get(gen.generation.prefix, {})
        hits = len(set(codes) & set(gen.forms()))
        if hits > best_hits:
            best, best_hits, best_codes = gen, hits, codes
    return best, best_codes


def looks_like_forms(names: list[str]) -> bool:
    return bool(form_sheets(names))


class _Forms:
    """The form sheets of one workbook, each read once into a FormTable."""

    def __init__(self, book, codes: dict[str, str], file: str, problems: ProblemLog):
        self.book, self.codes, self.file, self.problems = book, codes, file, problems
        self.tables: dict[str, FormTable | None] = {}

    def table(self, code: str) -> tuple[str, FormTable] | None:
        sheet = self.codes.get(code)
        if sheet is None:
            return None
        if code not in self.tables:
            grid = load_grid(self.book, sheet)
            table = read_form_table(grid) if grid.rows else None
            if table is None:
                self.problems.add(Code.FORM_NOT_A_FORM, sheet)
            self.tables[code] = table
        table = self.tables[code]
        return (sheet, table) if table is not None else None


def read_value(table: FormTable, sheet: str, r: int, c: int, what: str, blank_zero: bool,
               problems: ProblemLog) -> Any:
    """The number where a found row meets a found column: a float, None (blank, not zero), or
    INVALID (reported here, naming the cell)."""
    grid = table.grid
    m = grid.cover.get((r, c))
    if m is not None:
        r, c = m.r0, m.c0
    if (r, c) in grid.no_cache:
        problems.add(Code.NO_CACHED_VALUE, sheet, r + 1, col_letter(c), header=what)
        return INVALID
    value, err = parse_number(grid.get(r, c))
    if err:
        problems.add(Code.NOT_A_NUMBER, sheet, r + 1, col_letter(c), header=what, reason=err)
        return INVALID
    if value is None:
        return 0.0 if blank_zero else None
    if value < 0:
        problems.add(Code.NEGATIVE, sheet, r + 1, col_letter(c), header=what, value=value)
        return INVALID
    return value


def read_cell(table: FormTable, sheet: str, r: int, col: int, what: str, stat: str, factor: float,
              blank_zero: bool, file: str, problems: ProblemLog) -> Cell | None:
    """The figure ``stat`` at (r, col) in canonical units, with its cell and what it is
    ("H7（总计 × 在校学生数›合计）"); None when blank (and blanks are not 0) or unusable."""
    value = read_value(table, sheet, r, col, what, blank_zero, problems)
    if value is None or value is INVALID:
        return None
    cell = f"{col_letter(col)}{r + 1}"
    return Cell(to_canonical(value, factor), Source(file, sheet, r + 1, col_letter(col), f"{cell}（{what}）"), stat)


def column_factor(table: FormTable, col: int, stat: str, unit: str, rules: Rules, sheet: str,
                  problems: ProblemLog, conversions: list[Conversion]) -> float | None:
    """Factor from the column's unit (its header's, else the rules file's ``unit``) to the
    canonical unit of the field ``stat`` feeds; a conversion is recorded for 口径说明, an
    unknown unit reported (None)."""
    spec = rules.aliases.fields[FEEDS[stat]]
    family = rules.aliases.units.get(spec.unit, {})
    unit = table.units.get(col) or unit
    key = find_unit(unit, family) if unit else ""
    if key is None:
        problems.add(Code.UNKNOWN_UNIT, sheet, table.first_data, col_letter(col), header=table.shown.get(col, ""),
                     unit=unit, field=spec.label, known="、".join(u for u in family if u))
        return None
    factor = family.get(key, 1.0)
    if factor != 1:
        conversion = Conversion(sheet, col_letter(col), table.shown.get(col, ""), FEEDS[stat], unit, factor)
        if conversion not in conversions:
            conversions.append(conversion)
    return factor


class SchoolReader:
    """Reads the figures of one school workbook of one generation."""

    def __init__(self, book, gen: FormRules, codes: dict[str, str], rules: Rules, file: str, problems: ProblemLog,
                 data: WorkbookPart):
        self.gen, self.rules, self.file, self.problems, self.data = gen, rules, file, problems, data
        self.forms = _Forms(book, codes, file, problems)
        self.defs = rules.standard.statistics
        self.missing: dict[str, list[str]] = {}  # form code -> statistics fields it would have given
        self.prefix = gen.generation.prefix

    def form_name(self, code: str) -> str:
        return f"{self.prefix}{code}"

    # -- one figure -------------------------------------------------------------------------

    def figure(self, stat: str, code: str, row_label: str, columns: tuple[tuple[str, ...], ...], unit: str,
               also_in: tuple[str, ...] = (), quiet: bool = False) -> Cell | None:
        """The figure at ``row_label`` × ``columns`` of form ``code`` (or ``also_in``); None,
        with the reason reported, when the form, row or column is not there. ``quiet``: a
        figure only the consistency checks use; its absence is not a problem."""
        found = [(c, *t) for c in (code, *also_in) if (t := self.forms.table(c)) is not None]
        where = next(((c, sheet, table) for c, sheet, table in found
                      if table.row(row_label) is not None and table.column(columns) is not None), None)
        if where is None:
            if code not in self.forms.codes:  # the form itself is missing: said once per form
                self.missing.setdefault(code, []).append(stat)
                return None
            if not found:  # the sheet is there but is no form (reported where it was read)
                return None
            where = found[0]
        c, sheet, table = where
        r = table.row(row_label)
        if quiet and (r is None or table.column(columns) is None):
            return None
        if r is None:
            self.problems.add(Code.FORM_ROW_MISSING, sheet, label=row_label, figure=LABEL.get(stat, stat),
                              found="、".join(list(table.rows)[:12]) or "（没有）")
            return None
        col = table.column(columns)
        if col is None:
            self.problems.add(Code.FORM_COLUMN_MISSING, sheet, table.first_data, path=SEP.join(columns[0]),
                              figure=LABEL.get(stat, stat), found="、".join(table.shown.values()) or "（没有）")
            return None
        factor = column_factor(table, col, stat, unit, self.rules, sheet, self.problems, self.data.conversions)
        if factor is None:
            return None
        shown = f"{table.labels.get(r, row_label)} × {table.shown.get(col, '')}"
        return read_cell(table, sheet, r, col, shown, stat, factor, self.defs.blank_cell_is_zero, self.file,
                         self.problems)

    # -- the school ---------------------------------------------------------------------------

    def info(self, fig: Figures) -> None:
        info = self.gen.info
        found = self.forms.table(info.form)
        if found is None:
            if info.form not in self.forms.codes:
                self.missing.setdefault(info.form, []).append("name")
            return
        sheet, table = found
        col = table.column((info.value_column,))
        if col is None:
            self.problems.add(Code.FORM_COLUMN_MISSING, sheet, table.first_data, path=SEP.join(info.value_column),
                              figure="学校名称等学校信息", found="、".join(table.shown.values()) or "（没有）")
            return
        for key, label in info.rows.items():
            r = table.row(label)
            if r is None:
                continue
            text = text_of(table.grid.get(r, col))
            if text:
                fig.info[key] = text
                fig.info_src[key] = Source(self.file, sheet, r + 1, col_letter(col))
        if "name" in fig.info:
            fig.origin = fig.info_src["name"]

    def stages(self, fig: Figures, vocab: Vocabulary) -> list[str]:
        """The compulsory stages the school runs: by 办学类型, and by the student forms present."""
        kind = school_kind(fig.info.get("school_type", ""), vocab) if fig.info.get("school_type") else None
        expected: set[str] = set()
        if kind in COMPULSORY:
            expected = {kind}
        elif kind in self.rules.standard.split.weights:
            expected = set(self.rules.standard.split.weights[kind]) & set(COMPULSORY)
        present = {f.stage for f in self.gen.figures if f.field == "students" and f.stage and f.form in self.forms.codes}
        return [s for s in COMPULSORY if s in expected | present]

    def read(self, vocab: Vocabulary) -> Figures:
        fig = Figures(self.file, Source(self.file, next(iter(self.forms.codes.values()), "")), "school")
        self.info(fig)
        stages = self.stages(fig, vocab)
        for f in self.gen.figures:
            if f.stage is not None and f.stage not in stages:
                continue
            cell = self.figure(f.field, f.form, f.row, f.columns, f.unit, f.also_in)
            if cell is None:
                continue
            target = fig.staged.setdefault(f.stage, {}) if f.stage else fig.whole
            target[f.field] = cell
        for t in self.gen.teachers:
            if t.stage not in stages:
                continue
            got = fig.staged.setdefault(t.stage, {})
            needed = {"total", *self.defs.qualified_levels.get(t.stage, ())}
            for level, label in t.rows.items():
                cell = self.figure(level, t.form, label, (t.total_column,), "人", quiet=level not in needed)
                if cell is not None:
                    got[level] = cell
            for course, options in t.courses.items():
                cell = self.figure(course, t.form, t.rows.get("total", "合计"), options, "人")
                if cell is not None:
                    got[course] = cell
        for stage in stages:
            fig.staged.setdefault(stage, {})
        return fig

    def report_missing(self, fig: Figures) -> None:
        """One problem per missing form: what it holds and which indicators are left without data."""
        std = self.rules.standard
        for code, stats in self.missing.items():
            feeds = {FEEDS.get(s) for s in stats}
            if "students" in feeds:
                consequence = "该学段各项指标都无法计算"
            elif stats == ["name"]:
                consequence = "学校名称取自文件名，办学类型、是否计校数不明"
            else:
                names = [ind.name for ind in std.indicators if ind.numerator in feeds]
                consequence = f"{'、'.join(names)}按未提供数据处理" if names else "相关数据按未提供处理"
            figures = "、".join(dict.fromkeys("学校名称等学校信息" if s == "name" else LABEL.get(s, s) for s in stats))
            self.problems.add(Code.FORM_MISSING, school=fig.info.get("name", Path(self.file).stem),
                              form=self.form_name(code), title=self.gen.titles.get(code, "统计表"), figures=figures,
                              consequence=consequence)


def read_school_workbook(book, names: list[str], forms: tuple[FormRules, ...], rules: Rules, file: str,
                         sheet_problems: ProblemLog, trace: bool = False) -> list[WorkbookPart] | None:
    """One school's 基层表 workbook -> a part of its county (kind "school", one Record); None
    when the sheets are not named like statistics forms."""
    gen, codes = generation_of(names, rules)
    if gen is None:
        if not looks_like_forms(names):
            return None
        known = "、".join(f"{g.generation.prefix}（{g.generation.title}）" for g in rules.forms if g.info is not None)
        problems = ProblemLog(file)
        problems.add(Code.FORM_GENERATION_UNKNOWN, sheets="、".join(names[:8]), known=known)
        return [WorkbookPart(file=file, kind="county", county=county_from_text(Path(file).stem),
                             problems=problems.items)]
    vocab = Vocabulary.of(rules.aliases)
    problems = ProblemLog(file)
    data = WorkbookPart(file=file, kind="school", generation=gen.generation.name)
    reader = SchoolReader(book, gen, codes, rules, file, problems, data)
    fig = reader.read(vocab)
    if "name" not in fig.info:
        fig.info["name"] = Path(file).stem
    reader.report_missing(fig)
    check_figures(fig, problems)
    rec = to_record(fig, rules.standard.statistics, rules.aliases)
    data.records = [rec]
    data.school = fig.info["name"]
    place = fig.info.get("place", "")
    data.identity = school_county(fig.info.get("region_code"), place, file, rules)
    data.county = data.identity.name
    data.data_year = year_in([Path(file).parent.name, Path(file).stem])
    data.problems = problems.items
    return [data]


def school_county(region_code: str | None, place: str, file: str, rules: Rules) -> CountyId:
    """A school's own county: its 所在地行政区划代码, else the county named in 所在地, else its folder."""
    folder = Path(file).parent.name
    return resolve(code=normalise_code(region_code), title_name=county_from_text(place) if place else None,
                   file_stem=folder or Path(file).stem, counties=rules.counties, context=place,
                   file_name_fallback=county_from_text(folder) if folder else None)

