"""图表: for each indicator and stage, every school's value as a bar, sorted, against the
standard and the pass-rule floor (standard × 达标下限比例) drawn as lines.

Layout (0-based rows and columns; Excel's are one more):

- row 0 title, row 1 the colour key; charts from row ``FIRST_ROW`` in columns A–O
  (``CHART_COLS``), indicator by indicator, 小学 before 初中;
- each chart takes a slot of half a printed page (up to ``SMALL_MAX`` schools) or a whole
  one (more schools: taller, rotated labels, past ``LABELS_ALL_MAX`` only every n-th named);
  manual page breaks keep two half-page charts or one whole-page chart on each A4 landscape
  page, and the print area is the charts;
- the chart's data is a block to the right, from column Q (``DATA_COL``), level with its
  chart when the blocks above leave room: a heading naming the chart, then
  序号 | 学校 | 指标值 | 达标率 | 达标 | 未达标（不低于85%） | 低于85% | 标准 | 标准的85%.

Schools are sorted by their value when the workbook is written (highest first, no data last);
the cells are live: 指标值 and 达标率 refer to the school's cells on 学校指标, the three bar
columns hold the value or #N/A by the same rule as 学校指标's green / amber / red, and the
two line columns refer to the defined names (标准_小学_4, 达标下限比例). A corrected input moves
and recolours its school's bar; the order stays tonight's. A school with no value has no bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.chart import Chart
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..indicators import BELOW, MET, NEAR, SectionResult, StageResult, ratio_to_standard
from ..model import STAGE_LABEL, Verdict
from ..vocabulary import CountySheet
from . import chart_style as cs
from .context import ReportContext, Sheet, standard_name
from .formats import UNIT_DECIMALS, fit_width, num, number_format, print_setup, wrapped_height
from .schools import FLOOR_NAME

SHEET = CountySheet.CHARTS
TITLE_ROW, NOTE_ROW, FIRST_ROW = 0, 1, 3

COL_PX = 64  # columns A–O are set to this width (Excel's default)
CHART_COLS = 15  # charts span A–O: 960 px, narrower than an A4 landscape page at 100 %
CHART_WIDTH = CHART_COLS * COL_PX
COL_CHARS = (COL_PX - 5) / 7  # the same width in characters (formats.column_px)
# A printed page (A4 landscape, the margins of print_setup) holds PAGE_ROWS default rows below
# the title rows; a half-page slot is half of it. A slot is its chart and one spare row.
PAGE_ROWS = 30
HALF_ROWS = PAGE_ROWS // 2
SMALL_MAX = 12  # schools a half-page chart shows legibly
DATA_COL = CHART_COLS + 1  # the chart data blocks start at column Q

# Category labels keep their size (cs.MIN_FONT: never smaller on paper). Up to LABELS_ALL_MAX
# schools every name is shown; beyond, only every n-th (the data block lists them all).
LABELS_ALL_MAX = 70  # 10-point names side by side across a page-wide chart

# Columns of a data block, offsets from DATA_COL.
RANK, SCHOOL, VALUE, RATIO, MET_COL, NEAR_COL, BELOW_COL, STANDARD, FLOOR = range(9)


@dataclass(frozen=True)
class ChartPlace:
    """Where a chart's data is: its first school row (0-based) and how many schools."""

    data_row: int
    n: int

    @property
    def last_data_row(self) -> int:
        return self.data_row + self.n - 1


def ranked(st: StageResult, ind_id: int) -> list[SectionResult]:
    """The stage's school sections by value, highest first, those without a value last;
    ties by school name (the same order on every run)."""
    return sorted(st.sections, key=lambda r: (r.values[ind_id] is None, -(r.values[ind_id] or 0.0), r.section.school))


def bar_names(floor: float) -> dict[str, str]:
    """The three bar series by status, as the legend and the data block's headers name them."""
    return {MET: "达标", NEAR: f"未达标（不低于标准的{floor:.0%}）", BELOW: f"低于标准的{floor:.0%}"}


def chart_title(stage: str, name: str, unit: str) -> str:
    """小学 生均教学及辅助用房面积（m²）."""
    return f"{STAGE_LABEL[stage]} {name}（{unit}）"


def label_font(n: int) -> dict:
    """The category-axis font for ``n`` schools: rotated on a whole-page chart."""
    # A half-page chart keeps names horizontal (they wrap); a rotated name would eat its height.
    rotation = 0 if n <= SMALL_MAX else -90
    return cs.font(rotation=rotation)


def slot_rows(n: int) -> int:
    """Rows a chart of ``n`` schools takes (its slot): half a page or a whole one."""
    return HALF_ROWS if n <= SMALL_MAX else PAGE_ROWS


def _data_block(ws: Worksheet, ctx: ReportContext, top: int, k: int, st: StageResult) -> int:
    """The chart's data, heading at row ``top``; returns the first school row."""
    fm, std, lay = ctx.fm, ctx.std, ctx.schools
    ind, stage = std.indicators[k], st.stage
    floor = std.pass_rule.floor_ratio
    std_value = ind.standard[stage]
    std_name = standard_name(stage, ind.id)
    vfmt = fm.value(ind.unit)
    c = lambda off: DATA_COL + off  # noqa: E731
    ws.write_string(top, c(RANK), f"图表数据：{chart_title(stage, ind.name, ind.unit)}，按指标值从高到低排列。"
                                  f"指标值、达标率引自“{CountySheet.SCHOOLS}”；三列柱值按达标情况取指标值，其余为 #N/A（图中不画）",
                    fm.note)
    names = bar_names(floor)
    heads = [("序号", fm.header), ("学校", fm.header), (f"指标值（{ind.unit}）", fm.header), ("达标率", fm.header),
             (names[MET], fm.good), (names[NEAR], fm.amber), (names[BELOW], fm.bad),
             ("标准", fm.header), (f"标准的{floor:.0%}", fm.header)]
    for off, (text, f) in enumerate(heads):
        ws.write_string(top + 1, c(off), text, f)
    first = top + 2
    bars = {MET: MET_COL, NEAR: NEAR_COL, BELOW: BELOW_COL}
    for i, res in enumerate(ranked(st, ind.id)):
        row, r1 = first + i, first + i + 1
        src = lay.rows[id(res)]
        value = res.values[ind.id]
        v, r = f"{xl_col_to_name(c(VALUE))}{r1}", f"{xl_col_to_name(c(RATIO))}{r1}"
        ws.write_number(row, c(RANK), i + 1, fm.integer)
        ws.write_string(row, c(SCHOOL), res.section.school, fm.text)
        shown_fmt = fm.value(ind.unit, value, std_value)
        ratio = None if value is None else ratio_to_standard(value, std_value)
        ws.write_formula(row, c(VALUE), "=" + lay.cell(src, lay.value_col(k)), shown_fmt,
                         Verdict.NO_DATA if value is None else value)
        ws.write_formula(row, c(RATIO), "=" + lay.cell(src, lay.ratio_col(k)), fm.ratio_of(ratio),
                         Verdict.NO_DATA if ratio is None else ratio)
        # The same rule as 学校指标's colours: ratio ≥ 1 达标, ≥ floor amber, below it red.
        tests = {MET: f"{r}>=1", NEAR: f"AND({r}<1,{r}>={FLOOR_NAME})", BELOW: f"{r}<{FLOOR_NAME}"}
        status = res.statuses[ind.id]
        for key, off in bars.items():
            ws.write_formula(row, c(off), f"=IF(ISNUMBER({r}),IF({tests[key]},{v},NA()),NA())", shown_fmt,
                             value if status == key else cs.NA)
        ws.write_formula(row, c(STANDARD), f"={std_name}", vfmt, std_value)
        ws.write_formula(row, c(FLOOR), f"={FLOOR_NAME}*{std_name}", vfmt, floor * std_value)
    last = first + len(st.sections) - 1
    ws.conditional_format(first, c(MET_COL), last, c(BELOW_COL), {"type": "errors", "format": fm.cf_grey})
    return first


def _chart(ctx: ReportContext, k: int, st: StageResult, place: ChartPlace) -> Chart:
    std = ctx.std
    ind, stage, n = std.indicators[k], st.stage, place.n
    floor = std.pass_rule.floor_ratio

    def rng(off: int) -> cs.Range:
        return [SHEET, place.data_row, DATA_COL + off, place.last_data_row, DATA_COL + off]

    cats, names = rng(SCHOOL), bar_names(floor)
    bars = [cs.bar(names[MET], cats, rng(MET_COL), cs.GOOD),
            cs.bar(names[NEAR], cats, rng(NEAR_COL), cs.NEAR),
            cs.bar(names[BELOW], cats, rng(BELOW_COL), cs.BAD)]
    lines = [cs.line(f"标准 {num(ind.standard[stage])}", cats, rng(STANDARD), cs.STANDARD_LINE, points=n),
             cs.line(f"标准的{floor:.0%}", cats, rng(FLOOR), cs.FLOOR_LINE, dash="dash", points=n)]
    small = n <= SMALL_MAX
    if small:
        decimals = UNIT_DECIMALS.get(ind.unit, 2)
        for series in bars:
            series["data_labels"] = {"value": True, "num_format": number_format(decimals), "font": cs.font()}
    chart = cs.bars_with_lines(ctx.wb, chart_title(stage, ind.name, ind.unit), bars, lines, gap=60 if small else 25)
    x_axis = {"name": "学校（按指标值从高到低排列；没有数据的学校排在最后，无柱）", "name_font": cs.font(),
              "num_font": label_font(n)}
    x_axis["interval_unit"] = 1 if n <= LABELS_ALL_MAX else -(-n // LABELS_ALL_MAX)
    chart.set_x_axis(x_axis)
    # Axis ticks need fewer decimals than the values: whole 元, one decimal otherwise.
    chart.set_y_axis(cs.value_axis(f"{ind.short}（{ind.unit}）", number_format(min(UNIT_DECIMALS.get(ind.unit, 2), 1))))
    chart.set_legend({"position": "top", "font": cs.font()})
    chart.set_size({"width": CHART_WIDTH, "height": (slot_rows(n) - 1) * cs.ROW_PX})
    return chart


def write(ws: Worksheet, ctx: ReportContext) -> None:
    fm, std = ctx.fm, ctx.std
    floor = std.pass_rule.floor_ratio
    ws.write_string(TITLE_ROW, 0, f"{ctx.county.name}各校指标图（每项指标、每个学段一张，按指标值从高到低排列）", fm.title)
    note = (f"柱：绿色＝达标，黄色＝未达标但不低于标准的{floor:.0%}，红色＝低于{floor:.0%}，没有数据的学校无柱；"
            f"实线＝标准，虚线＝标准的{floor:.0%}。图的数据在右侧（Q 列起），"
            f"引自“{CountySheet.SCHOOLS}”：在那里改正输入值，柱随之变化。")
    ws.merge_range(NOTE_ROW, 0, NOTE_ROW, CHART_COLS - 1, note, fm.note_wrap)
    ws.set_row(NOTE_ROW, wrapped_height([(note, CHART_COLS * COL_CHARS)]))
    plan = [(k, st) for k in range(len(std.indicators)) for st in ctx.ev.stages.values()]
    if not plan:
        ws.write_string(FIRST_ROW, 0, "没有纳入计算的学校。", fm.note)
    chart_row = data_top = FIRST_ROW
    used, breaks = 0, []
    for k, st in plan:
        slot = slot_rows(len(st.sections))
        if used + slot > PAGE_ROWS:
            breaks.append(chart_row)
            used = 0
        top = max(chart_row, data_top)
        first = _data_block(ws, ctx, top, k, st)
        place = ChartPlace(first, len(st.sections))
        ws.insert_chart(chart_row, 0, _chart(ctx, k, st, place), {"object_position": 2})
        chart_row += slot
        used += slot
        data_top = place.last_data_row + 2
    names = [r.section.school for st in ctx.ev.stages.values() for r in st.sections]
    ws.set_column_pixels(0, CHART_COLS - 1, COL_PX)
    ws.set_column(DATA_COL + RANK, DATA_COL + RANK, 5)
    ws.set_column(DATA_COL + SCHOOL, DATA_COL + SCHOOL, fit_width(names, minimum=12, maximum=30))
    ws.set_column(DATA_COL + VALUE, DATA_COL + FLOOR, 11)
    ws.set_column(DATA_COL + RATIO, DATA_COL + RATIO, 8.5)
    print_setup(ws, None, widths=[COL_CHARS] * CHART_COLS)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, max(chart_row, FIRST_ROW + 1) - 1, CHART_COLS - 1)


SHEET_UNIT = Sheet(SHEET, write, order=1)
