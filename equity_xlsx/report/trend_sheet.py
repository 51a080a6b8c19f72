"""趋势: the county's results over the data years, and its ledger month by month.

One table per stage — a row per data year (the latest run of that year, this run included):
学校数, 达标学校数, 资源配置结论 (the stage's ``StageView``), the 7 差异系数 and the stage's limit (a live reference to
限值_小学 / 限值_初中) — then one chart per indicator (a line per stage over the data years,
the limit a dashed line across the whole chart), and the ledger's lines opened and closed per
month as a table and a column chart. Past years are a record: their numbers are values, not
formulas. With one year only, the sheet says so: the CV is one point, the limit still a line.

The charts are XY (scatter) charts with the data year as a number on the x axis: a line
chart cannot draw a line over a single category, so the limit would shrink to a dash. The
limit's line runs between two helper points at the ends of the x axis, a year before the first
data year and a year after the last (columns right of the table, "图表辅助").
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..model import STAGE_LABEL, STAGES
from ..stage_view import StageView
from ..vocabulary import CountySheet
from .context import ReportContext, Sheet, limit_name
from . import chart_style as cs
from .formats import print_setup, wrapped_height

SHEET = CountySheet.TREND
CHART_W, CHART_H = 520, 300  # pixels: two charts side by side fit an A4 landscape page
CHART_ROWS = 16  # rows a row of charts takes (300 px and a gap): two such rows fit a printed page
STAGE_COLOURS = {"primary": "#2F75B5", "junior": "#C55A11"}


def write(ws: Worksheet, ctx: ReportContext) -> None:
    fm, std = ctx.fm, ctx.std
    rows = sorted(ctx.trend, key=lambda r: r.data_year)
    years = [r.data_year for r in rows]
    inds = std.indicators
    ws.write_string(0, 0, f"{ctx.county.name}趋势（每个数据年度取该年度最后一次运行的结果）", fm.title)
    if len(years) <= 1:
        note = (f"目前只有 {years[0]} 年度一次运行的结果，图中只有一个点；以后每次运行都会在这里增加一个点，"
                "同一年度重新运行会替换该年度的点。" if years else "还没有可显示的运行结果。")
    else:
        note = f"共 {len(years)} 个数据年度（{years[0]}—{years[-1]}）；同一年度重新运行会替换该年度的点。"
    ws.write_string(1, 0, note, fm.note)
    stages = [s for s in STAGES if any(s in r.stages for r in rows)]
    head = ["数据年度", "运行日期", "学校数", "达标学校数", "资源配置"] + [f"{i.id} {i.short}" for i in inds] + ["差异系数限值"]
    row = 3
    header_rows: list[int] = []
    columns: dict[str, tuple[int, int, int]] = {}  # stage -> (first data row, last data row, first CV column)
    for stage in stages:
        ws.write_string(row, 0, f"{STAGE_LABEL[stage]}：各年度差异系数", fm.subtitle)
        row += 1
        ws.write_row(row, 0, head, fm.header)
        header_rows.append(row)
        row += 1
        first = row
        limit = std.cv.limit[stage]
        for r in rows:
            st = r.stages.get(stage)
            ws.write_number(row, 0, r.data_year, fm.year)
            ws.write_string(row, 1, r.run_at[:10], fm.text)
            for c, value in ((2, st and st.schools), (3, st and st.schools_passing)):
                if value is not None:
                    ws.write_number(row, c, value, fm.integer)
                else:
                    ws.write_blank(row, c, None, fm.text)
            ws.write_string(row, 4, StageView.of(st).verdict.value, fm.text)
            for k, ind in enumerate(inds):
                entry = st.indicators.get(str(ind.id)) if st else None
                if entry is None or entry.cv is None:
                    ws.write_blank(row, 5 + k, None, fm.cv)
                else:
                    ws.write_number(row, 5 + k, entry.cv, fm.cv_of(entry.cv, limit))
            ws.write_formula(row, 5 + len(inds), "=" + limit_name(stage), fm.cv, limit)
            row += 1
        fm.verdict_rules(ws, f"E{first + 1}:E{row}")
        for k in range(len(inds)):
            col = 5 + k
            ws.conditional_format(first, col, row - 1, col, {
                "type": "cell", "criteria": ">", "value": f"${xl_col_to_name(5 + len(inds))}{first + 1}",
                "format": fm.cf_bad})
        columns[stage] = (first, row - 1, 5)
        row += 1
    widths = [10, 11, 9, 10, 10] + [10] * (len(inds) + 1) + [9]  # the last: the right chart's overhang
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    for r in header_rows:
        ws.set_row(r, wrapped_height(zip(head, widths)))
    ends = _limit_points(ws, ctx, columns, years)

    row = _indicator_charts(ws, ctx, columns, ends, years, row)
    end = _ledger_months(ws, ctx, row)
    print_setup(ws, landscape=True, widths=widths)
    ws.print_area(0, 0, end, len(widths) - 1)  # not the helper points at LIMIT_COL


LIMIT_COL = 16  # the helper points of the limits' lines (outside the print area)


def _limit_points(ws: Worksheet, ctx: ReportContext, columns: dict, years: list[int]) -> dict[str, int]:
    """Per stage, the two ends of its limit's line: (first year − 1, limit), (last year + 1, limit),
    the ends of the x axis. Returns stage -> the row of its first end (the second is below it)."""
    fm = ctx.fm
    if not columns or not years:
        return {}
    ends: dict[str, int] = {}
    ws.write_string(3, LIMIT_COL, "图表辅助：限值线的两端", fm.note)
    ws.write_row(4, LIMIT_COL, ["学段", "年度", "限值"], fm.header)
    for i, stage in enumerate(columns):
        ends[stage] = 5 + 2 * i
        for j, x in enumerate((min(years) - 1, max(years) + 1)):
            row = ends[stage] + j
            ws.write_string(row, LIMIT_COL, STAGE_LABEL[stage], fm.text)
            ws.write_number(row, LIMIT_COL + 1, x, fm.year)
            ws.write_formula(row, LIMIT_COL + 2, "=" + limit_name(stage), fm.cv, ctx.std.cv.limit[stage])
    ws.set_column(LIMIT_COL, LIMIT_COL + 2, 10)
    return ends


def _indicator_charts(ws: Worksheet, ctx: ReportContext, columns: dict, ends: dict[str, int], years: list[int],
                      row: int) -> int:
    """One XY chart per indicator: each stage's CV by data year (sorted ``years``), and its limit
    as a dashed line across the chart (also with a single year) between its ``ends``."""
    if not columns:
        return row
    # Charts never straddle a printed page: a new page before them, and after every two rows of them.
    breaks = [row]
    ws.write_string(row, 0, "各项差异系数的变化（虚线为限值）", ctx.fm.subtitle)
    row += 1
    inds = ctx.std.indicators
    top = row
    for k, ind in enumerate(inds):
        chart = ctx.wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
        for stage, (first, last, cv0) in columns.items():
            colour = STAGE_COLOURS[stage]
            chart.add_series({
                "name": f"{STAGE_LABEL[stage]}差异系数", "categories": [SHEET, first, 0, last, 0],
                "values": [SHEET, first, cv0 + k, last, cv0 + k],
                "line": {"color": colour, "width": 2.25},
                "marker": {"type": "circle", "size": 6, "fill": {"color": colour}, "border": {"color": colour}},
            })
            end = ends[stage]
            chart.add_series(cs.line(f"{STAGE_LABEL[stage]}限值", [SHEET, end, LIMIT_COL + 1, end + 1, LIMIT_COL + 1],
                                     [SHEET, end, LIMIT_COL + 2, end + 1, LIMIT_COL + 2], colour, dash="dash"))
        chart.set_title({"name": f"{ind.id} {ind.name}", "name_font": cs.font(10, bold=True)})
        chart.set_x_axis({"name": "数据年度", "name_font": cs.font(), "num_font": cs.font(), "num_format": "0",
                          "min": years[0] - 1, "max": years[-1] + 1, "major_unit": 1,
                          "major_gridlines": {"visible": False}})
        chart.set_y_axis(cs.value_axis("差异系数", "0.00"))
        chart.set_legend({"position": "bottom", "font": cs.font()})
        chart.set_size({"width": CHART_W, "height": CHART_H})
        chart.show_blanks_as("gap")
        ws.insert_chart(top + (k // 2) * CHART_ROWS, (k % 2) * 7, chart, {"x_offset": 4, "y_offset": 4})
        if k % 4 == 0 and k:
            breaks.append(top + (k // 2) * CHART_ROWS)
    end = top + ((len(inds) + 1) // 2) * CHART_ROWS + 1
    ws.set_h_pagebreaks(breaks + [end])  # the ledger's months on a page of their own
    return end


def _ledger_months(ws: Worksheet, ctx: ReportContext, row: int) -> int:
    """Ledger lines opened (or reopened) and closed per month, a table and a column chart;
    returns the last row used."""
    fm = ctx.fm
    ws.write_string(row, 0, "整改台账：每月新增与销号", fm.subtitle)
    row += 1
    months = ctx.ledger_months
    if not months:
        ws.write_string(row, 0, "还没有台账变动记录。", fm.note)
        return row
    ws.write_row(row, 0, ["月份", "新增（含重新打开）", "销号"], fm.header)
    ws.set_row(row, 32)  # the header wraps to two lines
    first = row + 1
    for i, (month, opened, closed) in enumerate(months):
        ws.write_string(first + i, 0, month, fm.text)
        ws.write_number(first + i, 1, opened, fm.integer)
        ws.write_number(first + i, 2, closed, fm.integer)
    last = first + len(months) - 1
    chart = ctx.wb.add_chart({"type": "column"})
    for col, name, colour in ((1, "新增", cs.BAD), (2, "销号", cs.GOOD)):
        chart.add_series(cs.bar(name, [SHEET, first, 0, last, 0], [SHEET, first, col, last, col], colour))
    chart.set_title({"name": "整改台账每月新增与销号（条）", "name_font": cs.font(10, bold=True)})
    chart.set_y_axis(cs.value_axis("条数", "0"))
    chart.set_legend({"position": "bottom", "font": cs.font()})
    chart.set_size({"width": CHART_W, "height": CHART_H})
    ws.insert_chart(row, 4, chart, {"x_offset": 4, "y_offset": 4})
    return max(last, row + CHART_H // cs.ROW_PX + 1)


SHEET_UNIT = Sheet(SHEET, write, order=6)
