"""read_file: one workbook file -> its parts; read_workbook: one file -> its CountyData.

A file is read by recognisers, tried in order (``WORKBOOK_RECOGNISERS``, then for each
visible sheet ``SHEET_RECOGNISERS``); each returns the parts it recognised (``intake.part``)
or None when the workbook or sheet is not its shape:

- a school's 教育事业统计 基层表 workbook (sheets named by form code) -> one "school" part;
- a stage export sheet (one school per row, header naming 学校标识码 / 统计三级) -> one
  "export" part per county in it;
- a school table (a header row naming 学校名称 and 在校生数), a one-school form (label |
  value), a table without one of those two columns (reported), a 县级指标 sheet -> pieces of
  the workbook's one "county" part.

Nothing is normalised here: ``intake.assemble`` does that for every shape alike, so a 九年一贯制
school on a 小学 sheet and an 初中 sheet, or in two stage exports, is one school.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import python_calamine as pc

from ..form_layouts import FormRules
from ..identity import code_in_text, resolve
from ..model import Conversion, CountyData
from ..problems import Code, ProblemLog, internal_detail
from ..rulebook import Rules
from .assemble import assemble
from .county_figures import county_labels, county_lookup, read_county
from .export import read_export_sheet
from .one_school_sheet import form_labels, is_form, read_form
from .grid import Book, Grid, UnreadableFile, col_letter, load_grid, open_book
from .header import Header, Vocabulary, build_header, find_header, units_from_titles
from .limits import LimitExceeded, Limits
from .local import local_form_rules, shown_names
from .part import WorkbookPart
from .place import county_from_text, county_in_titles, year_in
from .jiceng_workbook import read_school_workbook
from .table import read_records

# Header texts that are never a field: not worth listing as "not recognised".
NOISE_HEADERS = frozenset({"序号", "编号", "备注", "说明", "合计", "小计", "行次", "代码"})


@dataclass
class ReadContext:
    """What every recogniser needs to know about the file being read."""

    file: str  # as shown to people (relative to the input folder)
    path: Path
    rules: Rules
    problems: ProblemLog  # problems of the workbook as a whole and of sheets no part claims
    forms: tuple[FormRules, ...]  # the bundled form rules, with the county's own mapping files first
    trace: bool = False  # record where each figure was found (``forms check``)
    titles: list[str] = field(default_factory=list)  # text above the tables, in sheet order

    @cached_property
    def vocab(self) -> Vocabulary:
        return Vocabulary.of(self.rules.aliases)

    @cached_property
    def mappings(self) -> dict[str, str]:
        """The county's own mapping files by name, as the user sees them (``local.shown_names``)."""
        return shown_names(self.path, self.file)

    @cached_property
    def county_lookup(self) -> dict[str, str]:
        return county_lookup(self.rules.aliases)


class SheetView:
    """One visible sheet, its grid and what the recognisers look for, each found once."""

    def __init__(self, grid: Grid, ctx: ReadContext):
        self.grid, self.ctx, self.name = grid, ctx, grid.name

    @cached_property
    def header(self) -> tuple[int, int, list[str], set[str]] | None:
        return find_header(self.grid, self.ctx.vocab)

    @cached_property
    def labels(self) -> dict:
        return form_labels(self.grid, self.ctx.vocab)

    @cached_property
    def stage(self) -> str | None:
        return self.ctx.vocab.stage_in(self.name)

    def titles_above(self, top: int) -> list[str]:
        """The text of the rows above ``top`` (absolute), at most 10 rows, kept for the county's
        name and the data year."""
        grid = self.grid
        out = [v.strip() for i in range(0, min(top - grid.row0, 10, grid.nrows))
               for v in grid.rows[i] if type(v) is str and v.strip()]
        self.ctx.titles.extend(out)
        return out


def _county_part(ctx: ReadContext) -> WorkbookPart:
    return WorkbookPart(file=ctx.file, kind="county")


# ----------------------------------------------------------------------------- sheet recognisers

def export_sheet(sheet: SheetView) -> list[WorkbookPart] | None:
    """A stage export (one school per row): one part per county in it."""
    ctx = sheet.ctx
    return read_export_sheet(sheet.grid, ctx.rules, ctx.file, ctx.vocab, ctx.problems, sheet.titles_above, ctx.forms,
                             ctx.trace, ctx.mappings)


def school_table_sheet(sheet: SheetView) -> list[WorkbookPart] | None:
    """A table of schools: a header naming 学校名称 and 在校生数, one school (section) per row."""
    found = sheet.header
    if found is None or not {"name", "students"} <= found[3]:
        return None
    ctx, grid, vocab = sheet.ctx, sheet.grid, sheet.ctx.vocab
    head = sheet.titles_above(found[0])
    hdr: Header = build_header(grid, vocab, ctx.rules.standard, found, units_from_titles(head, vocab.aliases))
    part = _county_part(ctx)
    problems, aliases, name = ctx.problems, vocab.aliases, grid.name
    for col, label, fname, unit in hdr.unknown_units:
        family = aliases.units.get(aliases.fields[fname].unit, {})
        known = "、".join(u for u in family if u) or "不写单位"
        problems.add(Code.UNKNOWN_UNIT, name, hdr.excel_row, col_letter(col), header=label, unit=unit,
                     field=aliases.fields[fname].label, known=known)
    for col, label, fname in hdr.duplicates:
        first = next(c for c in hdr.columns if c.field == fname)
        problems.add(Code.DUPLICATE_COLUMN, name, hdr.excel_row, col_letter(col), header=label,
                     first_column=first.letter, first_header=first.header, field=aliases.fields[fname].label)
    for c in hdr.columns:
        if c.factor != 1.0 or c.unit_from != "header":
            part.conversions.append(Conversion(name, c.letter, c.header, c.field, c.unit, c.factor))
        if c.unit_from == "setting":
            problems.add(Code.DEFAULT_UNIT, name, hdr.excel_row, c.letter, header=c.header, unit=c.unit)
        elif c.unit_from == "title":
            problems.add(Code.TITLE_UNIT, name, hdr.excel_row, c.letter, header=c.header, unit=c.unit)
    part.records = read_records(grid, hdr, vocab, ctx.file, problems, sheet.stage)
    part.unmatched[name] = [text for text in found[2] if text and not vocab.match(text) and text not in NOISE_HEADERS]
    return [part]


def one_school_form_sheet(sheet: SheetView) -> list[WorkbookPart] | None:
    """One school on a sheet, as label | value pairs (学校名称 | 城南小学, 在校生数 | 812)."""
    if not is_form(sheet.labels):
        return None
    ctx, grid = sheet.ctx, sheet.grid
    head = sheet.titles_above(grid.row0 + 3)
    rec = read_form(grid, sheet.labels, ctx.vocab, ctx.rules.standard, ctx.file, ctx.problems, sheet.stage,
                    units_from_titles(head, ctx.vocab.aliases))
    part = _county_part(ctx)
    part.records = [rec] if rec is not None else []
    return [part]


def incomplete_table_sheet(sheet: SheetView) -> list[WorkbookPart] | None:
    """A header row that names known fields but not both 学校名称 and 在校生数: reported, not read."""
    if sheet.header is None:
        return None
    top, bottom, _, fields = sheet.header
    aliases = sheet.ctx.vocab.aliases
    missing = [aliases.fields[f].label for f in ("name", "students") if f not in fields]
    examples = "、".join(aliases.fields["students" if "students" not in fields else "name"].aliases[:4])
    sheet.ctx.problems.add(Code.MISSING_COLUMN, sheet.name, bottom + 1, missing="”“".join(missing), examples=examples)
    sheet.titles_above(top)
    return []


def county_figures_sheet(sheet: SheetView) -> list[WorkbookPart] | None:
    """A 县级指标 sheet: county-wide figures as label | value rows."""
    ctx = sheet.ctx
    labels = county_labels(sheet.grid, ctx.county_lookup)
    if not labels:
        return None
    part = _county_part(ctx)
    read_county(sheet.grid, labels, ctx.file, ctx.problems, part.county_figures, part.county_sources,
                ctx.vocab.aliases)
    sheet.titles_above(sheet.grid.row0 + 2)
    return [part]


SheetRecogniser = Callable[[SheetView], "list[WorkbookPart] | None"]
SHEET_RECOGNISERS: tuple[SheetRecogniser, ...] = (
    export_sheet, school_table_sheet, one_school_form_sheet, incomplete_table_sheet, county_figures_sheet)


# ----------------------------------------------------------------------------- workbook recognisers

def school_forms_workbook(book: Book, sheets: list[str], ctx: ReadContext) -> list[WorkbookPart] | None:
    """A school's 基层表 workbook: its sheets are named by form code (基础基312, 教基3112_小学 …)."""
    return read_school_workbook(book, sheets, ctx.forms, ctx.rules, ctx.file, ctx.problems, ctx.trace, ctx.mappings)


WorkbookRecogniser = Callable[[Book, "list[str]", ReadContext], "list[WorkbookPart] | None"]
WORKBOOK_RECOGNISERS: tuple[WorkbookRecogniser, ...] = (school_forms_workbook,)


# ----------------------------------------------------------------------------- the file

def read_workbook(path: Path, rules: Rules, display_name: str | None = None,
                  limits: Limits | None = None) -> CountyData:
    """Read one workbook (.xlsx/.xlsm/.xls/.ods) and assemble it into CountyData.

    A collection table is one county; so is a school's 基层表 workbook or a stage export of
    one county. An export of several counties is a ValueError: read it with ``read_file``.
    """
    parts = read_file(path, rules, display_name, limits)
    if len({p.county_id.key for p in parts}) > 1:
        raise ValueError("the file holds several counties: use read_file")
    return assemble(parts, rules)


def read_file(path: Path, rules: Rules, display_name: str | None = None, limits: Limits | None = None,
              trace: bool = False) -> list[WorkbookPart]:
    """Read one input file into its parts: a whole county (a collection table), one school's
    基层表 workbook, or one part per county of a stage export.

    Never raises for bad content: every problem is a Problem (Chinese message, file, sheet,
    Excel row, column letter). Units in the records: areas m², money 元, counts as counts;
    ratios on a 县级指标 sheet as fractions (0.96). A file that cannot be read at all gives
    one part with no records and one file-level error, as does one that passes ``limits``.
    ``trace`` records where each figure of a 基层表 was found (``equity-xlsx forms check``).
    """
    path = Path(path)
    file = display_name or path.name
    try:
        book = open_book(path, limits or rules.standard.limits)
    except LimitExceeded as exc:
        return [_not_read(file, Code.LIMIT, reason=f"文件“{file}”超出读取上限：{exc.message}", limit=exc.code)]
    except Exception as exc:  # UnreadableFile, or anything else: one bad file never stops a nightly run
        if isinstance(exc, UnreadableFile):
            return [_not_read(file, Code.UNREADABLE, reason=str(exc), why=exc.why, detail=exc.detail)]
        return [_not_read(file, Code.UNREADABLE, reason="文件无法读取", why="other", detail=internal_detail(exc))]
    problems = ProblemLog(file)
    try:
        forms = local_form_rules(path, rules.forms)
    except Exception as exc:  # a county's own mapping file with a mistake: named, the file not read
        return [_not_read(file, Code.FORM_MAPPING_INVALID, reason=str(exc))]
    ctx = ReadContext(file, path, rules, problems, forms, trace)
    sheets, had_sheets = _visible_sheets(book, problems)
    try:
        for recognise in WORKBOOK_RECOGNISERS:
            parts = recognise(book, sheets, ctx)
            if parts is not None:
                for part in parts:
                    part.problems[:0] = problems.items
                return parts
    except LimitExceeded as exc:
        return [_not_read(file, Code.LIMIT, reason=f"文件“{file}”超出读取上限：{exc.message}", limit=exc.code)]
    except Exception as exc:
        return [_not_read(file, Code.INTERNAL, during="读取基层表", consequence="该文件未使用", detail=internal_detail(exc))]
    pieces: list[WorkbookPart] = []
    for name in sheets:
        try:
            pieces += _read_sheet(book, name, ctx)
        except LimitExceeded as exc:
            return [_not_read(file, Code.LIMIT, reason=f"文件“{file}”超出读取上限：{exc.message}", limit=exc.code)]
        except Exception as exc:
            problems.add(Code.INTERNAL, name, during=f"读取工作表“{name}”", consequence="该表未读取",
                         detail=internal_detail(exc))
    return _file_parts(pieces, ctx, had_sheets)


def _visible_sheets(book: Book, problems: ProblemLog) -> tuple[list[str], bool]:
    """The visible worksheets, and whether the workbook has any sheet at all."""
    try:
        metas = book.wb.sheets_metadata
    except Exception as exc:
        problems.add(Code.UNREADABLE, reason="无法读取工作表列表（文件可能已损坏）", why="corrupt", detail=str(exc))
        return [], False
    sheets = []
    for meta in metas:
        if meta.visible != pc.SheetVisibleEnum.Visible:
            problems.add(Code.HIDDEN_SHEET, meta.name)
        elif meta.typ == pc.SheetTypeEnum.WorkSheet:
            sheets.append(meta.name)
    return sheets, bool(metas)


def _read_sheet(book: Book, name: str, ctx: ReadContext) -> list[WorkbookPart]:
    """The parts one sheet gives: the first recogniser that knows its shape decides."""
    problems = ctx.problems
    try:
        grid = load_grid(book, name)
    except pc.CalamineError as exc:
        problems.add(Code.CORRUPT_SHEET, name, detail=str(exc))
        return []
    if not grid.rows:
        problems.add(Code.EMPTY_SHEET, name)
        return []
    if grid.later_content_row is not None:
        problems.add(Code.CUT, name, grid.later_content_row + 1, cut_at=grid.cut_at)
    sheet = SheetView(grid, ctx)
    for recognise in SHEET_RECOGNISERS:
        parts = recognise(sheet)
        if parts is not None:
            return parts
    sheet.titles_above(grid.row0 + 2)
    problems.add(Code.NO_TABLE, name)
    return []


def _file_parts(pieces: list[WorkbookPart], ctx: ReadContext, had_sheets: bool) -> list[WorkbookPart]:
    """The sheets' pieces as the file's parts: the export parts merged by county, or the one
    county part of a collection table, named from its titles (else its file name)."""
    file, titles = ctx.file, ctx.titles
    year = year_in([*titles, Path(file).stem, Path(file).parent.name])
    exports: dict[str, WorkbookPart] = {}
    for p in (p for p in pieces if p.kind == "export"):
        into = exports.get(p.county_id.key)
        if into is None:
            exports[p.county_id.key] = p
        else:
            into.records += p.records
            into.trace += p.trace
            into.problems += p.problems
            into.conversions += [c for c in p.conversions if c not in into.conversions]
    if exports:
        for part in exports.values():
            part.problems[:0] = ctx.problems.items
            part.data_year = year
        return list(exports.values())
    part = _county_part(ctx)
    for p in pieces:
        part.records += p.records
        part.conversions += p.conversions
        part.county_figures.update({k: v for k, v in p.county_figures.items() if k not in part.county_figures})
        part.county_sources.update({k: v for k, v in p.county_sources.items() if k not in part.county_sources})
        part.unmatched.update(p.unmatched)
    stem = Path(file).stem
    part.identity = resolve(code=code_in_text(titles), title_name=county_in_titles(titles), file_stem=stem,
                            counties=ctx.rules.counties, context=" ".join(titles),
                            file_name_fallback=county_from_text(stem))
    part.county = part.identity.name
    part.data_year = year
    if not part.records and not part.county_figures and had_sheets:
        ctx.problems.add(Code.NO_SCHOOL_DATA)
    part.problems = ctx.problems.items
    return [part]


def _not_read(file: str, code: Code, **params) -> WorkbookPart:
    """The part of a file not read at all: no records, one file-level error (its county, if
    any, from the file name: a 基层表 folder's broken workbook is filed by its folder)."""
    problems = ProblemLog(file)
    problems.add(code, **params)
    return WorkbookPart(file=file, kind="county", county=county_from_text(Path(file).stem), problems=problems.items)
