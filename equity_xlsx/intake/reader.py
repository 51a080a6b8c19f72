"""read_workbook: one workbook file -> CountyData (sections with provenance, problems).

Each visible sheet is classified by what it holds: a school table (a header row naming
学校名称 and 在校生数), a one-school form (label | value), a 县级指标 sheet (county labels),
or nothing we know (skipped with a warning). Records from all sheets are then normalised
together, so a 九年一贯制 school on a 小学 sheet and an 初中 sheet is one school.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import python_calamine as pc

from ..model import Conversion, CountyData
from ..standards import Aliases, Standard, load_aliases
from .county import county_labels, county_lookup, read_county
from .form import form_labels, is_form, read_form
from .grid import Grid, col_letter, load_grid, open_book
from .header import Header, Vocabulary, build_header, find_header, units_from_titles
from .limits import LimitExceeded, Limits
from .normalise import build_sections
from .place import county_from_text, county_name
from .problems import Problems
from .table import Record, read_records

_VOCAB: dict[int, tuple[Aliases, Vocabulary, dict[str, str]]] = {}


def _vocab(aliases: Aliases) -> tuple[Vocabulary, dict[str, str]]:
    hit = _VOCAB.get(id(aliases))
    if hit is None or hit[0] is not aliases:
        hit = _VOCAB[id(aliases)] = (aliases, Vocabulary.build(aliases), county_lookup(aliases))
    return hit[1], hit[2]


def read_workbook(path: Path, std: Standard, aliases: Aliases | None = None,
                  display_name: str | None = None, limits: Limits | None = None) -> CountyData:
    """Read one county workbook (.xlsx/.xlsm/.xls/.ods) into normalised CountyData.

    Never raises for bad content: every problem is a Problem (Chinese message, file, sheet,
    Excel row, column letter). Units in the result: areas m², money 元, counts as counts;
    ratios on a 县级指标 sheet as fractions (0.96). A file that cannot be read at all gives
    no sections and one file-level error, as does one that passes ``limits`` (code "limit").
    """
    path = Path(path)
    aliases = aliases or load_aliases()
    file = display_name or path.name
    problems = Problems(file)
    try:
        book = open_book(path, limits)
    except LimitExceeded as exc:
        return _refused(file, exc)
    except Exception as exc:  # UnreadableFile, or anything else: one bad file never stops a nightly run
        return _not_read(file, f"无法读取文件“{file}”：{exc}", "unreadable")
    vocab, clookup = _vocab(aliases)
    data = CountyData(file=file, county=None)
    records: list[Record] = []
    titles: list[str] = []
    try:
        metas = book.wb.sheets_metadata
    except Exception as exc:
        problems.error(None, None, None, f"无法读取工作表列表：{exc}", "unreadable")
        metas = []
    for meta in metas:
        name = meta.name
        if meta.visible != pc.SheetVisibleEnum.Visible:
            problems.warning(name, None, None, f"工作表“{name}”是隐藏的，已跳过（如需读取请取消隐藏）", "hidden_sheet")
            continue
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        try:
            _read_sheet(book, name, std, vocab, clookup, file, problems, records, titles, data)
        except LimitExceeded as exc:
            return _refused(file, exc)
        except Exception as exc:
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            problems.error(name, None, None,
                           f"读取工作表“{name}”时出错，该表未读取（程序内部错误：{type(exc).__name__}: {exc} "
                           f"@ {Path(tb.filename).name}:{tb.lineno}）", "internal")
    try:
        sections, exclusions, splits = build_sections(records, std, vocab, file, problems)
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        problems.error(None, None, None, f"整理学校数据时出错（程序内部错误：{type(exc).__name__}: {exc} "
                                         f"@ {Path(tb.filename).name}:{tb.lineno}）", "internal")
        sections, exclusions, splits = [], [], []
    data.sections = sections
    data.exclusions = exclusions
    data.splits = splits
    data.county = county_name(titles, Path(file).stem)
    if not sections and not exclusions and not data.county_figures and not records and metas:
        problems.error(None, None, None,
                       "工作簿中没有找到可识别的学校数据：需要一张表头含“学校名称”和“在校生数”的表格，"
                       "或每校一张的学校信息表", "no_table")
    data.problems = problems.items
    return data


def _not_read(file: str, message: str, code: str) -> CountyData:
    """The result for a file not read at all: no sections, one file-level error."""
    problems = Problems(file)
    problems.error(None, None, None, message, code)
    return CountyData(file=file, county=county_from_text(Path(file).stem), problems=problems.items)


def _refused(file: str, exc: LimitExceeded) -> CountyData:
    return _not_read(file, f"文件“{file}”超出读取上限：{exc.message}", "limit")


def _titles_above(grid: Grid, top: int) -> list[str]:
    out = []
    for i in range(0, min(top - grid.row0, 10)):
        for v in grid.rows[i]:
            if type(v) is str and v.strip():
                out.append(v.strip())
    return out


def _read_sheet(book, name: str, std: Standard, vocab: Vocabulary, clookup: dict[str, str], file: str,
                problems: Problems, records: list[Record], titles: list[str], data: CountyData) -> None:
    try:
        grid = load_grid(book, name)
    except pc.CalamineError as exc:
        problems.error(name, None, None, f"工作表“{name}”已损坏，无法读取（{exc}），请在 Excel/WPS 中打开并另存后再运行",
                       "corrupt_sheet")
        return
    if not grid.rows:
        problems.warning(name, None, None, f"工作表“{name}”是空的，已跳过", "empty_sheet")
        return
    if grid.later_content_row is not None:
        problems.warning(name, grid.later_content_row + 1, None,
                         f"工作表“{name}”第 {grid.cut_at} 行起连续多行为空，其后第 {grid.later_content_row + 1} 行"
                         f"还有内容，未读取；如是数据请删除中间的空行", "cut")
    sheet_stage = vocab.stage_in(name)
    found = find_header(grid, vocab)
    if found is not None and {"name", "students"} <= found[3]:
        _read_table(grid, found, std, vocab, file, problems, records, titles, sheet_stage, data)
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
        problems.error(name, bottom + 1, None,
                       f"工作表“{name}”第 {bottom + 1} 行的表头中没有找到“{'”“'.join(missing)}”列"
                       f"（可用的列名如：{examples}），该表未读取", "missing_column")
        titles.extend(_titles_above(grid, top))
        return
    clabels = county_labels(grid, clookup)
    if clabels:
        read_county(grid, clabels, file, problems, data.county_figures, data.county_sources, vocab.aliases)
        titles.extend(_titles_above(grid, grid.row0 + 2))
        return
    titles.extend(_titles_above(grid, grid.row0 + 2))
    problems.warning(name, None, None,
                     f"工作表“{name}”中没有找到可识别的学校表格（表头需含“学校名称”和“在校生数”），已跳过", "no_table")


def _read_table(grid: Grid, found, std: Standard, vocab: Vocabulary, file: str, problems: Problems,
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
        problems.error(name, hdr.excel_row, col_letter(col),
                       f"表头“{label}”中的单位“{unit}”无法识别（{aliases.fields[fname].label}可用单位：{known}），"
                       f"该列未使用", "unknown_unit")
    for col, label, fname in hdr.duplicates:
        first = next(c for c in hdr.columns if c.field == fname)
        problems.warning(name, hdr.excel_row, col_letter(col),
                         f"表头“{label}”与 {first.letter} 列“{first.header}”都对应{aliases.fields[fname].label}，"
                         f"只使用 {first.letter} 列", "duplicate_column")
    for c in hdr.columns:
        if c.factor != 1.0 or c.unit_from != "header":
            data.conversions.append(Conversion(name, c.letter, c.header, c.field, c.unit, c.factor))
        if c.unit_from == "setting":
            problems.warning(name, hdr.excel_row, c.letter,
                             f"表头“{c.header}”没有注明单位，按标准设置视为“{c.unit}”；"
                             f"如填的是其他单位请在表头注明，如“（万元）”", "default_unit")
        elif c.unit_from == "title":
            problems.warning(name, hdr.excel_row, c.letter,
                             f"表头“{c.header}”没有注明单位，按表格上方的“单位”说明视为“{c.unit}”", "title_unit")
    records.extend(read_records(grid, hdr, vocab, file, problems, sheet_stage))
