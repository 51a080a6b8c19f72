"""read_workbook: one workbook file -> CountyData (sections with provenance, problems).

Each visible sheet is classified by what it holds: a school table (a header row naming
学校名称 and 在校生数), a one-school form (label | value), a 县级指标 sheet (county labels),
or nothing we know (skipped with a warning). Records from all sheets are then normalised
together, so a 九年一贯制 school on a 小学 sheet and an 初中 sheet is one school.
"""

from __future__ import annotations

from pathlib import Path

import python_calamine as pc

from ..identity import code_in_text, resolve
from ..model import Conversion, CountyData
from ..problems import Code, ProblemLog, internal_detail
from ..rulebook import Rules
from ..standards import Aliases, Standard
from .assemble import assemble
from .county import county_labels, county_lookup, read_county
from .export import export_stage, export_table, read_export_sheet
from .form import form_labels, is_form, read_form
from .grid import Grid, UnreadableFile, col_letter, load_grid, open_book
from .header import Header, Vocabulary, build_header, find_header, units_from_titles
from .limits import LimitExceeded, Limits
from .normalise import build_sections
from .place import county_from_text, county_in_titles, year_in
from .school_forms import generation_of, looks_like_forms, read_school_workbook
from .table import Record, read_records

# Header texts that are never a field: not worth listing as "not recognised".
NOISE_HEADERS = frozenset({"序号", "编号", "备注", "说明", "合计", "小计", "行次", "代码"})


def _vocab(aliases: Aliases) -> tuple[Vocabulary, dict[str, str]]:
    return Vocabulary.of(aliases), county_lookup(aliases)


def read_workbook(path: Path, rules: Rules, display_name: str | None = None,
                  limits: Limits | None = None) -> CountyData:
    """Read one workbook (.xlsx/.xlsm/.xls/.ods) into normalised CountyData.

    A collection table is one county as it stands. A school's 基层表 workbook, or a stage
    export of one county, is normalised on its own here (``read_file`` + ``assemble``); an
    export of several counties is a ValueError: read it with ``read_file``.
    """
    pieces = read_file(path, rules, display_name, limits)
    if len(pieces) == 1 and not pieces[0].is_part:
        return pieces[0]
    if len({p.county_id.key for p in pieces}) > 1:
        raise ValueError("the file holds several counties: use read_file")
    return assemble(pieces, rules)


def read_file(path: Path, rules: Rules, display_name: str | None = None,
              limits: Limits | None = None) -> list[CountyData]:
    """Read one input file: a whole county (a collection table), one school's 基层表 workbook
    (a part), or a stage export (one part per county in it).

    Never raises for bad content: every problem is a Problem (Chinese message, file, sheet,
    Excel row, column letter). Units in the result: areas m², money 元, counts as counts;
    ratios on a 县级指标 sheet as fractions (0.96). A file that cannot be read at all gives
    one result with no sections and one file-level error, as does one that passes ``limits``
    (code "limit").
    """
    path = Path(path)
    std, aliases = rules.standard, rules.aliases
    file = display_name or path.name
    problems = ProblemLog(file)
    try:
        book = open_book(path, limits or rules.standard.limits)
    except LimitExceeded as exc:
        return [_not_read(file, Code.LIMIT, reason=f"文件“{file}”超出读取上限：{exc.message}", limit=exc.code)]
    except Exception as exc:  # UnreadableFile, or anything else: one bad file never stops a nightly run
        if isinstance(exc, UnreadableFile):
            return [_not_read(file, Code.UNREADABLE, reason=str(exc), why=exc.why, detail=exc.detail)]
        return [_not_read(file, Code.UNREADABLE, reason="文件无法读取", why="other", detail=internal_detail(exc))]
    vocab, clookup = _vocab(aliases)
    try:
        metas = book.wb.sheets_metadata
    except Exception as exc:
        problems.add(Code.UNREADABLE, reason="无法读取工作表列表（文件可能已损坏）", why="corrupt", detail=str(exc))
        metas = []
    sheets = []
    for meta in metas:
        if meta.visible != pc.SheetVisibleEnum.Visible:
            problems.add(Code.HIDDEN_SHEET, meta.name)
        elif meta.typ == pc.SheetTypeEnum.WorkSheet:
            sheets.append(meta.name)
    try:
        gen, codes = generation_of(sheets, rules)
        if gen is not None:
            part = read_school_workbook(book, sheets, gen, codes, rules, file, vocab)
            part.problems[:0] = problems.items
            return [part]
    except LimitExceeded as exc:
        return [_not_read(file, Code.LIMIT, reason=f"文件“{file}”超出读取上限：{exc.message}", limit=exc.code)]
    except Exception as exc:
        return [_not_read(file, Code.INTERNAL, during="读取基层表", consequence="该文件未使用", detail=internal_detail(exc))]
    if looks_like_forms(sheets):
        known = "、".join(f"{g.generation.prefix}（{g.generation.title}）" for g in rules.forms if g.info is not None)
        return [_not_read(file, Code.FORM_GENERATION_UNKNOWN, sheets="、".join(sheets[:8]), known=known)]
    data = CountyData(file=file, county=None)
    records: list[Record] = []
    titles: list[str] = []
    unmatched: dict[str, list[str]] = {}  # sheet -> header texts that name no known field
    exports: dict[str, CountyData] = {}  # county key -> its rows of a stage export
    for name in sheets:
        try:
            _read_sheet(book, name, rules, vocab, clookup, file, problems, records, titles, data, unmatched, exports)
        except LimitExceeded as exc:
            return [_not_read(file, Code.LIMIT, reason=f"文件“{file}”超出读取上限：{exc.message}", limit=exc.code)]
        except Exception as exc:
            problems.add(Code.INTERNAL, name, during=f"读取工作表“{name}”", consequence="该表未读取",
                         detail=internal_detail(exc))
    if exports:
        year = year_in([*titles, Path(file).stem, Path(file).parent.name])
        for part in exports.values():
            part.problems[:0] = problems.items
            part.data_year = year
        return list(exports.values())
    try:
        sections, exclusions, splits = build_sections(records, std, vocab, file, problems)
    except Exception as exc:
        problems.add(Code.INTERNAL, during="整理学校数据", consequence="没有学校参与计算",
                     detail=internal_detail(exc))
        sections, exclusions, splits = [], [], []
    data.sections = sections
    data.exclusions = exclusions
    data.splits = splits
    if records:
        _report_missing_fields(records, std, aliases, unmatched, problems)
    stem = Path(file).stem
    data.identity = resolve(code=code_in_text(titles), title_name=county_in_titles(titles), file_stem=stem,
                            counties=rules.counties, context=" ".join(titles),
                            file_name_fallback=county_from_text(stem))
    data.county = data.identity.name
    data.data_year = year_in([*titles, stem, Path(file).parent.name])
    if data.identity.source == "file" and (sections or exclusions):
        problems.add(Code.COUNTY_FROM_FILE_NAME, name=data.identity.name)
    if not sections and not exclusions and not data.county_figures and not records and metas:
        problems.add(Code.NO_SCHOOL_DATA)
    data.problems = problems.items
    return [data]


def _report_missing_fields(records: list[Record], std: Standard, aliases: Aliases,
                           unmatched: dict[str, list[str]], problems: ProblemLog) -> None:
    """An indicator's field found in no sheet of the workbook is a problem naming the headers
    that were not recognised, so the user sees what to rename (never silently 未提供数据)."""
    present = {f for rec in records for f in (*rec.values, *rec.invalid, *(k for v in rec.staged.values() for k in v))}
    leftovers = "；".join(f"{sheet}：{'、'.join(texts[:12])}{' 等' if len(texts) > 12 else ''}"
                          for sheet, texts in unmatched.items() if texts) or "（没有）"
    for ind in std.indicators:
        name = ind.numerator
        parts = {p for option in aliases.composites.get(name, ()) for p in option}
        if name in present or parts & present:  # a partial composite is reported where it is summed
            continue
        spec = aliases.fields[name]
        examples = "、".join(f"“{a}”" for a in (spec.label, *spec.aliases[:2]))
        problems.add(Code.FIELD_NOT_FOUND, field=spec.label, indicator=ind.name, unmatched=leftovers,
                     examples=examples)


def _not_read(file: str, code: Code, **params) -> CountyData:
    """The result for a file not read at all: no sections, one file-level error (its county,
    if any, from the file name: a 基层表 folder's broken workbook is filed by its folder)."""
    problems = ProblemLog(file)
    problems.add(code, **params)
    return CountyData(file=file, county=county_from_text(Path(file).stem), problems=problems.items)


def _titles_above(grid: Grid, top: int) -> list[str]:
    """The text of the rows above ``top`` (absolute), at most 10 rows and never past the sheet."""
    out = []
    for i in range(0, min(top - grid.row0, 10, grid.nrows)):
        for v in grid.rows[i]:
            if type(v) is str and v.strip():
                out.append(v.strip())
    return out


def _read_sheet(book, name: str, rules: Rules, vocab: Vocabulary, clookup: dict[str, str], file: str,
                problems: ProblemLog, records: list[Record], titles: list[str], data: CountyData,
                unmatched: dict[str, list[str]], exports: dict[str, CountyData]) -> None:
    std = rules.standard
    try:
        grid = load_grid(book, name)
    except pc.CalamineError as exc:
        problems.add(Code.CORRUPT_SHEET, name, detail=str(exc))
        return
    if not grid.rows:
        problems.add(Code.EMPTY_SHEET, name)
        return
    if grid.later_content_row is not None:
        problems.add(Code.CUT, name, grid.later_content_row + 1, cut_at=grid.cut_at)
    table = export_table(grid, rules)
    if table is not None:
        stage = export_stage(file, name, vocab)
        if stage is None:
            problems.add(Code.EXPORT_NO_STAGE, name)
        else:
            titles.extend(_titles_above(grid, table.header_top))
            read_export_sheet(table, stage, rules, file, vocab, exports, problems)
        return
    sheet_stage = vocab.stage_in(name)
    found = find_header(grid, vocab)
    if found is not None and {"name", "students"} <= found[3]:
        _read_table(grid, found, std, vocab, file, problems, records, titles, sheet_stage, data)
        unmatched[name] = [text for text in found[2] if text and not vocab.match(text) and text not in NOISE_HEADERS]
        return
    labels = form_labels(grid, vocab)
    if is_form(labels):
        head = _titles_above(grid, grid.row0 + 3)
        titles.extend(head)
        rec = read_form(grid, labels, vocab, std, file, problems, sheet_stage, units_from_titles(head, vocab.aliases))
        if rec is not None:
            records.append(rec)
        return
    if found is not None:
        top, bottom, labels_row, fields = found
        missing = [vocab.aliases.fields[f].label for f in ("name", "students") if f not in fields]
        examples = "、".join(vocab.aliases.fields["students" if "students" not in fields else "name"].aliases[:4])
        problems.add(Code.MISSING_COLUMN, name, bottom + 1, missing="”“".join(missing), examples=examples)
        titles.extend(_titles_above(grid, top))
        return
    clabels = county_labels(grid, clookup)
    if clabels:
        read_county(grid, clabels, file, problems, data.county_figures, data.county_sources, vocab.aliases)
        titles.extend(_titles_above(grid, grid.row0 + 2))
        return
    titles.extend(_titles_above(grid, grid.row0 + 2))
    problems.add(Code.NO_TABLE, name)


def _read_table(grid: Grid, found, std: Standard, vocab: Vocabulary, file: str, problems: ProblemLog,
                records: list[Record], titles: list[str], sheet_stage: str | None, data: CountyData) -> None:
    name = grid.name
    top = found[0]
    head = _titles_above(grid, top)
    titles.extend(head)
    hdr: Header = build_header(grid, vocab, std, found, units_from_titles(head, vocab.aliases))
    aliases = vocab.aliases
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
            data.conversions.append(Conversion(name, c.letter, c.header, c.field, c.unit, c.factor))
        if c.unit_from == "setting":
            problems.add(Code.DEFAULT_UNIT, name, hdr.excel_row, c.letter, header=c.header, unit=c.unit)
        elif c.unit_from == "title":
            problems.add(Code.TITLE_UNIT, name, hdr.excel_row, c.letter, header=c.header, unit=c.unit)
    records.extend(read_records(grid, hdr, vocab, file, problems, sheet_stage))
