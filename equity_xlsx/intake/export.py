"""A county- or city-wide 基层表 export (one school per row, one file per stage) -> one part per
county, grouped by 统计三级 / 行政区划代码 (domain.md §7).

An export is recognised by its header, whatever the file is called: a header naming 统计三级
(or 行政区划代码) with a figure column, or naming 学校标识码 with the teachers' 学历 columns.
Columns are found by header path through ``rules/forms/export.toml`` (variants such as
``本学年校舍建筑面积›教学及辅助用房›计`` or ``教基1102›县级以上骨干教师(小学)``; a unit alone
on the row under a header, ``(平方米)``, is that column's unit). A row's students and teachers
are its stage's — the stage from the sheet or file name, the title above the header, or else
the school's own 办学类型; the facilities marked ``whole`` are the whole school's, so a 九年一贯制
school's two rows (one per stage file) are matched by 学校标识码 when its county is
assembled, and its facilities split once.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..form_layouts import LABEL, FormRules
from ..identity import normalise_code, resolve
from ..model import STAGE_LABEL, Conversion, MappedFigure, Source
from ..problems import Code, ProblemLog
from ..rulebook import Rules
from .cells import text_of
from .derive import Figures, check_figures, to_record
from .formgrid import SEP, ExportTable, cleaned, nearest, read_export_table
from .grid import Grid, col_letter, is_blank
from .header import Vocabulary
from .normalise import COMPULSORY, school_kind
from .part import FigureTrace, WorkbookPart
from .place import county_from_text, county_in_titles
from .jiceng_workbook import COUNTED, LOCAL_HINT, choose_courses, read_cell, unit_factor
from .table import is_note

ANCHORS = ("学校标识码", "统计三级")


def export_rules(forms: tuple[FormRules, ...]) -> FormRules | None:
    return next((f for f in forms if not f.per_school), None)


def export_table(grid: Grid, ex: FormRules) -> ExportTable | None:
    """The export table on ``grid`` (see the module doc), else None."""
    table = read_export_table(grid, ANCHORS)
    if table is None:
        return None
    band = table.band
    placed = band.column(ex.columns.get("county", ())) is not None or band.column(
        ex.columns.get("region_code", ())) is not None
    figures = any(band.column(f.columns) is not None for f in ex.figures)
    t = ex.export_teachers
    levels = t is not None and any(band.column(p) is not None for p in t.levels.values())
    if (placed and figures) or (band.column(ex.columns.get("code", ())) is not None and levels):
        return table
    return None


class _Columns:
    """Where each export figure is, found once per sheet (a missing one reported once)."""

    def __init__(self, table: ExportTable, ex: FormRules, rules: Rules, sheet: str, stage_cols: set[str],
                 problems: ProblemLog, conversions: list[Conversion]):
        band = table.band
        self.info = {k: band.column(paths) for k, paths in ex.columns.items()}
        # (stat, stage, whole, col, factor, shown, unit, the rules file that named the column)
        self.figures: list[tuple[str, str | None, bool, int, float, str, str, str]] = []
        self.teachers: list[tuple[str, int, str]] = []  # (teacher row or course, col, shown)
        self.covered: dict[str, str] = {}
        self.missing: list[tuple[str, str, tuple[str, ...]]] = []  # (stat, path wanted, nearest headers)

        def missing(options: tuple[tuple[str, ...], ...], stat: str) -> None:
            path = "”或“".join(SEP.join(p) for p in options[:3])
            near = tuple(nearest(options[0][-1], list(band.shown.values())))
            self.missing.append((stat, path, near))
            problems.add(Code.FORM_COLUMN_MISSING, sheet, table.first_data, path=path, figure=LABEL.get(stat, stat),
                         found="、".join(band.shown.values())[:300], near="、".join(near) or "（没有）", hint=LOCAL_HINT)

        done: set[tuple[str, str | None]] = set()
        for f in ex.figures:
            col = band.column(f.columns)
            if col is None:
                continue
            key = (f.field, f.stage)
            if key in done:
                continue
            done.add(key)
            factor = unit_factor(rules, f.field, band.units.get(col) or f.unit, sheet, table.first_data, col,
                                 band.shown.get(col, ""), problems, conversions)
            if factor is not None:
                self.figures.append((f.field, f.stage, f.whole, col, factor, band.shown[col],
                                     band.units.get(col) or f.unit, f.origin))
        have = {f for f, _ in done}
        for f in ex.figures:
            if f.field not in have and f.stage is None:
                missing(f.columns, f.field)
                have.add(f.field)
        t = ex.export_teachers
        if t is not None:
            # 学历 rows only the statisticians' checks use are read when there, never missed.
            needed = {"total", *(lv for lvs in rules.standard.statistics.qualified_levels.values() for lv in lvs)}
            wanted = [("total", t.total_column), *t.levels.items()]
            for key, options in wanted:
                col = band.column(options)
                if col is None:
                    if key in needed:
                        missing(options, key)
                    continue
                self.teachers.append((key, col, band.shown[col]))
            cols = {c: col for c, options in t.courses.items() if (col := band.column(options)) is not None}
            self.covered = choose_courses(band, cols, t.optional_courses, rules.standard.statistics.pe_art_courses)
            for course, options in t.courses.items():
                if course in cols:
                    self.teachers.append((course, cols[course], band.shown[cols[course]]))
                elif course not in self.covered:
                    missing(options, course)


def export_stage(file: str, sheet: str, vocab: Vocabulary, titles: list[str]) -> str | None:
    """小学 / 初中 (or 高中: its students split a 完全中学's facilities) from the sheet name, the
    file name, or the title above the header."""
    for text in (sheet, Path(file).stem, *titles):
        stage = vocab.stage_in(text)
        if stage is not None:
            return stage
    return None


def read_export_sheet(grid: Grid, rules: Rules, file: str, vocab: Vocabulary, sheet_problems: ProblemLog,
                      titles_above, forms: tuple[FormRules, ...] | None = None,  # noqa: ANN001
                      trace: bool = False, mappings: dict[str, str] | None = None) -> list[WorkbookPart] | None:
    """Every school row of one export sheet, one part per county; None when the sheet is no
    export. ``titles_above(top)`` keeps and returns the texts above the header; ``trace``
    records where each figure of each school was found (``forms check``); ``mappings`` shows
    the county's own mapping files by name as the user sees them."""
    ex = export_rules(forms or rules.forms)
    table = export_table(grid, ex) if ex is not None else None
    if table is None:
        return None
    local = {p.name: (mappings or {}).get(p.name, p.name) for p in ex.local}
    sheet = grid.name
    titles = titles_above(table.header_top)
    sheet_stage = export_stage(file, sheet, vocab, titles)
    parts: dict[str, WorkbookPart] = {}
    conversions: list[Conversion] = []
    cols = _Columns(table, ex, rules, sheet, set(), sheet_problems, conversions)
    defs = rules.standard.statistics
    name_col = cols.info.get("name")
    if name_col is None:
        sheet_problems.add(Code.MISSING_COLUMN, sheet, table.first_data, missing="学校名称", examples="学校名称")
        return []
    logs: dict[str, ProblemLog] = {}
    unstaged: list[str] = []
    for r in range(table.first_data, grid.row0 + grid.nrows):
        info = {k: text_of(grid.get(r, c)) for k, c in cols.info.items() if c is not None}
        name = info.get("name", "")
        if not any(not is_blank(v) for v in grid.rows[r - grid.row0]):
            continue
        if name and is_note(name, rules.aliases):
            break
        if not name or cleaned(name) in rules.aliases.total_words:
            if not name and info.get("code"):
                sheet_problems.add(Code.NAME_EMPTY, sheet, r + 1, col_letter(name_col))
            continue
        stage = sheet_stage or _stage_of_type(info.get("school_type", ""), vocab)
        if stage is None:
            unstaged.append(name)
            continue
        if "counted" in info:
            info["counted"] = COUNTED.get(info["counted"], info["counted"])
        county_name, region = info.get("county", ""), normalise_code(info.get("region_code"))
        if not county_name and not region and cols.info.get("county") is None and cols.info.get("region_code") is None:
            county_name = county_in_titles(titles) or county_from_text(Path(file).stem) or ""
        if not county_name and not region:
            sheet_problems.add(Code.EXPORT_NO_COUNTY, sheet, r + 1, col_letter(name_col), school=name)
            continue
        county = resolve(code=region, title_name=county_name or None, file_stem=county_name or Path(file).stem,
                         counties=rules.counties, context=info.get("city", ""))
        part = parts.setdefault(county.key, WorkbookPart(file=file, kind="export", county=county.name,
                                                         generation="export", identity=county,
                                                         form_mappings=list(local.values())))
        log = logs.setdefault(county.key, ProblemLog(file))
        origin = Source(file, sheet, r + 1, col_letter(name_col))
        fig = Figures(file, origin, "export", info=info,
                      info_src={k: Source(file, sheet, r + 1, col_letter(c)) for k, c in cols.info.items() if c is not None})
        got = fig.staged.setdefault(stage, {})
        traced: list[FigureTrace] = []

        def keep(stat: str, col: int, shown: str, cell, unit: str, whole: bool = False) -> None:  # noqa: ANN001
            if trace:  # a whole-school figure (``whole`` in the rules) is named without its stage
                what = LABEL.get(stat, stat) + ("" if whole else f"（{STAGE_LABEL.get(stage, stage)}）")
                traced.append(FigureTrace(name, what, cell is not None, sheet, "", shown, f"{col_letter(col)}{r + 1}",
                                          text_of(grid.get(r, col)), unit, ex.path.name,
                                          "" if cell is not None else "单元格不能使用（见数据问题）"))

        for stat, only, whole, col, factor, shown, unit, rule in cols.figures:
            if only is not None and only != stage:
                continue
            if stat in got and only is None:
                continue  # a column of this stage's own was read first
            cell = read_cell(table, sheet, r, col, shown, stat, factor, defs.blank_cell_is_zero, file, log)
            keep(stat, col, shown, cell, unit, whole)
            if cell is not None and rule in local:  # a column the county's own file named: said
                cell.source = replace(cell.source, via=local[rule])
                part.mapped_figures.append(MappedFigure(local[rule], "export", sheet, LABEL.get(stat, stat),
                                                        f"{col_letter(col)} 列（{shown}）", name))
            if cell is not None:
                (fig.whole if whole else got)[stat] = cell
        for key, col, shown in cols.teachers:
            cell = read_cell(table, sheet, r, col, shown, key, 1.0, defs.blank_cell_is_zero, file, log)
            keep(key, col, shown, cell, "人")
            if cell is not None:
                got[key] = cell
        if trace:
            traced += [FigureTrace(name, f"{LABEL[c]}（{STAGE_LABEL.get(stage, stage)}）", True, sheet, reason=why)
                       for c, why in cols.covered.items()]
            traced += [FigureTrace(name, LABEL.get(stat, stat), False, sheet, reason=f"找不到“{path}”列", nearest=near)
                       for stat, path, near in cols.missing]
            part.trace += traced
        fig.covered[stage] = dict(cols.covered)
        check_figures(fig, log)
        part.records.append(to_record(fig, defs, rules.aliases))
    if unstaged:
        sheet_problems.add(Code.EXPORT_NO_STAGE, sheet, schools="、".join(unstaged[:5]) + (" 等" if len(unstaged) > 5 else ""),
                           count=len(unstaged))
    for key, log in logs.items():
        parts[key].problems.extend(log.items)
        parts[key].conversions.extend(c for c in conversions if c not in parts[key].conversions)
    return list(parts.values())


def _stage_of_type(school_type: str, vocab: Vocabulary) -> str | None:
    """The one compulsory stage a school's 办学类型 names (小学, 初级中学); None for a 一贯制 school."""
    kind = school_kind(school_type, vocab) if school_type else None
    return kind if kind in COMPULSORY else None
