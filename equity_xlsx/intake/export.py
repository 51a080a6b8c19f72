"""A county- or city-wide 基层表 export (one school per row, one file per stage) -> one part per
county, grouped by 统计三级 / 行政区划代码 (domain.md §7).

Columns are found by header path through ``rules/forms/export.toml``. A row's students and
teachers are its stage's; the facilities marked ``whole`` are the whole school's, so a 九年一贯制
school's two rows (one per stage file) are matched by 学校标识码 when its county is
assembled, and its facilities split once.
"""

from __future__ import annotations

from pathlib import Path

from ..forms import LABEL, FormRules
from ..identity import normalise_code, resolve
from ..model import Conversion, Source
from ..problems import Code, ProblemLog
from ..rulebook import Rules
from .cells import text_of
from .derive import Figures, check_figures, to_record
from .formgrid import SEP, FormTable, cleaned, read_export_table
from .grid import Grid, col_letter, is_blank
from .header import Vocabulary
from .part import WorkbookPart
from .school_forms import column_factor, read_cell
from .table import is_note

ANCHOR = "学校标识码"


def export_rules(rules: Rules) -> FormRules | None:
    return next((f for f in rules.forms if f.info is None), None)


def export_table(grid: Grid, rules: Rules) -> FormTable | None:
    """The export table on ``grid``: a header naming 学校标识码 and the county (统计三级 or
    行政区划代码), and at least one figure column; else None."""
    ex = export_rules(rules)
    if ex is None:
        return None
    table = read_export_table(grid, ex.columns.get("code", (ANCHOR,))[0])
    if table is None:
        return None
    if table.column((ex.columns.get("county", ()),)) is None and table.column((ex.columns.get("region_code", ()),)) is None:
        return None
    if not any(table.column(f.columns) is not None for f in ex.figures):
        return None
    return table


class _Columns:
    """Where each export figure is, found once per sheet (a missing one reported once)."""

    def __init__(self, table: FormTable, ex: FormRules, rules: Rules, sheet: str, problems: ProblemLog,
                 conversions: list[Conversion]):
        self.info = {k: table.column((path,)) for k, path in ex.columns.items()}
        self.figures: list[tuple[str, bool, int, float, str]] = []  # (stat, whole, col, factor, shown)
        self.teachers: list[tuple[str, int, str]] = []  # (teacher row or course, col, shown)

        def missing(path: tuple[str, ...], stat: str) -> None:
            problems.add(Code.FORM_COLUMN_MISSING, sheet, table.first_data, path=SEP.join(path),
                         figure=LABEL.get(stat, stat), found="、".join(table.shown.values()))

        for f in ex.figures:
            col = table.column(f.columns)
            if col is None:
                missing(f.columns[0], f.field)
                continue
            factor = column_factor(table, col, f.field, f.unit, rules, sheet, problems, conversions)
            if factor is None:
                continue
            self.figures.append((f.field, f.whole, col, factor, table.shown[col]))
        t = ex.export_teachers
        if t is not None:
            wanted = [("total", (t.total_column,)), *((lv, (path,)) for lv, path in t.levels.items()),
                      *t.courses.items()]
            for key, options in wanted:
                col = table.column(options)
                if col is None:
                    missing(options[0], key)
                    continue
                self.teachers.append((key, col, table.shown[col]))


def export_stage(file: str, sheet: str, vocab: Vocabulary) -> str | None:
    """小学 / 初中 from the sheet name, else from the file name."""
    return vocab.stage_in(sheet) or vocab.stage_in(Path(file).stem)


def read_export_sheet(grid: Grid, rules: Rules, file: str, vocab: Vocabulary, sheet_problems: ProblemLog,
                      titles_above) -> list[WorkbookPart] | None:  # noqa: ANN001 - SheetView.titles_above
    """Every school row of one export sheet, one part per county; None when the sheet is no export."""
    table = export_table(grid, rules)
    if table is None:
        return None
    sheet = grid.name
    stage = export_stage(file, sheet, vocab)
    if stage is None:
        sheet_problems.add(Code.EXPORT_NO_STAGE, sheet)
        return []
    titles_above(table.header_top)
    parts: dict[str, WorkbookPart] = {}
    ex = export_rules(rules)
    conversions: list[Conversion] = []
    cols = _Columns(table, ex, rules, sheet, sheet_problems, conversions)
    defs = rules.standard.statistics
    name_col = cols.info.get("name")
    if name_col is None:
        sheet_problems.add(Code.MISSING_COLUMN, sheet, table.first_data, missing="学校名称", examples="学校名称")
        return []
    logs: dict[str, ProblemLog] = {}
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
        county_name, region = info.get("county", ""), normalise_code(info.get("region_code"))
        if not county_name and not region:
            sheet_problems.add(Code.EXPORT_NO_COUNTY, sheet, r + 1, col_letter(name_col), school=name)
            continue
        county = resolve(code=region, title_name=county_name or None, file_stem=county_name or Path(file).stem,
                         counties=rules.counties, context=info.get("city", ""))
        part = parts.setdefault(county.key, WorkbookPart(file=file, kind="export", county=county.name,
                                                         generation="export", identity=county))
        log = logs.setdefault(county.key, ProblemLog(file))
        origin = Source(file, sheet, r + 1, col_letter(name_col))
        fig = Figures(file, origin, "export", info=info,
                      info_src={k: Source(file, sheet, r + 1, col_letter(c)) for k, c in cols.info.items() if c is not None})
        got = fig.staged.setdefault(stage, {})
        for stat, whole, col, factor, shown in cols.figures:
            cell = read_cell(table, sheet, r, col, shown, stat, factor, defs.blank_cell_is_zero, file, log)
            if cell is not None:
                (fig.whole if whole else got)[stat] = cell
        for key, col, shown in cols.teachers:
            cell = read_cell(table, sheet, r, col, shown, key, 1.0, defs.blank_cell_is_zero, file, log)
            if cell is not None:
                got[key] = cell
        check_figures(fig, log)
        part.records.append(to_record(fig, defs, rules.aliases))
    for key, log in logs.items():
        parts[key].problems.extend(log.items)
        parts[key].conversions.extend(c for c in conversions if c not in parts[key].conversions)
    return list(parts.values())
