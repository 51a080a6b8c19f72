"""Native Excel chart parts shared by 概览 and 图表: colours, fonts, bar and line series.

A bar's colour is its series: each status (达标 / 未达标 …) is a series over helper cells that
hold the value when the status applies and ``#N/A`` otherwise (``=IF(…,value,NA())``), the
series overlapping fully, so a corrected input moves its bar from one colour to another. An
``#N/A`` point draws nothing (``show_na_as_empty_cell``; blanks are gaps by default): a missing value is
no bar, never a 0 bar. Reference lines (standard, floor, CV limit) are a line chart combined
with the columns, over cells that refer to the defined names.
"""

from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook

from .formats import FONT

# Bars by status, in the 学校指标 colours (达标 green, under standard amber, under the floor red),
# strong enough to tell apart on a printed page.
GOOD, NEAR, BAD = "#70AD47", "#FFC000", "#C00000"
STANDARD_LINE = "#1F4E78"
FLOOR_LINE = "#7F7F7F"
LIMIT_LINE = "#1F4E78"
GRID = "#D9D9D9"
NA = "#N/A"  # the cached value of a helper cell whose point is not drawn
ROW_PX = 20  # a row of the default height (15 pt), for sizing charts in rows

Range = list  # [sheet, first_row, first_col, last_row, last_col], 0-based (xlsxwriter's list form)


# Sheets with charts print at 85 % or more: 10-point chart text is never under 8 pt on paper.
# All chart text is this size but the titles.
MIN_FONT = 10


def font(size: float = MIN_FONT, *, bold: bool = False, rotation: int | None = None) -> dict:
    """A chart font in the workbook's CJK font, ``MIN_FONT`` points unless larger."""
    out: dict = {"name": FONT, "size": max(size, MIN_FONT), "bold": bold}
    if rotation is not None:
        out["rotation"] = rotation
    return out


def bar(name: str, categories: Range, values: Range, colour: str) -> dict:
    """One status series of the bars."""
    return {"name": name, "categories": categories, "values": values,
            "fill": {"color": colour}, "border": {"color": colour}}


def line(name: str, categories: Range, values: Range, colour: str, *, dash: str | None = None,
         points: int = 2) -> dict:
    """A reference line over ``points`` categories; a single category gets a dash marker
    (a line of one point draws nothing)."""
    out = {"name": name, "categories": categories, "values": values,
           "line": {"color": colour, "width": 1.75, **({"dash_type": dash} if dash else {})},
           "marker": {"type": "none"}}
    if points == 1:
        out["marker"] = {"type": "dash", "size": 30, "border": {"color": colour}, "fill": {"color": colour}}
    return out


def value_axis(name: str, num_format: str) -> dict:
    """The value axis: titled (with its unit), from 0, light gridlines."""
    return {"name": name, "name_font": font(), "num_font": font(), "min": 0, "num_format": num_format,
            "major_gridlines": {"visible": True, "line": {"color": GRID}}}


def bars_with_lines(wb: Workbook, title: str, bars: list[dict], lines: list[dict], *, gap: int = 60) -> Chart:
    """A column chart of overlapping status ``bars`` with ``lines`` combined over it; ``#N/A``
    points draw nothing."""
    chart = wb.add_chart({"type": "column"})
    for i, series in enumerate(bars):
        chart.add_series({**series, **({"overlap": 100, "gap": gap} if i == 0 else {})})
    over = wb.add_chart({"type": "line"})
    for series in lines:
        over.add_series(series)
    chart.combine(over)
    chart.set_title({"name": title, "name_font": font(12, bold=True)})
    chart.show_na_as_empty_cell()  # gaps for blanks are xlsxwriter's (and Excel's) default
    return chart
