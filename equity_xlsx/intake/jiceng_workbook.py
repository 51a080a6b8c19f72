"""One school's 教育事业统计 基层表 workbook -> a part (one Record) of its county.

One sheet per form, named by its code (教基3112, 基础基312, with suffixes such as
``_小学``); the generation is recognised from the sheet names (and, where they leave it open,
from the 学年初 line), and its rules file (``rules/forms/*.toml``, with the county's own
``表式补充.toml`` first) says which form, row label and column path holds each figure.

An unknown generation, a missing form, section, row or column is a problem naming it and the
labels nearest to the one wanted; what it would have given stays absent, never 0. A blank
cell where the row and column were both found is 0 (``[statistics] blank_cell_is_zero``): the
statistics system leaves zeros blank. A ``*`` cell is one the form says must stay empty: a
figure found there is reported, never read as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..form_layouts import COURSES, INFO_FIELDS, LABEL, TEACHER_ROWS, Figure, FormRules, TeacherForm
from ..identity import CountyId, normalise_code, resolve
from ..model import STAGE_LABEL, Conversion, MappedFigure, Source
from ..problems import Code, ProblemLog
from ..rulebook import Rules
from .cells import parse_number, text_of, to_canonical
from .derive import Figures, check_figures, to_record
from .formgrid import (SECTION_WORDS, SEP, FormSheet, HeaderBand, card_cell, parse_cell, read_form_sheet, show,
                       side_cell, similarity)
from .grid import col_letter, load_grid
from .header import Vocabulary, find_unit
from .normalise import COMPULSORY, school_kind
from .part import FigureTrace, WorkbookPart
from .place import county_from_text, year_in
from .table import INVALID, Cell

# A sheet named like a statistics form: a prefix ending in 基 and a 3–4 digit code.
FORM_LIKE = re.compile(r"^(?P<prefix>[\u4e00-\u9fff]{0,3}基)?(?P<code>\d{3,4}续?)(?:$|[_\-\s（(].*)")
LOCAL_HINT = "表式补充.toml"

# Statistics field -> the canonical field it feeds (its unit family, the indicators it serves).
FEEDS = {"students": "students", "backbone_teachers": "backbone_teachers", "teaching_aux_area": "teaching_area",
         "indoor_sports_area": "sports_area", "field_area": "sports_area", "equipment_value": "equipment_value",
         "multimedia_rooms": "multimedia_rooms", "total": "full_time_teachers",
         **{lv: "qualified_teachers" for lv in TEACHER_ROWS if lv != "total"},
         **{c: "pe_art_teachers" for c in COURSES}}
COUNTED = {"0": "否", "1": "是", "否": "否", "是": "是"}


def form_sheets(names: list[str]) -> dict[str, dict[str, str]]:
    """Sheets named like statistics forms: prefix ("" for a bare code) -> {code: sheet}."""
    out: dict[str, dict[str, str]] = {}
    for name in names:
        m = FORM_LIKE.match(name.strip())
        if m:
            out.setdefault(m.group("prefix") or "", {}).setdefault(m.group("code"), name)
    return out


def generation_of(names: list[str], forms: tuple[FormRules, ...],
                  year: int | None = None) -> tuple[FormRules | None, dict[str, str]]:
    """The form generation whose forms the sheet names carry most, and its {code: sheet}.
    Sheets named by a bare code (312, 3112) count for every generation; a tie is decided by
    the year (the generation whose 学年初 years cover it)."""
    found = form_sheets(names)
    best: list[tuple[int, int, FormRules, dict[str, str]]] = []
    for gen in forms:
        if not gen.per_school:
            continue
        codes = {**found.get("", {}), **found.get(gen.generation.prefix, {})}
        wanted = set(gen.forms())
        hits = len(set(codes) & wanted)
        prefixed = len(set(found.get(gen.generation.prefix, {})) & wanted)
        if hits:
            best.append((prefixed, hits, gen, codes))
    if not best:
        return None, {}
    best.sort(key=lambda b: (-b[0], -b[1]))
    top = [b for b in best if b[:2] == best[0][:2]]
    if len(top) > 1 and year is not None:
        top = [b for b in top if b[2].generation.covers(year)] or top
    return top[0][2], top[0][3]


def looks_like_forms(names: list[str]) -> bool:
    return any(prefix for prefix in form_sheets(names))


# ----------------------------------------------------------------------------- locating a figure

@dataclass
class Place:
    """Where a figure was found: its cells (several when rows are added up) on one form."""

    code: str
    sheet: str
    form: FormSheet
    cells: list[tuple[int, int, str]]  # (row, column, the row's label as written)
    header: str
    unit: str | None  # the unit the form writes at the cells (row, column or form), if any
    origin: str = ""  # the rules file that gave the place


@dataclass
class Miss:
    """Why a figure was not found; ``code`` None for a missing form (reported once per form)."""

    code: Code | None
    sheet: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    nearest: tuple[str, ...] = ()
    form: str = ""
    score: float = 0.0  # how close the nearest label is to the one wanted (0–1)


def _label(alt: tuple[str, ...]) -> str:
    return " + ".join(alt)


class SchoolReader:
    """Reads the figures of one school workbook of one generation."""

    def __init__(self, book, gen: FormRules, codes: dict[str, str], rules: Rules, file: str, problems: ProblemLog,
                 part: WorkbookPart, trace: bool, mappings: dict[str, str] | None = None):
        self.book, self.gen, self.codes, self.rules = book, gen, codes, rules
        # The county's own mapping files merged into this generation: file name -> as shown.
        self.mappings = {p.name: (mappings or {}).get(p.name, p.name) for p in gen.local}
        self.file, self.problems, self.part, self.tracing = file, problems, part, trace
        self.defs = rules.standard.statistics
        self.prefix = gen.generation.prefix
        self.sheets: dict[str, FormSheet | None] = {}
        self.missing: dict[str, list[str]] = {}  # form code -> statistics fields it would have given
        self.traces: list[FigureTrace] = []

    def form_name(self, code: str) -> str:
        return f"{self.prefix}{code}"

    def form(self, code: str) -> tuple[str, FormSheet] | None:
        """The sheet of form ``code`` read once; None when the workbook has no such sheet."""
        sheet = self.codes.get(code)
        if sheet is None:
            return None
        if code not in self.sheets:
            grid = load_grid(self.book, sheet)
            self.sheets[code] = read_form_sheet(grid) if grid.rows else None
            if self.sheets[code] is None:
                self.problems.add(Code.FORM_NOT_A_FORM, sheet)
        fs = self.sheets[code]
        return (sheet, fs) if fs is not None else None

    # -- where ------------------------------------------------------------------------------

    def locate(self, entries: list[Figure]) -> Place | Miss:
        """The first entry (and form of it) where the figure is found, else the most telling miss."""
        misses: list[Miss] = []
        for f in entries:
            for code in (f.form, *f.also_in):
                got = self.form(code)
                if got is None:
                    misses.append(Miss(None, form=code, reason=f"工作簿中没有 {self.form_name(code)} 表"))
                    continue
                hit = self._try(f, code, *got)
                if isinstance(hit, Place):
                    return hit
                misses.append(hit)
        # The entry whose wanted label the sheet comes closest to says most ("运动场地面积" when
        # the sheet has "体育运动场地面积", rather than the grid entry's missing 总计 row).
        told = [m for m in misses if m.code is not None]
        return max(told, key=lambda m: m.score) if told else misses[0]

    def _try(self, f: Figure, code: str, sheet: str, fs: FormSheet) -> Place | Miss:
        grid = fs.grid
        if f.cell:
            r, c = parse_cell(f.cell)
            return Place(code, sheet, fs, [(r, c, f"单元格 {f.cell}")], "", None, f.origin)
        section = SECTION_WORDS.get(f.section) if f.section else None
        if section and fs.sections and section not in fs.sections:
            return self._no_section(sheet, fs, section, f.field)
        rows = fs.find_rows(f.rows, section) if f.rows else None
        if f.columns:
            col = fs.band.column(f.columns) if f.rows else None
            if rows and col is not None:
                return self._place(code, sheet, fs, rows, col, f.origin)
            if f.field in INFO_FIELDS or not f.rows:  # a card: the value under its header cell
                qualifier = tuple(a[0] for a in f.rows)
                hit = card_cell(grid, f.columns, qualifier)
                if hit is not None:
                    r, c, head = hit
                    return Place(code, sheet, fs, [(r, c, qualifier[0] if qualifier else "")], head,
                                 None, f.origin)
                if not f.rows:
                    return self._no_column(sheet, fs, f.columns, f.field, card=True)
            if rows is None:
                return self._no_row(sheet, fs, f.rows, section, f.field)
            return self._no_column(sheet, fs, f.columns, f.field)
        if rows is None:
            if fs.code_col is None and (hit := side_cell(grid, tuple(a[0] for a in f.rows))) is not None:
                r, c, label = hit  # a label | value list with no header row (1001: 学校名称 | …)
                return Place(code, sheet, fs, [(r, c, label)], "", None, f.origin)
            return self._no_row(sheet, fs, f.rows, section, f.field)
        col = fs.value_column()
        if col is None:
            return Miss(Code.FORM_COLUMN_MISSING, sheet, {"path": "（值列）", "figure": LABEL.get(f.field, f.field),
                                                         "found": "（没有）"}, "清单中没有值列")
        return self._place(code, sheet, fs, rows, col, f.origin)

    def _place(self, code: str, sheet: str, fs: FormSheet, rows, col: int, origin: str) -> Place:
        """The cells of ``rows`` in column ``col``; their unit the rows' one unit, else the column's."""
        units = {r.unit for r in rows if r.unit}
        unit = units.pop() if len(units) == 1 else None
        return Place(code, sheet, fs, [(r.r, col, r.shown) for r in rows], fs.band.shown.get(col, ""),
                     unit or fs.band.units.get(col), origin)

    def _no_row(self, sheet: str, fs: FormSheet, rows: tuple[tuple[str, ...], ...], section: str | None,
                stat: str) -> Miss:
        want = _label(rows[0]) if rows else ""
        near = tuple(fs.nearest_rows(rows[0][0] if rows else "", section))
        found = "、".join(r.shown for r in fs.rows[:12]) or "（没有）"
        label = "”或“".join(_label(a) for a in rows[:3])
        where = f"{section}部分的" if section and fs.sections else ""
        return Miss(Code.FORM_ROW_MISSING, sheet, {"label": where + label, "figure": LABEL.get(stat, stat),
                                                   "found": found, "near": "、".join(near) or "（没有）",
                                                   "hint": LOCAL_HINT},
                    f"找不到“{where}{want}”行", near, score=similarity(rows[0][0] if rows else "", near))

    def _no_column(self, sheet: str, fs: FormSheet, columns: tuple[tuple[str, ...], ...], stat: str,
                   card: bool = False) -> Miss:
        near = tuple(fs.nearest_columns(columns[0][-1])) if columns else ()
        found = "、".join(fs.band.shown.values()) if not card else "、".join(
            dict.fromkeys(show(v) for row in fs.grid.rows for v in row if type(v) is str and v.strip()))
        path = "”或“".join(SEP.join(p) for p in columns[:3])
        return Miss(Code.FORM_COLUMN_MISSING, sheet, {"path": path, "figure": LABEL.get(stat, stat),
                                                      "found": found[:300] or "（没有）",
                                                      "near": "、".join(near) or "（没有）", "hint": LOCAL_HINT},
                    f"找不到“{SEP.join(columns[0]) if columns else ''}”列", near,
                    score=similarity(columns[0][-1] if columns else "", near))

    def _no_section(self, sheet: str, fs: FormSheet, section: str, stat: str) -> Miss:
        return Miss(Code.FORM_SECTION_MISSING, sheet, {"section": section, "figure": LABEL.get(stat, stat),
                                                       "found": "、".join(fs.sections), "hint": LOCAL_HINT},
                    f"表中没有“{section}”部分", tuple(fs.sections))

    # -- reading a found place -----------------------------------------------------------------

    def text(self, place: Place) -> tuple[str, Source]:
        r, c, _ = place.cells[0]
        grid = place.form.grid
        m = grid.cover.get((r, c))
        if m is not None:
            r, c = m.r0, m.c0
        return text_of(grid.get(r, c)), Source(self.file, place.sheet, r + 1, col_letter(c))

    def number(self, place: Place, stat: str, rule_unit: str) -> Cell | None:
        """The figure at ``place`` in canonical units (several cells added up), with its source
        ("D17（研究生毕业）"); None, reported, when a cell is unusable or marked ``*``."""
        grid = place.form.grid
        total, parts = 0.0, []
        blank = True
        for r, c, label in place.cells:
            what = f"{label} × {place.header}" if place.header else label
            m = grid.cover.get((r, c))
            if m is not None:
                r, c = m.r0, m.c0
            raw = grid.get(r, c)
            if type(raw) is str and raw.strip() in ("*", "＊"):
                self.problems.add(Code.FORM_CELL_STARRED, place.sheet, r + 1, col_letter(c), header=what,
                                  figure=LABEL.get(stat, stat), hint=LOCAL_HINT)
                return None
            value = _value(grid, place.sheet, r, c, what, self.problems)
            if value is INVALID:
                return None
            if value is not None:
                blank = False
                total += value
            parts.append(f"{col_letter(c)}{r + 1}（{label}）" if len(place.cells) > 1 else "")
        if blank and not self.defs.blank_cell_is_zero:
            return None
        factor = self.factor(place, stat, rule_unit)
        if factor is None:
            return None
        r0, c0, label0 = place.cells[0]
        what = f"{label0} × {place.header}" if place.header else label0
        text = " + ".join(parts) if len(place.cells) > 1 else f"{col_letter(c0)}{r0 + 1}（{what}）"
        return Cell(to_canonical(total, factor), Source(self.file, place.sheet, r0 + 1, col_letter(c0), text,
                                                        self.mappings.get(place.origin, "")), stat)

    def unit_of(self, place: Place, stat: str, rule_unit: str) -> str:
        """The unit the figure is written in: the row's or column's, else the form's 单位 line
        when it fits the figure, else the rules file's."""
        if place.unit:
            return place.unit
        family = self.rules.aliases.units.get(self.rules.aliases.fields[FEEDS[stat]].unit, {})
        sheet_unit = place.form.sheet_unit
        if sheet_unit and find_unit(sheet_unit, family) is not None:
            return sheet_unit
        return rule_unit

    def factor(self, place: Place, stat: str, rule_unit: str) -> float | None:
        """Factor from the figure's unit to the canonical unit of the field it feeds (``unit_factor``)."""
        r, c, label = place.cells[0]
        return unit_factor(self.rules, stat, self.unit_of(place, stat, rule_unit), place.sheet, r + 1, c,
                           place.header or label, self.problems, self.part.conversions)

    # -- one figure ---------------------------------------------------------------------------

    def figure(self, stat: str, stage: str | None, entries: list[Figure], quiet: bool = False) -> Cell | None:
        """One number of the school (quiet: only the checks use it; a miss is not a problem)."""
        got = self.locate(entries)
        what = LABEL.get(stat, stat) + (f"（{STAGE_LABEL[stage]}）" if stage else "")
        if isinstance(got, Miss):
            self.trace_miss(what, got)
            if not quiet:
                self.report(got, stat)
            return None
        cell = self.number(got, stat, entries[0].unit)
        self.trace_hit(what, got, cell, stat, entries[0].unit)
        return cell

    def report(self, miss: Miss, stat: str) -> None:
        if miss.code is None:
            self.missing.setdefault(miss.form, []).append(stat)
        else:
            self.problems.add(miss.code, miss.sheet, **miss.params)

    def trace_hit(self, what: str, place: Place, cell: Cell | None, stat: str, rule_unit: str) -> None:
        if cell is not None and place.origin in self.mappings:
            self.part.mapped_figures.append(MappedFigure(self.mappings[place.origin], self.gen.generation.name,
                                                         place.sheet, what, cell.source.label))
        if not self.tracing:
            return
        r, c, label = place.cells[0]
        raw = " + ".join(text_of(place.form.grid.get(rr, cc)) or "（空白）" for rr, cc, _ in place.cells)
        self.traces.append(FigureTrace(
            school="", figure=what, found=cell is not None, sheet=place.sheet,
            row_label=" + ".join(lbl for _, _, lbl in place.cells), header=place.header,
            cell=" + ".join(f"{col_letter(cc)}{rr + 1}" for rr, cc, _ in place.cells), value=raw,
            unit=self.unit_of(place, stat, rule_unit) if stat in FEEDS else "", rule=place.origin,
            reason="" if cell is not None else "单元格不能使用（见数据问题）"))

    def trace_miss(self, what: str, miss: Miss) -> None:
        if self.tracing:
            self.traces.append(FigureTrace(school="", figure=what, found=False, sheet=miss.sheet,
                                           reason=miss.reason, nearest=miss.nearest))

    # -- the school ---------------------------------------------------------------------------

    def info(self, fig: Figures) -> None:
        for key in INFO_FIELDS:
            entries = self.gen.entries(key)
            if not entries:
                continue
            got = self.locate(entries)
            if isinstance(got, Miss):
                if key == "name" and got.code is None:
                    self.missing.setdefault(got.form, []).append("name")
                self.trace_miss(LABEL[key], got)
                continue
            text, src = self.text(got)
            if key == "counted":
                text = COUNTED.get(text, text)
            if self.tracing:
                self.traces.append(FigureTrace("", LABEL[key], bool(text), got.sheet, got.cells[0][2], got.header,
                                               src.cell, text, "", got.origin, "" if text else "单元格为空"))
            if text:
                fig.info[key] = text
                fig.info_src[key] = src
        if "name" in fig.info:
            fig.origin = fig.info_src["name"]

    def stages(self, fig: Figures, vocab: Vocabulary) -> list[str]:
        """The stages the school runs, by 办学类型 and by the student forms present: the
        compulsory ones, and 高中 for its students alone (a 完全中学's facilities are split by
        weighted students 初中:高中)."""
        kind = school_kind(fig.info.get("school_type", ""), vocab) if fig.info.get("school_type") else None
        expected: set[str] = set()
        if kind in COMPULSORY:
            expected = {kind}
        elif kind in self.rules.standard.split.weights:
            expected = set(self.rules.standard.split.weights[kind])
        present = {f.stage for f in self.gen.figures if f.field == "students" and f.stage and f.form in self.codes}
        return [s for s in (*COMPULSORY, "senior") if s in expected | present]

    def teachers(self, stage: str, fig: Figures) -> None:
        """The stage's 专任教师: 合计, the 学历 rows and the course columns, all from the stage's
        own part of one teacher form (a county's own entries for one of them first)."""
        got = fig.staged.setdefault(stage, {})
        needed = {"total", *self.defs.qualified_levels.get(stage, ())}
        chosen, why = self.teacher_form(stage)
        for level in TEACHER_ROWS:
            own = self.gen.entries(level, stage)
            quiet = level not in needed
            if own:
                cell = self.figure(level, stage, own, quiet)
            elif chosen is not None:
                cell = self.teacher_cell(chosen, level, stage, quiet)
            else:
                cell = None
                if not quiet:
                    self.report(why, level)
                    self.trace_miss(LABEL[level] + f"（{STAGE_LABEL[stage]}）", why)
            if cell is not None:
                got[level] = cell
        self.courses(stage, chosen, why, fig)

    def teacher_form(self, stage: str) -> tuple[tuple[TeacherForm, str, FormSheet, str | None] | None, Miss]:
        """The first teacher form of the stage that the workbook has, with the stage's section."""
        miss: Miss | None = None
        for t in (t for t in self.gen.teachers if t.stage == stage):
            found = self.form(t.form)
            if found is None:
                miss = miss or Miss(None, form=t.form, reason=f"工作簿中没有 {self.form_name(t.form)} 表")
                continue
            sheet, fs = found
            section = SECTION_WORDS.get(t.section) if t.section else None
            if fs.sections and section not in fs.sections:
                if t.section_required:
                    continue
                miss = self._no_section(sheet, fs, section or STAGE_LABEL[stage], "total")
                continue
            if not fs.sections and t.section_required:
                continue
            return (t, sheet, fs, section if fs.sections else None), Miss(None)
        return None, miss or Miss(None, form="", reason="没有教师表")

    def teacher_cell(self, chosen, level: str, stage: str, quiet: bool) -> Cell | None:
        t, sheet, fs, section = chosen
        what = f"{LABEL[level]}（{STAGE_LABEL[stage]}）"
        rows = fs.find_rows(t.rows.get(level, ()), section)
        col = fs.band.column(t.total_column)
        if rows is None or col is None:
            miss = (self._no_row(sheet, fs, t.rows.get(level, (("",),)), section, level) if rows is None
                    else self._no_column(sheet, fs, t.total_column, level))
            self.trace_miss(what, miss)
            if not quiet:
                self.report(miss, level)
            return None
        place = self._place(t.form, sheet, fs, rows, col, t.origin)
        cell = self.number(place, level, "人")
        self.trace_hit(what, place, cell, level, "人")
        return cell

    def courses(self, stage: str, chosen, why: Miss, fig: Figures) -> None:
        """The course columns of the 合计 row: a header group (艺术 over 音乐 and 美术) and its
        leaves are never both counted; a course the form has no column for, listed as
        optional, counts 0 and is said."""
        got = fig.staged[stage]
        if chosen is None:
            for course in self.defs.pe_art_courses:
                self.report(why, course)
            return
        t, sheet, fs, section = chosen
        total_rows = fs.find_rows(t.rows.get("total", (("合计",),)), section)
        cols = {c: fs.band.column(t.courses.get(c, ())) for c in COURSES}
        cols = {c: col for c, col in cols.items() if col is not None}
        covered = choose_courses(fs.band, cols, t.optional_courses, self.defs.pe_art_courses)
        fig.covered.setdefault(stage, {}).update(covered)
        for course in self.defs.pe_art_courses:
            what = f"{LABEL[course]}（{STAGE_LABEL[stage]}）"
            own = self.gen.entries(course, stage)
            if own:
                cell = self.figure(course, stage, own)
                if cell is not None:
                    got[course] = cell
                continue
            if course in covered:
                if self.tracing:
                    self.traces.append(FigureTrace("", what, True, sheet, reason=covered[course]))
                continue
            if total_rows is None:
                miss = self._no_row(sheet, fs, t.rows.get("total", (("合计",),)), section, course)
                self.report(miss, course)
                self.trace_miss(what, miss)
                continue
            col = cols.get(course)
            if col is None:
                miss = self._no_column(sheet, fs, t.courses.get(course, ((LABEL[course],),)), course)
                self.report(miss, course)
                self.trace_miss(what, miss)
                continue
            place = Place(t.form, sheet, fs, [(total_rows[0].r, col, total_rows[0].shown)],
                          fs.band.shown.get(col, ""), None, t.origin)
            cell = self.number(place, course, "人")
            self.trace_hit(what, place, cell, course, "人")
            if cell is not None:
                got[course] = cell

    def read(self, vocab: Vocabulary) -> Figures:
        fig = Figures(self.file, Source(self.file, next(iter(self.codes.values()), "")), "school")
        self.info(fig)
        stages = self.stages(fig, vocab)
        done: set[tuple[str, str | None]] = set()
        for f in self.gen.figures:
            key = (f.field, f.stage)
            if f.field in INFO_FIELDS or f.field in TEACHER_ROWS or f.field in COURSES or key in done:
                continue
            done.add(key)
            if (f.stage is not None or not stages) and f.stage not in stages:
                continue  # another stage's figure, or a school with no stage we evaluate
            cell = self.figure(f.field, f.stage, self.gen.entries(*key))
            if cell is None:
                continue
            target = fig.staged.setdefault(f.stage, {}) if f.stage else fig.whole
            target[f.field] = cell
        for stage in (s for s in stages if s in COMPULSORY):
            self.teachers(stage, fig)
        return fig

    def report_missing(self, fig: Figures) -> None:
        """One problem per missing form: what it holds and which indicators are left without data."""
        std = self.rules.standard
        for code, stats in self.missing.items():
            if not code:
                continue
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


def unit_factor(rules: Rules, stat: str, unit: str, sheet: str, row: int, col: int, header: str,
                problems: ProblemLog, conversions: list[Conversion]) -> float | None:
    """Factor from ``unit`` (as the form or export writes it; "" for none) to the canonical unit
    of the field the statistics field ``stat`` feeds. A conversion (factor not 1) is added to
    ``conversions`` once, for 口径说明; a unit not of the field's family is reported at the cell
    (Excel ``row``, 0-based ``col``) and gives None."""
    spec = rules.aliases.fields[FEEDS[stat]]
    family = rules.aliases.units.get(spec.unit, {})
    key = find_unit(unit, family) if unit else ""
    if key is None:
        problems.add(Code.UNKNOWN_UNIT, sheet, row, col_letter(col), header=header, unit=unit, field=spec.label,
                     known="、".join(u for u in family if u))
        return None
    factor = family.get(key, 1.0)
    if factor != 1:
        conversion = Conversion(sheet, col_letter(col), header, FEEDS[stat], unit, factor)
        if conversion not in conversions:
            conversions.append(conversion)
    return factor


def choose_courses(band: HeaderBand, cols: dict[str, int], optional: tuple[str, ...],
                   wanted: tuple[str, ...]) -> dict[str, str]:
    """Courses counted through another column (course -> why), removing them from ``cols``:
    a group total whose leaves are counted (艺术›计 over 音乐, 美术), the leaves of a group whose
    total is counted when the form gives no leaf column, an optional course with no column."""
    covered: dict[str, str] = {}
    for course, col in list(cols.items()):
        leaves = [c for c, other in cols.items() if c != course and band.is_group_of(col, other)]
        if leaves:
            del cols[course]
            covered[course] = (f"“{band.shown.get(col, LABEL[course])}”是"
                               f"{'、'.join(LABEL[c] for c in leaves)}的合计，只计分项，不重复计")
    for course in wanted:
        if course in cols or course in covered:
            continue
        group = next((c for c, col in cols.items() if band.has_children(col)
                      and any(band.is_group_of(col, x) and LABEL[course] in band.paths[x] for x in band.paths)), None)
        if group is not None:
            covered[course] = f"计在“{band.shown.get(cols[group], LABEL[group])}”中，不重复计"
        elif course in optional:
            covered[course] = f"表中没有“{LABEL[course]}”列，按 0 计"
    return covered


def _value(grid, sheet: str, r: int, c: int, what: str, problems: ProblemLog) -> Any:
    """The number at (r, c): a float, None (blank) or INVALID (reported here, naming the cell)."""
    if (r, c) in grid.no_cache:
        problems.add(Code.NO_CACHED_VALUE, sheet, r + 1, col_letter(c), header=what)
        return INVALID
    raw = grid.get(r, c)
    value, err = parse_number(raw)
    if err:
        problems.add(Code.NOT_A_NUMBER, sheet, r + 1, col_letter(c), header=what, reason=err)
        return INVALID
    if value is not None and value < 0:
        problems.add(Code.NEGATIVE, sheet, r + 1, col_letter(c), header=what, value=value)
        return INVALID
    return value


def _workbook_year(reader: SchoolReader, names: list[str], book, file: str) -> tuple[int | None, str]:
    """The data year: the 学年初 line of the form naming the school (or of a 封面 sheet), else
    the folder or file name; and where it came from ("line" | "name" | "")."""
    lines: list[str] = []
    got = reader.form(reader.gen.info_form) if reader.gen.info_form else None
    if got is not None:
        lines += got[1].titles
    cover = next((n for n in names if n.strip() in ("封面", "表封面")), None)
    if cover is not None:
        grid = load_grid(book, cover)
        lines += [v for row in grid.rows[:12] for v in row if type(v) is str and "学年" in v]
    year = year_in([t for t in lines if "学年" in t])
    if year is not None:
        return year, "line"
    year = year_in([Path(file).parent.name, Path(file).stem])
    return year, "name" if year is not None else ""


def read_school_workbook(book, names: list[str], forms: tuple[FormRules, ...], rules: Rules, file: str,
                         sheet_problems: ProblemLog, trace: bool = False,
                         mappings: dict[str, str] | None = None) -> list[WorkbookPart] | None:
    """One school's 基层表 workbook -> a part of its county (kind "school", one Record); None
    when the sheets are not named like statistics forms. ``mappings`` shows the county's own
    mapping files by name as the user sees them (云溪县基层表/表式补充.toml)."""
    gen, codes = generation_of(names, forms)
    if gen is None:
        if not looks_like_forms(names):
            return None
        known = "、".join(f"{g.generation.prefix}（{g.generation.title}）" for g in forms if g.per_school)
        problems = ProblemLog(file)
        problems.add(Code.FORM_GENERATION_UNKNOWN, sheets="、".join(names[:8]), known=known)
        return [WorkbookPart(file=file, kind="county", county=county_from_text(Path(file).stem),
                             problems=problems.items)]
    vocab = Vocabulary.of(rules.aliases)
    problems = ProblemLog(file)
    part = WorkbookPart(file=file, kind="school", generation=gen.generation.name)
    reader = SchoolReader(book, gen, codes, rules, file, problems, part, trace, mappings)
    year, said = _workbook_year(reader, names, book, file)
    again, again_codes = generation_of(names, forms, year)
    if again is not gen:  # bare form codes: the 学年初 year decides between generations
        gen, codes = again, again_codes
        reader = SchoolReader(book, gen, codes, rules, file, problems, part, trace, mappings)
    if said == "line" and not gen.generation.covers(year):
        problems.add(Code.FORM_GENERATION_YEAR, generation=gen.generation.title, year=year,
                     years=gen.generation.years)
    part.mapped_figures = []  # only what the reading of the chosen generation took
    fig = reader.read(vocab)
    if "name" not in fig.info:
        fig.info["name"] = Path(file).stem
    part.school = fig.info["name"]
    part.form_mappings = list(reader.mappings.values())
    part.mapped_figures = [replace(m, school=part.school) for m in part.mapped_figures]
    part.identity = school_county(fig.info.get("region_code"), fig.info.get("place", ""), file, rules)
    part.county, part.data_year = part.identity.name, year
    if not fig.staged and fig.info.get("school_type"):
        # A 幼儿园 or 中职 among a county's workbooks: said, not an error, and not evaluated.
        problems.add(Code.NOT_COMPULSORY_SCHOOL, school=part.school, school_type=fig.info["school_type"])
        part.problems = problems.items
        return [part]
    reader.report_missing(fig)
    check_figures(fig, problems)
    part.records = [to_record(fig, rules.standard.statistics, rules.aliases)]
    part.problems = problems.items
    for t in reader.traces:
        t.school = part.school
    part.trace = reader.traces
    return [part]


def school_county(region_code: str | None, place: str, file: str, rules: Rules) -> CountyId:
    """A school's own county: its 所在地行政区划代码, else the county named in 所在地, else its folder."""
    folder = Path(file).parent.name
    return resolve(code=normalise_code(region_code), title_name=county_from_text(place) if place else None,
                   file_stem=folder or Path(file).stem, counties=rules.counties, context=place,
                   file_name_fallback=county_from_text(folder) if folder else None)


def read_cell(table, sheet: str, r: int, col: int, what: str, stat: str, factor: float,
              blank_zero: bool, file: str, problems: ProblemLog) -> Cell | None:  # noqa: ANN001 - FormTable
    """One export cell in canonical units, with its cell and what it is ("H7（在校学生数›合计）");
    None when blank (and blanks are not 0) or unusable."""
    grid = table.grid
    m = grid.cover.get((r, col))
    if m is not None:
        r, col = m.r0, m.c0
    value = _value(grid, sheet, r, col, what, problems)
    if value is INVALID:
        return None
    if value is None:
        if not blank_zero:
            return None
        value = 0.0
    cell = f"{col_letter(col)}{r + 1}"
    return Cell(to_canonical(value, factor), Source(file, sheet, r + 1, col_letter(col), f"{cell}（{what}）"), stat)
