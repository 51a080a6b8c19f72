"""Shared cell formats and column-width helpers for the output workbook.

Every xlsxwriter ``Format`` is made once here and reused by all sheets (xlsxwriter writes
one style record per Format object, so formats made per cell would bloat the file and
slow the write).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..display import honest_decimals, text_width  # noqa: F401 - text_width is used here and re-exported

FONT = "等线"  # Excel's default CJK font in recent versions; WPS/LibreOffice fall back cleanly.

# Fills shared by cell formats and conditional formats.
GREEN_FILL, GREEN_FONT = "#C6EFCE", "#006100"
AMBER_FILL, AMBER_FONT = "#FFEB9C", "#9C5700"
RED_FILL, RED_FONT = "#FFC7CE", "#9C0006"
GREY_FILL, GREY_FONT = "#EDEDED", "#808080"
HEADER_FILL = "#DDEBF7"
INPUT_FILL = "#FFF9E6"  # columns county staff type into
EDITED_FONT = "#1F4E9E"  # a default (整改措施 …) replaced by staff


def wrapped_height(cells: Iterable[tuple[object, float]], line_pt: float = 15.0,
                   max_pt: float = 409.0) -> float:
    """Row height (points) that shows every line of wrapped ``(text, column width)`` cells.

    Excel refits wrapped rows on open, but LibreOffice and WPS keep the default height when
    converting or printing, which hides all but the first line; so the height is set.
    """
    lines = 1
    for text, width in cells:
        usable = max(width - 1.5, 1.0)
        n = sum(max(1, math.ceil(text_width(part) / usable)) for part in str(text or "").split("\n"))
        lines = max(lines, n)
    return min(max_pt, lines * line_pt + 3)


def fit_width(values: Iterable[object], minimum: float = 6, maximum: float = 60,
              padding: float = 2) -> float:
    """A column width that fits the widest of ``values`` within [minimum, maximum]."""
    widest = max((text_width(v) for v in values), default=0)
    return max(minimum, min(maximum, widest + padding))


def column_px(width: float) -> int:
    """The width in pixels of a column ``width`` characters wide, as xlsxwriter sets it
    (``set_column``: 7 px a character plus 5 px padding); used to size charts to a table."""
    return int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)


def number_format(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


# What every cell format starts from, and the thin grey border of table cells.
BASE = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
BORDER = {"border": 1, "border_color": "#BFBFBF"}

# Display decimals per indicator unit: money in whole 元, everything else 2 decimals.
UNIT_DECIMALS = {"元": 0, "m²": 2, "人/百生": 2, "间/百生": 2}


@dataclass
class Formats:
    """The workbook's formats. Build with ``Formats.build(workbook, decimals)``."""

    title: object
    title_wrap: object
    subtitle: object
    note: object
    note_wrap: object
    header: object
    param_label: object
    param_value: object
    param_ratio: object
    text: object
    wrap: object
    integer: object
    year: object
    decimal: object
    amount: object
    ratio: object
    percent: object
    cv: object
    money: object
    bold_text: object
    bold_wrap: object
    bold_decimal: object
    bold_cv: object
    staff: object
    staff_date: object
    date: object
    banner: object
    link: object
    edited: object
    input_integer: object
    input_decimal: object
    good: object
    amber: object
    bad: object
    grey: object
    cf_good: object
    cf_amber: object
    cf_bad: object
    cf_grey: object
    values: dict
    wb: Workbook | None = None
    cv_decimals: int = 3
    made: dict = field(default_factory=dict)  # number formats by (decimals, percent, bold)

    @classmethod
    def build(cls, wb: Workbook, cv_decimals: int = 3) -> "Formats":
        def fmt(**kw):
            return wb.add_format({**BASE, **kw})

        border = BORDER
        values = {unit: fmt(num_format=number_format(d), **border) for unit, d in UNIT_DECIMALS.items()}
        return cls(
            title=fmt(bold=True, font_size=14),
            title_wrap=fmt(bold=True, font_size=14, text_wrap=True, valign="top"),
            subtitle=fmt(bold=True, font_size=11, font_color="#1F4E78"),
            note=fmt(font_color="#595959"),
            note_wrap=fmt(font_color="#595959", text_wrap=True, valign="top"),
            header=fmt(bold=True, bg_color=HEADER_FILL, text_wrap=True, align="center", **border),
            param_label=fmt(bold=True, bg_color="#F2F2F2", align="right", **border),
            param_value=fmt(bold=True, bg_color="#F2F2F2", num_format="0.0##", **border),
            param_ratio=fmt(bold=True, bg_color="#F2F2F2", num_format="0%", **border),
            text=fmt(**border),
            wrap=fmt(text_wrap=True, valign="top", **border),
            integer=fmt(num_format="#,##0", **border),
            year=fmt(num_format="0", align="center", **border),
            decimal=fmt(num_format="#,##0.00", **border),
            amount=fmt(num_format="#,##0.0##", **border),
            ratio=fmt(num_format="0.0%", **border),
            percent=fmt(num_format="0%", **border),
            cv=fmt(num_format=number_format(cv_decimals), **border),
            money=fmt(num_format="#,##0", **border),
            bold_text=fmt(bold=True, **border),
            bold_wrap=fmt(bold=True, text_wrap=True, **border),
            bold_decimal=fmt(bold=True, num_format="#,##0.0000", **border),
            bold_cv=fmt(bold=True, num_format=number_format(cv_decimals + 1), **border),
            staff=fmt(bg_color=INPUT_FILL, text_wrap=True, valign="top", locked=False, **border),
            staff_date=fmt(bg_color=INPUT_FILL, num_format="yyyy-mm-dd", locked=False, **border),
            date=fmt(num_format="yyyy-mm-dd", **border),
            banner=fmt(bold=True, font_color=RED_FONT, bg_color=RED_FILL, text_wrap=True, **border),
            link=fmt(font_color="#0563C1", underline=1),
            # A task-list default staff replaced: still a fill-in cell, its text marked as theirs.
            edited=fmt(bg_color=INPUT_FILL, text_wrap=True, valign="top", locked=False, font_color=EDITED_FONT,
                       italic=True, **border),
            # 学校指标 inputs: open for trying a corrected figure (not kept: the source table is).
            input_integer=fmt(num_format="#,##0", locked=False, **border),
            input_decimal=fmt(num_format="#,##0.00", locked=False, **border),
            good=fmt(bg_color=GREEN_FILL, font_color=GREEN_FONT, **border),
            amber=fmt(bg_color=AMBER_FILL, font_color=AMBER_FONT, **border),
            bad=fmt(bg_color=RED_FILL, font_color=RED_FONT, **border),
            grey=fmt(bg_color=GREY_FILL, font_color=GREY_FONT, **border),
            # Conditional formats carry only what they change (xlsxwriter dxf formats).
            cf_good=wb.add_format({"bg_color": GREEN_FILL, "font_color": GREEN_FONT}),
            cf_amber=wb.add_format({"bg_color": AMBER_FILL, "font_color": AMBER_FONT}),
            cf_bad=wb.add_format({"bg_color": RED_FILL, "font_color": RED_FONT}),
            cf_grey=wb.add_format({"bg_color": GREY_FILL, "font_color": GREY_FONT}),
            values=values,
            wb=wb,
            cv_decimals=cv_decimals,
        )

    def number(self, decimals: int, *, percent: bool = False, bold: bool = False):
        """A bordered number format with ``decimals`` decimals ("#,##0.000", "0.00%"), made once."""
        key = (decimals, percent, bold)
        if key not in self.made:
            num_format = ("0" + ("." + "0" * decimals if decimals > 0 else "") + "%") if percent else number_format(decimals)
            self.made[key] = self.wb.add_format({**BASE, "num_format": num_format, "bold": bold, **BORDER})
        return self.made[key]

    def value(self, unit: str, value: float | None = None, standard: float | None = None):
        """Number format for an indicator value in ``unit`` (元 whole, others 2 decimals) — with
        more decimals when ``value`` fails ``standard`` but would round to it ("5.797", not "5.80")."""
        base = UNIT_DECIMALS.get(unit, 2)
        decimals = honest_decimals(value, standard, base)
        if decimals == base:
            return self.values.get(unit, self.decimal)
        return self.number(decimals)

    def ratio_of(self, ratio: float | None):
        """达标率 as a percent with one decimal, or more when a ratio under 1 would show as 100.0%."""
        decimals = honest_decimals(None if ratio is None else ratio * 100, 100.0, 1)
        return self.ratio if decimals == 1 else self.number(decimals, percent=True)

    def cv_of(self, cv: float | None, limit: float | None, *, bold: bool = False):
        """A CV with the standard's display decimals, or more when a CV over its limit would
        round down to it ("0.5004", not "0.500" beside 0.50)."""
        base = self.cv_decimals + (1 if bold else 0)  # the computation's CV line shows one more
        decimals = honest_decimals(cv if isinstance(cv, (int, float)) else None, limit, base, at_least=False)
        if decimals == base:
            return self.bold_cv if bold else self.cv
        return self.number(decimals, bold=bold)

    def verdict_rules(self, ws: Worksheet, rng: str) -> None:
        """Colour a verdict column: 达标 green, 未达标 red, 未提供数据/数据不全 grey."""
        for word, f in (("未达标", self.cf_bad), ("达标", self.cf_good), ("未提供数据", self.cf_grey),
                        ("数据不全", self.cf_amber), ("临界", self.cf_amber)):
            ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                        "format": f})


# Every sheet is protected without a password: a stray keystroke in a formula or a computed
# value is refused by Excel/WPS instead of being lost at night. Filtering, sorting, resizing
# and inserting columns (staff keep their own columns) stay allowed.
PROTECTION = {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True,
              "insert_columns": True, "select_locked_cells": True, "select_unlocked_cells": True}


def protect(ws: Worksheet) -> None:
    """Lock every cell not formatted ``locked=False`` (no password)."""
    ws.protect("", PROTECTION)


# A4 in points, and the side margins print_setup sets (inches).
A4_PT = (595.3, 841.9)
SIDE_MARGIN_IN = 0.4
# Cell text is 10 pt: printed at no less than 85 % it is never under 8 pt (8.5 pt). A table
# wider than one page at that scale is spread over several pages wide instead of shrunk.
MIN_PRINT_SCALE = 85
FIT_SAFETY = 0.97  # spreadsheets measure columns a little differently: keep a margin


@dataclass(frozen=True)
class PrintLayout:
    """How a sheet prints: its scale (%) and the columns of each page across (first, last),
    the repeated columns not counted."""

    scale: int
    pages: tuple[tuple[int, int], ...]

    @property
    def first_page_last_col(self) -> int:
        return self.pages[0][1]


def printable_px(landscape: bool = True) -> float:
    """The width an A4 page prints, in pixels at 100 % (xlsxwriter's 96 dpi), less a margin."""
    width_pt = (A4_PT[1] if landscape else A4_PT[0]) - 2 * SIDE_MARGIN_IN * 72
    return width_pt / 0.75 * FIT_SAFETY


def printed_px(width: float) -> float:
    """A column's width on paper in pixels at 100 %, a little wider than xlsxwriter's own model
    (``column_px``): LibreOffice with Calibri's metric twin (Carlito) lays a character out at
    about 7.4 px, Excel at 7."""
    return width * 7.5 + 6


def plan_pages(widths: list[float], *, landscape: bool = True, repeat_cols: int = 0,
               blocks: Iterable[int] = ()) -> PrintLayout:
    """Pure: the print scale and the pages across for columns of ``widths`` (characters).

    One page wide when that needs a scale of at least ``MIN_PRINT_SCALE`` % (100 % at most);
    otherwise ``MIN_PRINT_SCALE`` % and as many pages wide as it takes, each repeating the
    first ``repeat_cols`` columns, broken before a column of ``blocks`` (the start of a group of
    columns) where one falls on the page, else before the column that does not fit.
    """
    px = [printed_px(w) for w in widths]
    page = printable_px(landscape)
    total = sum(px)
    if not px or total * MIN_PRINT_SCALE / 100 <= page:
        scale = 100 if not px else min(100, int(100 * page / total))
        return PrintLayout(scale, ((0, len(px) - 1),))
    full, repeated = page * 100 / MIN_PRINT_SCALE, sum(px[:repeat_cols])
    starts = sorted(set(blocks))
    pages: list[tuple[int, int]] = []
    start, used = 0, 0.0
    for c in range(len(px)):
        room = full - (repeated if pages else 0)  # later pages repeat the first columns
        if c > start and used + px[c] > room:
            cut = max((b for b in starts if start < b <= c), default=c)
            pages.append((start, cut - 1))
            start, used = cut, float(sum(px[cut:c]))
        used += px[c]
    pages.append((start, len(px) - 1))
    return PrintLayout(MIN_PRINT_SCALE, tuple(pages))


def print_setup(ws: Worksheet, header_row: int | None = None, landscape: bool = True, *,
                widths: list[float] | None = None, repeat_cols: int = 0, blocks: Iterable[int] = ()) -> PrintLayout:
    """A4 (landscape unless told), text never printed under 8 pt (see ``plan_pages`` over the
    printed columns' ``widths``), the rows up to ``header_row`` and the first ``repeat_cols``
    columns repeated on every page, pages numbered with the sheet's name in the footer.
    Returns the layout, so a sheet can keep a long merged note within its first page."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)
    ws.set_margins(left=SIDE_MARGIN_IN, right=SIDE_MARGIN_IN, top=0.6, bottom=0.6)
    ws.set_footer("&L&A&C第 &P 页，共 &N 页")
    if header_row is not None:
        ws.repeat_rows(0, header_row)
    layout = plan_pages(list(widths or []), landscape=landscape, repeat_cols=repeat_cols, blocks=blocks)
    ws.set_print_scale(layout.scale)
    if len(layout.pages) > 1:
        ws.set_v_pagebreaks([first for first, _ in layout.pages[1:]])
        ws.print_across()  # a block of rows across its pages, then the next rows
        if repeat_cols:
            ws.repeat_columns(0, repeat_cols - 1)
    return layout


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def ref(sheet: str | None, row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    """A1 reference for 0-based (row, col), sheet-qualified when ``sheet`` is given."""
    a1 = xl_rowcol_to_cell(row, col, row_abs, col_abs)
    return f"{quote_sheet(sheet)}!{a1}" if sheet else a1


def num(x: float) -> str:
    """A float as formula text that Excel parses back to the same double."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


# The functions our formulas use. None of them needs xlsxwriter's "future function" rewrite
# (Excel 365 functions written with an ``_xlfn.`` prefix).
CLASSIC_FUNCTIONS = frozenset({
    "IF", "ISNUMBER", "ISBLANK", "ROUND", "COUNTIF", "COUNTIFS", "SUM", "SUMIF", "SUMIFS", "SQRT", "ABS", "MIN",
    "MAX", "COUNT", "COUNTA", "N", "AND", "OR", "NOT", "HYPERLINK", "INDEX", "MATCH", "TEXT", "AVERAGE", "NA",
})
_FUNCTION_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")


def classic_only(formula: str) -> bool:
    """True when every function called in ``formula`` is one of CLASSIC_FUNCTIONS.

    A string literal that merely looks like a call errs on the safe side (not classic).
    """
    return all(name.upper() in CLASSIC_FUNCTIONS for name in _FUNCTION_CALL.findall(formula))


class ReportWorksheet(Worksheet):
    """A Worksheet that skips xlsxwriter's future-function rewriting for classic formulas.

    xlsxwriter runs ~30 regex substitutions on every formula to prefix Excel 365 functions
    (FILTER, XLOOKUP, …) with ``_xlfn.``; on a 300-school county that is most of the write
    time. For a formula calling only CLASSIC_FUNCTIONS the rewrite changes nothing, so it is
    skipped; any other formula goes through the library's own path. This overrides a
    private method: ``tests/test_report_formulas.py`` compares its result with xlsxwriter's
    for every formula the report writes.
    """

    def _prepare_formula(self, formula, expand_future_functions=False):
        if expand_future_functions or not classic_only(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula


# Workbook options for everything the tool writes: a string that came from outside (a file
# name, a sheet name, a cell, staff text) is always written as a string — never turned into
# a formula ("=HYPERLINK(…)"), a number or a link.
SAFE_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


def new_workbook(path: str | Path, **options: object) -> Workbook:
    """An xlsxwriter Workbook with SAFE_OPTIONS (and ``options`` on top)."""
    return Workbook(str(path), {**SAFE_OPTIONS, "in_memory": True, **options})
