"""How much one workbook may cost, checked before calamine parses it.

The nightly run reads files nobody has looked at. A sheet formatted down to row 1 048 576
makes a full parse run for minutes and past 8 GiB; a 1 MB zip bomb expands to 2 GiB; a
two-cell .xlsx whose second cell is XFD1048576 makes calamine allocate the whole used area
densely (half a terabyte) and abort the process. ``check_workbook`` measures a file from
the zip central directory and one streaming pass over the sheet XML — never holding a whole
member in memory, stopping as soon as a limit is passed — and refuses it with a Chinese
message naming the limit. ``WorkbookTally`` is shared with ``grid.load_grid``, which checks
calamine's own extent of each sheet again before iterating it.

Standard library only.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any

from ..standards import GiB, Limits, MiB, RuleError  # noqa: F401 - Limits and RuleError are this module's API
from .ooxml import col_index, member_head, xlsx_sheets, xml_unescape


_LIMIT_NAMES = {
    "file_too_large": "max_file_bytes",
    "uncompressed_too_large": "max_uncompressed_bytes",
    "compression_ratio": "max_compression_ratio",
    "too_many_rows": "max_rows_per_sheet",
    "too_many_cells": "max_cells_per_workbook",
    "too_many_sheets": "max_sheets",
}

_TEMPLATES = {
    "file_too_large": "文件大小为 {found}，超过 {limit} 的上限",
    "uncompressed_too_large": "文件解压后共 {found}，超过 {limit} 的上限（疑似“压缩炸弹”，或内嵌了大量图片、对象）",
    "compression_ratio": "压缩包内的 {member} 压缩比达 {found}:1，超过 {limit}:1 的上限（疑似“压缩炸弹”）",
    "too_many_rows": "工作表“{sheet}”{at_least}有 {found} 行，超过每张工作表 {limit} 行的上限",
    "too_many_cells": "各工作表已用区域（行数×列数）合计 {found} 个单元格，超过整个工作簿 {limit} 个单元格的上限"
                      "（最大的是工作表“{sheet}”）",
    "too_many_sheets": "工作簿有 {found} 张工作表，超过 {limit} 张的上限",
}
_BLANK_HINT = "表格下方或右侧如有大量带格式、公式的空行空列，请删除后另存；"


class LimitExceeded(Exception):
    """A workbook passed one of its Limits and was not read.

    ``code`` says which limit (tests assert it, never the wording) and ``limit_name`` is the
    Limits field. ``found`` is what was measured — bytes, a ratio, rows, cells or sheets — and
    only a lower bound when ``at_least`` (measuring stopped once past the limit). ``sheet``
    names the sheet concerned (for too_many_cells, the largest), ``member`` the zip member
    (compression_ratio). ``message`` is Chinese, for the user.
    """

    def __init__(self, code: str, limit: int | float, found: int | float, *, sheet: str | None = None,
                 member: str | None = None, at_least: bool = False) -> None:
        self.code = code
        self.limit_name = _LIMIT_NAMES[code]
        self.limit = limit
        self.found = found
        self.sheet = sheet
        self.member = member
        self.at_least = at_least
        self.message = self._format()
        super().__init__(self.message)

    def _format(self) -> str:
        show = _size if self.code in ("file_too_large", "uncompressed_too_large") else _number
        head = _TEMPLATES[self.code].format(found=show(self.found), limit=show(self.limit), sheet=self.sheet,
                                            member=self.member, at_least="至少" if self.at_least else "")
        hint = _BLANK_HINT if self.code in ("too_many_rows", "too_many_cells") else ""
        return f"{head}（设置项 {self.limit_name}），为保护夜间运行未读取该文件；{hint}如确需读取请调整上限"


def _size(n: float) -> str:
    if n >= GiB:
        return f"{n / GiB:,.1f} GB"
    if n >= MiB:
        return f"{n / MiB:,.1f} MB"
    return f"{n / 1024:,.0f} KB"


def _number(n: float) -> str:
    return f"{n:,.0f}"


def _exceeded(code: str, limits: Limits, found: int | float, **where: Any) -> LimitExceeded:
    return LimitExceeded(code, getattr(limits, _LIMIT_NAMES[code]), found, **where)


class WorkbookTally:
    """The extent of each sheet of one workbook, checked against Limits as it is measured.

    An extent is (last used row, last used column) counted from A1: the area calamine
    allocates densely and python-calamine iterates row by row. A sheet measured twice (its
    dimension tag, then its XML) keeps the larger of each.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.extents: dict[str, tuple[int, int]] = {}
        self.cells = 0

    def count_sheets(self, n: int) -> None:
        """Raise too_many_sheets if a workbook with ``n`` sheets is over the limit."""
        if n > self.limits.max_sheets:
            raise _exceeded("too_many_sheets", self.limits, n)

    def add_sheet(self, name: str, rows: int, cols: int, *, at_least: bool = False) -> None:
        """Record that sheet ``name`` reaches at least ``rows`` × ``cols``; raise
        too_many_sheets, too_many_rows or too_many_cells as soon as one is passed."""
        old_rows, old_cols = self.extents.get(name, (0, 0))
        rows, cols = max(rows, old_rows), max(cols, old_cols)
        self.extents[name] = (rows, cols)
        self.cells += rows * cols - old_rows * old_cols
        self.count_sheets(len(self.extents))
        if rows > self.limits.max_rows_per_sheet:
            raise _exceeded("too_many_rows", self.limits, rows, sheet=name, at_least=at_least)
        if self.cells > self.limits.max_cells_per_workbook:
            largest = max(self.extents, key=lambda s: self.extents[s][0] * self.extents[s][1])
            raise _exceeded("too_many_cells", self.limits, self.cells, sheet=largest)


def check_file_size(size: int, limits: Limits) -> None:
    """Raise file_too_large if a file of ``size`` bytes is over the limit (call it before
    reading the file)."""
    if size > limits.max_file_bytes:
        raise _exceeded("file_too_large", limits, size)


def check_workbook(data: bytes, kind: str, limits: Limits) -> None:
    """Raise LimitExceeded if reading this workbook would pass one of ``limits``.

    ``kind`` is what sniffing found: "xlsx" (also .xlsm), "ods" or "xls". Reads the zip
    central directory, then the first 8 KB of each worksheet, then the sheet XML once as a
    stream of 1 MB pieces, stopping at the first limit passed; nothing is decompressed whole
    and no member is held in memory. Sizes are those the central directory declares
    (zipfile never inflates a member past them). A member too corrupt to measure is left
    for open_book's CRC check and calamine to report.
    """
    check_file_size(len(data), limits)
    if kind == "xls":
        # BIFF8 caps a sheet at 65 536 rows × 256 columns, under the row limit; the file size
        # bounds the number of cell records, and load_grid checks calamine's extent of each
        # sheet before it is read. Measuring here would need an OLE2 and BIFF parser.
        return
    zf = zipfile.ZipFile(io.BytesIO(data))
    _check_directory(zf, limits)
    tally = WorkbookTally(limits)
    try:
        if kind == "ods":
            _check_ods(zf, tally)
        else:
            _check_xlsx(zf, data, tally)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return  # corrupt, encrypted or an unknown compression: reported by what comes next


def _check_directory(zf: zipfile.ZipFile, limits: Limits) -> None:
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise _exceeded("uncompressed_too_large", limits, total)
    for info in infos:
        if info.file_size >= limits.min_bytes_for_ratio:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise _exceeded("compression_ratio", limits, ratio, member=info.filename)


# ---- .xlsx / .xlsm ---------------------------------------------------------------------

_HEAD_BYTES = 8192
_CHUNK = 1 << 20  # decompressed bytes per step: few Python steps, memory that never matters
_LONGEST_CARRY = 16 << 20  # an element longer than this is junk and not carried further

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")
_REF = re.compile(rb"\$?([A-Z]{1,3})\$?(\d+)")


def _check_xlsx(zf: zipfile.ZipFile, data: bytes, tally: WorkbookTally) -> None:
    names = set(zf.namelist())
    # If workbook.xml cannot be followed, measure every worksheet part, named by its path.
    listed = xlsx_sheets(data) or {n: (n, False) for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    tally.count_sheets(len(listed))
    # Hidden sheets are never parsed (read_workbook skips them), so they cost nothing.
    sheets = [(name, member) for name, (member, hidden) in listed.items() if member in names and not hidden]
    heads = {}
    # Every dimension tag first: a workbook that declares a huge sheet is refused before any
    # sheet is streamed.
    for name, member in sheets:
        heads[name] = member_head(zf, member, _HEAD_BYTES)
        m = _DIMENSION.search(heads[name])
        tally.add_sheet(name, *(m and _extent_at(m.group(1).rpartition(b":")[2], 0) or (0, 0)))
    for name, member in sheets:
        with zf.open(member) as fh:
            _scan_worksheet(fh, name, heads[name], tally)


def _extent_at(buf: bytes, pos: int) -> tuple[int, int] | None:
    """(row, column) of the cell reference at ``buf[pos:]`` ("XFD1048576" -> (1048576, 16384)),
    or None if there is none."""
    m = _REF.match(buf, pos)
    return (int(m.group(2)), col_index(m.group(1).decode()) + 1) if m else None


def _scan_worksheet(fh: IO[bytes], name: str, head: bytes, tally: WorkbookTally) -> None:
    """Stream one worksheet's XML into ``tally``, raising as soon as its rows pass the limit.

    Rows are the number of <row> elements or the row of the last cell seen, whichever is
    larger, so a dimension tag that is absent or lies does not hide them. Columns are those
    of the last cell of every 1 MB piece. Only C-speed byte searches run over the whole XML:
    a regex over every cell reference would triple the cost of the check. So rows are
    assumed in order, as the format requires (see ``grid.load_grid`` for the second line).
    """
    root = _ROOT.search(head)
    prefix = (root.group(1) or b"") if root else b""  # some writers use <x:row>, <x:c>
    row_tag, cell_ref = b"<" + prefix + b"row", b"<" + prefix + b'c r="'
    limit = tally.limits.max_rows_per_sheet
    count = rows = cols = 0
    for piece in _pieces(fh, b"<"):
        count += piece.count(row_tag)  # and the one <rowBreaks>, if any: harmless
        at = piece.rfind(cell_ref)
        last = _extent_at(piece, at + len(cell_ref)) if at >= 0 else None
        if last:
            rows, cols = max(rows, last[0]), max(cols, last[1])
        if max(count, rows) > limit:
            tally.add_sheet(name, max(count, rows), cols, at_least=True)  # raises
    tally.add_sheet(name, max(count, rows), cols)


def _pieces(fh: IO[bytes], boundary: bytes) -> Iterator[bytes]:
    """The member's bytes in pieces of about _CHUNK, each cut just before the last
    ``boundary`` it holds (a tag for .xlsx, a row for .ods; failing that, any tag), so that
    no such element is cut in two: the rest is carried into the next piece."""
    carry = b""
    while block := fh.read(_CHUNK):
        buf = carry + block
        cut = buf.rfind(boundary)
        if cut < 0:
            cut = buf.rfind(b"<")
        if cut == 0 and len(buf) <= _LONGEST_CARRY:
            carry = buf  # one element longer than a chunk: read on
        elif cut <= 0:
            yield buf
            carry = b""
        else:
            yield buf[:cut]
            carry = buf[cut:]
    if carry:
        yield carry


# ---- .ods ------------------------------------------------------------------------------
# Matched by their usual prefixes (table:, office:), as calamine itself does.

_ROW_TAG = b"<table:table-row"
_ROW_END = b"</table:table-row>"
_SHEET_START = b"<table:table "
_SHEET_END = b"</table:table>"
_REPEATED = b"table:number-rows-repeated="
_VALUE = b"office:value-type"
_NAME = re.compile(rb'table:name="([^"]*)"')
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')
_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*)>")


def _check_ods(zf: zipfile.ZipFile, tally: WorkbookTally) -> None:
    if "content.xml" not in zf.namelist():
        return  # calamine says what is wrong with the file
    scan = _OdsScan(tally)
    with zf.open("content.xml") as fh:
        for piece in _pieces(fh, _ROW_TAG):
            scan.feed(piece)


def _count_rows(piece: bytes, start: int, stop: int) -> int:
    return piece.count(_ROW_TAG + b" ", start, stop) + piece.count(_ROW_TAG + b">", start, stop)


class _OdsScan:
    """Measures each sheet (table:table) of content.xml, one piece of whole rows at a time.

    ODS writes a run of identical rows once, with number-rows-repeated. LibreOffice ends
    every sheet with empty rows to row 1 048 576 (one repeated row, then one more): normal,
    and free to read. So a sheet reaches down to its last row holding a value
    (office:value-type) and no further: a repeated row of values counts in full, trailing
    empty rows not at all, empty rows between values as the rows they are. Runs of plain
    rows are counted with byte searches, without a Python step per row; only repeated rows
    and sheet boundaries are looked at one by one. Width is sampled, as for .xlsx: the first
    row and the last row with a value of every run of plain rows, and every repeated row
    with values. Tables nested in cells are not expected and not told apart.
    """

    _EVENTS = (_REPEATED, _SHEET_START, _SHEET_END)

    def __init__(self, tally: WorkbookTally) -> None:
        self.tally = tally
        self.sheets = 0
        self.name = ""
        self.row = self.rows = self.cols = 0  # rows so far; how far values reach

    def feed(self, piece: bytes) -> None:
        handlers = (self._repeated_row, self._sheet_start, self._sheet_end)
        nxt = [piece.find(token) for token in self._EVENTS]
        pos = 0
        while True:
            at, which = min(((at, i) for i, at in enumerate(nxt) if at >= 0), default=(len(piece), -1))
            if which == 0:  # the row holding the attribute starts before it
                at = max(piece.rfind(_ROW_TAG, pos, at), pos)
            self._plain_rows(piece, pos, at)
            if which < 0:
                return
            pos = handlers[which](piece, at)
            nxt = [n if n >= pos else piece.find(token, pos) for n, token in zip(nxt, self._EVENTS)]

    def _plain_rows(self, piece: bytes, start: int, stop: int) -> None:
        first = self.row
        self.row += _count_rows(piece, start, stop)
        value = piece.rfind(_VALUE, start, stop)
        if value >= 0:  # the sheet reaches down to the row holding the run's last value
            self._widen(piece, piece.find(_ROW_TAG, start, stop))
            self._reach(piece, piece.rfind(_ROW_TAG, start, value), first + _count_rows(piece, start, value))

    def _repeated_row(self, piece: bytes, start: int) -> int:
        tag_end = piece.find(b">", start) + 1
        stop = tag_end if piece[tag_end - 2:tag_end] == b"/>" else piece.find(_ROW_END, tag_end)
        stop = stop if stop >= 0 else len(piece)
        repeated = _ROWS_REPEATED.search(piece, start, tag_end)
        self.row += int(repeated.group(1)) if repeated else 1
        if piece.find(_VALUE, tag_end, stop) >= 0:
            self._reach(piece, start, self.row)
        return max(stop, tag_end)

    def _reach(self, piece: bytes, start: int, rows: int) -> None:
        """The sheet reaches down to row ``rows`` and across to the last value of the row at
        ``start``; raises if past the row limit."""
        self.rows = max(self.rows, rows)
        self._widen(piece, start)
        if self.rows > self.tally.limits.max_rows_per_sheet:
            self.tally.add_sheet(self.name, self.rows, self.cols, at_least=True)  # raises

    def _widen(self, piece: bytes, start: int) -> None:
        """The sheet reaches across to the last value of the row at ``start`` (repeats counted)."""
        col, end = 0, piece.find(_ROW_END, start)
        for attrs in _CELL.findall(piece, start, end if end >= 0 else len(piece)):
            repeated = _COLS_REPEATED.search(attrs)
            col += int(repeated.group(1)) if repeated else 1
            if _VALUE in attrs:
                self.cols = max(self.cols, col)

    def _sheet_start(self, piece: bytes, at: int) -> int:
        self.sheets += 1
        self.tally.count_sheets(self.sheets)
        name = _NAME.search(piece, at, piece.find(b">", at))
        self.name = xml_unescape(name.group(1).decode("utf-8", "replace")) if name else ""
        self.row = self.rows = self.cols = 0
        return at + len(_SHEET_START)

    def _sheet_end(self, piece: bytes, at: int) -> int:
        self.tally.add_sheet(self.name, self.rows, self.cols)
        return at + len(_SHEET_END)
