"""Workbook bytes -> sheets as grids of raw cell values with true Excel positions.

Everything here is about getting cells out of a file safely: sniffing what the file really
is (so an empty, encrypted, truncated or renamed file gets a clear message instead of a
calamine exception), reading visible sheets, merged ranges, and — for .xlsx — which cells
hold a formula without a cached result (calamine reads those as empty, which would
otherwise look like a blank the user left).
"""

from __future__ import annotations

import io
import itertools
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as pc

from .limits import Limits, WorkbookTally, check_file_size, check_workbook
from .ooxml import col_index, member_head, xlsx_sheet_members

# A table never has this many blank rows inside it; stopping here keeps a sheet with
# 100 000 formatted-but-empty rows as cheap as a small one.
MAX_BLANK_RUN = 1000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


class UnreadableFile(Exception):
    """The file cannot be read as a workbook at all; the message is Chinese, for the user.

    ``why`` says which case it is, for code (``growing``, ``missing``, ``directory``,
    ``permission``, ``os_error``, ``empty``, ``encrypted``, ``truncated``, ``docx``,
    ``not_workbook``, ``corrupt``, ``html``, ``text``).
    """

    def __init__(self, message: str, why: str, detail: str = ""):
        super().__init__(message)
        self.why = why
        self.detail = detail  # the library's own words, for the log


def col_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> "A", 27 -> "AB")."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Merge:
    """A merged range, 0-based absolute, inclusive."""

    r0: int
    c0: int
    r1: int
    c1: int

    def ref(self) -> str:
        return f"{col_letter(self.c0)}{self.r0 + 1}:{col_letter(self.c1)}{self.r1 + 1}"


@dataclass
class Grid:
    """One sheet's used area.

    ``rows[i][j]`` is the cell at absolute 0-based (``row0 + i``, ``col0 + j``); rows may be
    shorter than the widest one. ``cover`` maps every cell covered by a merge (its origin
    included) to the merge. ``no_cache`` maps absolute (row, col) of cells calamine reads as
    empty but are not: to the error value shown (``#DIV/0!``), or to "" for a formula with
    no saved result. ``cut_at`` is the Excel row where reading stopped after a long blank
    run and ``later_content_row`` the 0-based row of content found further down (else None).
    """

    name: str
    rows: list[list[Any]]
    row0: int = 0
    col0: int = 0
    merges: list[Merge] = field(default_factory=list)
    merges_known: bool = True
    cover: dict[tuple[int, int], Merge] = field(default_factory=dict)
    no_cache: dict[tuple[int, int], str] = field(default_factory=dict)
    cut_at: int | None = None
    later_content_row: int | None = None

    def get(self, r: int, c: int) -> Any:
        """Raw value at absolute (r, c); '' when outside the used area."""
        i = r - self.row0
        j = c - self.col0
        if 0 <= i < len(self.rows):
            row = self.rows[i]
            if 0 <= j < len(row):
                return row[j]
        return ""

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Book:
    """An opened workbook: the calamine object plus what sniffing learnt."""

    wb: Any
    kind: str  # "xlsx" | "xls" | "ods"
    data: bytes
    sheet_xml: dict[str, str] = field(default_factory=dict)  # sheet name -> zip member (xlsx)
    ods_merges: dict[str, list[Merge]] | None = None  # parsed once, on first use
    tally: WorkbookTally = field(default_factory=lambda: WorkbookTally(Limits()))  # sheets read so far


def _read_stable(path: Path, limits: Limits) -> bytes:
    """Read the whole file, retrying once if it changed size while being read; raise
    LimitExceeded, without reading, if it is larger than the limit.

    A file that is still being written (copied from a USB stick, saved by WPS) would
    otherwise yield a torn read that looks like a corrupt workbook.
    """
    for _ in range(2):
        before = os.stat(path).st_size
        check_file_size(before, limits)
        data = path.read_bytes()
        after = os.stat(path).st_size
        if before == after == len(data):
            return data
    raise UnreadableFile("读取时文件大小一直在变化（文件可能正在被复制或保存），请等文件保存完成后再运行", "growing")


def open_book(path: Path, limits: Limits | None = None) -> Book:
    """Open a workbook by content, not by extension; raise UnreadableFile with a Chinese reason,
    or LimitExceeded (before calamine sees the file) if it passes one of ``limits``."""
    limits = limits or Limits()
    zf = None
    try:
        data = _read_stable(path, limits)
    except FileNotFoundError:
        raise UnreadableFile("找不到文件", "missing") from None
    except IsADirectoryError:
        raise UnreadableFile("这是一个文件夹，不是工作簿文件", "directory") from None
    except PermissionError:
        raise UnreadableFile("没有读取该文件的权限（文件可能被其他程序独占打开）", "permission") from None
    except OSError as exc:
        raise UnreadableFile("无法读取文件（磁盘或网络共享出错）", "os_error", str(exc)) from None
    if not data:
        raise UnreadableFile("文件是空的（0 字节），不是有效的 Excel 工作簿", "empty")
    head = data[:8]
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in data:
            raise UnreadableFile("文件设置了打开密码（已加密），无法读取；请在 Excel/WPS 中取消密码后另存再运行", "encrypted")
        kind = "xls"
    elif head[:4] == _ZIP_MAGIC:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnreadableFile("文件不完整或已损坏（压缩包被截断），请重新保存或重新拷贝该文件", "truncated") from None
        if "mimetype" in names and b"opendocument.spreadsheet" in member_head(zf, "mimetype", 256):
            kind = "ods"
        elif "xl/workbook.xml" in names:
            kind = "xlsx"
        elif "word/document.xml" in names:
            raise UnreadableFile("这是 Word 文档（.docx），不是 Excel 工作簿", "docx")
        else:
            raise UnreadableFile("文件是压缩包但不是 Excel 工作簿（缺少 xl/workbook.xml）", "not_workbook")
    else:
        raise UnreadableFile(*_not_a_workbook(data))
    check_workbook(data, kind, limits)
    bad = _first_bad_member(zf) if zf else None  # after the limits: it inflates every XML part
    if bad:
        raise UnreadableFile(f"文件已损坏（压缩包内 {bad} 无法解压），请重新保存或重新拷贝该文件", "corrupt")
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise UnreadableFile("文件设置了密码保护，无法读取；请在 Excel/WPS 中取消密码后另存再运行", "encrypted") from None
    except Exception as exc:  # calamine raises several unrelated types for corrupt content
        raise UnreadableFile("无法作为 Excel 工作簿读取（文件已损坏或格式不受支持），请在 Excel/WPS 中打开并另存后再运行",
                             "corrupt", str(exc)) from None
    book = Book(wb=wb, kind=kind, data=data, tally=WorkbookTally(limits))
    if kind == "xlsx":
        book.sheet_xml = xlsx_sheet_members(data)
    return book


def _first_bad_member(zf: zipfile.ZipFile) -> str | None:
    # A truncated zip keeps a valid central directory only by luck; checking the CRC of
    # the few parts calamine needs catches a half-written file before calamine does.
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels")) or info.filename == "mimetype":
            try:
                with zf.open(info) as fh:
                    while fh.read(1 << 20):
                        pass
            except Exception:
                return info.filename
    return None


def _not_a_workbook(data: bytes) -> tuple[str, str]:
    """(Chinese message, why) for bytes that are neither a zip nor an OLE2 file."""
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in head:
        return "文件实际是网页/XML 格式（只是扩展名为 Excel），请在 Excel/WPS 中打开后另存为 .xlsx 再运行", "html"
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data[:4096].decode("gb18030")
        except UnicodeDecodeError:
            text = ""
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text[:200]):
        return "文件实际是文本文件（如 CSV），不是 Excel 工作簿；请在 Excel/WPS 中打开后另存为 .xlsx 再运行", "text"
    return "文件不是 Excel 工作簿（既不是 .xlsx/.ods 压缩包，也不是 .xls 文件）", "not_workbook"


# A formula cell whose <v> is absent or empty: saved by a generator (or openpyxl) that
# never calculated it. Excel/WPS always save the result.
_FORMULA_NO_VALUE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)(?:<v\s*/>|<v></v>)?</c>'
)


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*\bt="e"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v></c>'
)


def silent_blanks(book: Book, sheet: str) -> dict[tuple[int, int], str]:
    """Cells calamine reads as empty that are not empty (.xlsx only): absolute 0-based
    (row, col) -> the error value (``#DIV/0!``), or "" for a formula without a saved result.
    Either would otherwise look like a blank the user left."""
    member = book.sheet_xml.get(sheet)
    if not member:
        return {}
    try:
        xml = zipfile.ZipFile(io.BytesIO(book.data)).read(member)
    except Exception:
        return {}
    out: dict[tuple[int, int], str] = {}
    if b"<f" in xml:
        for c, r in _FORMULA_NO_VALUE.findall(xml):
            out[(int(r) - 1, col_index(c.decode()))] = ""
    if b't="e"' in xml:
        for c, r, v in _ERROR_CELL.findall(xml):
            out[(int(r) - 1, col_index(c.decode()))] = v.decode(errors="replace")
    return out


_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def ods_merges(data: bytes) -> dict[str, list[Merge]]:
    """Merged ranges of every sheet of an .ods (calamine does not report them for ODS)."""
    import xml.etree.ElementTree as ET

    out: dict[str, list[Merge]] = {}
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        with zf.open("content.xml") as fh:
            sheet = None
            row = col = 0
            for event, el in ET.iterparse(fh, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == _T + "table":
                        sheet = el.get(_T + "name", "")
                        out.setdefault(sheet, [])
                        row = 0
                    elif tag == _T + "table-row":
                        col = 0
                    elif tag in (_T + "table-cell", _T + "covered-table-cell"):
                        cs = int(el.get(_T + "number-columns-spanned", "1"))
                        rs = int(el.get(_T + "number-rows-spanned", "1"))
                        if sheet is not None and (cs > 1 or rs > 1):
                            out[sheet].append(Merge(row, col, row + rs - 1, col + cs - 1))
                        col += int(el.get(_T + "number-columns-repeated", "1"))
                else:
                    if tag == _T + "table-row":
                        row += int(el.get(_T + "number-rows-repeated", "1"))
                    elif tag == _T + "table":
                        sheet = None
                    el.clear()
    except Exception:
        return {}
    return out


def is_blank(v: Any) -> bool:
    return v == "" or v is None or (type(v) is str and not v.strip())


def load_grid(book: Book, name: str) -> Grid:
    """Read one sheet into a Grid, stopping after ``MAX_BLANK_RUN`` blank rows.

    Raises LimitExceeded, before iterating, if the sheet's used area passes the row limit or
    takes the sheets read so far past the cell limit: a second line of defence behind
    check_workbook (and the only one for .xls).
    """
    sheet = book.wb.get_sheet_by_name(name)
    start = sheet.start
    if start is None:
        return Grid(name=name, rows=[])
    end_row, end_col = sheet.end
    book.tally.add_sheet(name, end_row + 1, end_col + 1)
    row0, col0 = start
    rows: list[list[Any]] = []
    blank_run = 0
    it = sheet.iter_rows()
    if row0 > 0:
        # python-calamine's iter_rows yields the rows above the used area as empty rows
        # (absolute rows) but starts columns at the used area; skip those rows, and cope
        # with a version that starts at the used area instead.
        first = next(it, None)
        if first is not None and any(first):
            it = itertools.chain([first], it)
        else:
            for _ in range(row0 - 1):
                nxt = next(it, None)
                if nxt is not None and any(nxt):
                    it = itertools.chain([nxt], it)
                    break
    cut_at = later = None
    for row in it:
        if any(row) and not all(is_blank(v) for v in row):
            blank_run = 0
        else:
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                cut_at = row0 + len(rows) + 1
                break
        rows.append(row)
    if cut_at is not None:
        # Only look for content further down, never keep it: a table does not resume
        # after a thousand blank rows, but the user should know something is there.
        r = cut_at
        for row in it:
            if any(row) and not all(is_blank(v) for v in row):
                later = r
                break
            r += 1
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    grid = Grid(name=name, rows=rows, row0=row0, col0=col0, cut_at=cut_at if later is not None else None,
                later_content_row=later)
    ranges = sheet.merged_cell_ranges
    merges: list[Merge] | None = None
    if ranges is not None:
        merges = [Merge(a, b, c, d) for (a, b), (c, d) in ranges]
    elif book.kind == "ods":
        if book.ods_merges is None:
            book.ods_merges = ods_merges(book.data)
        merges = book.ods_merges.get(name)
    if merges is None:
        grid.merges_known = False
    else:
        for m in merges:
            grid.merges.append(m)
            # Huge merges (a whole blank column) would make ``cover`` enormous for nothing.
            if (m.r1 - m.r0 + 1) * (m.c1 - m.c0 + 1) <= 10000:
                for r in range(m.r0, m.r1 + 1):
                    for c in range(m.c0, m.c1 + 1):
                        grid.cover[(r, c)] = m
    if book.kind == "xlsx":
        grid.no_cache = silent_blanks(book, name)
    return grid
