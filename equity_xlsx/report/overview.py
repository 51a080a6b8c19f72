"""概览: the county's verdict at a glance, and why.

Per stage: schools, students, schools passing, the 资源配置 verdict (办法 第六条: every school
section passes and every CV is within its limit) with its reasons beside it — 未达标学校 N 所
and 超限差异系数 N 项, each a link to the rows behind it — then the seven indicators with the
county value, standard, CV, limit and verdicts. Every number and verdict is a formula over
学校指标 / 差异系数 (cached with the Python result); the task-list and ledger figures refer to
任务清单 / 整改台账. A banner names the school sections whose data could not enter the CVs.

Below everything, on a printed page of its own, one chart per stage: the seven CVs as bars,
green within the limit and red over it, with the limit as a line. The bars' data sits beside
each stage's table (columns N–P, outside the print area): the indicator's short name and two
helper cells, ``=IF(CV<=限值,CV,NA())`` and ``=IF(CV>限值,CV,NA())``, over the table's CV and
限值 cells, so the colour follows a corrected input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..indicators import RATIO_DECIMALS, Evaluation, IndicatorSummary, StageResult
from ..model import STAGE_LABEL, Verdict
from ..outcome import StageOutcome
from ..problems import Code
from ..stage_view import StageView
from ..vocabulary import CountySheet, LedgerStatus
from . import chart_style as cs
from .context import ReportContext, Sheet, Summary, limit_name, standard_name
from .cv_sheet import SHEET as CV_SHEET
from .cv_sheet import critical_text, cv_verdict
from .formats import column_px, num, number_format, print_setup, quote_sheet, wrapped_height
from .problems import SHEET as PROBLEM_SHEET
from .schools import COL_STAGE, COL_STUDENTS, HEADER_ROW
from .schools import SHEET as SCHOOL_SHEET

SHEET = CountySheet.OVERVIEW

# Column widths (characters) of the tables, A–M; the CV charts are sized to their width.
# Narrow enough to print one A4 landscape page wide at over 85 % (text ≥ 8 pt); names wrap
# within their cells; 结论 holds "全县值达标（12/16 校达标）" on one line.
TABLE_WIDTHS = (6, 24, 7, 9, 9, 9, 9, 7, 9, 6, 9, 9, 28)
LABEL_WIDTH = TABLE_WIDTHS[0] + TABLE_WIDTHS[1]  # a label merged over A:B
TABLE_LAST_COL = len(TABLE_WIDTHS) - 1
COL_CV, COL_LIMIT = 6, 7  # 差异系数 and 限值 in a stage's indicator table
# The CV chart's data beside each stage's indicator table (outside the print area).
COL_CHART_LABEL, COL_CHART_WITHIN, COL_CHART_OVER = TABLE_LAST_COL + 1, TABLE_LAST_COL + 2, TABLE_LAST_COL + 3
CV_CHART_HEIGHT = 440  # px
CV_CHART_GAP = 36  # px between two stages' charts side by side

# Problems that leave a whole school section out of every CV (its row was not used).
SECTION_DROPPED = (Code.STUDENTS_MISSING, Code.STUDENTS_NOT_POSITIVE, Code.NO_STAGE, Code.UNKNOWN_STAGE,
                   Code.NAME_EMPTY, Code.FORM_NAME_EMPTY)


def headers(area_word: str) -> list[str]:
    return ["编号", "指标", "单位", f"{area_word}值", "标准值", f"{area_word}值判定", "差异系数", "限值",
            "差异系数判定", "临界", "达标学校数", "有数据学校数", "结论"]


def county_verdict(s: IndicatorSummary) -> Verdict:
    if s.county_value is None:
        return Verdict.NO_DATA
    return Verdict.MET if s.county_ok else Verdict.UNMET


def stage_view(st: StageResult) -> StageView:
    """The stage's verdict and reasons as every output reads them; the verdict formula on this
    sheet computes the same, and is cached with it."""
    return StageView.of(StageOutcome.from_result(st))


def left_out(ev: Evaluation) -> tuple[list[str], int]:
    """School sections whose data did not all enter the CVs, and how many values that is.

    A section with a missing or unusable value misses that indicator's CV; a row not used at
    all (no students, no stage, no name) misses all of them.
    """
    n_ind = len(ev.standard.indicators)
    names: list[str] = []
    values = 0
    for st in ev.stages.values():
        for r in st.sections:
            missing = sum(1 for v in r.values.values() if v is None)
            if missing:
                names.append(f"{r.section.school}（{STAGE_LABEL[st.stage]}）")
                values += missing
    for p in ev.data.problems:
        if p.code in SECTION_DROPPED:
            school = p.params.get("school") or f"{p.sheet} 第 {p.row} 行"
            names.append(f"{school}（{p.params['stage']}）" if p.params.get("stage") else school)
            values += n_ind
    return names, values


def ledger_summaries(ctx: ReportContext) -> list[Summary]:
    """The 整改台账 figures: open lines (a formula over the sheet) and the changes since the last run."""
    led, info = ctx.ledger_layout, ctx.run_info
    open_lines = sum(1 for ln in ctx.ledger if ln.status != LedgerStatus.CLOSED)
    out = [Summary("整改台账未销号条目", f'=COUNTA({led.column("status")})-COUNTIF({led.column("status")},"{LedgerStatus.CLOSED}")',
                   open_lines, "integer")]
    if info.get("last_run"):
        out.append(Summary("上次运行时间", None, str(info["last_run"])))
    for key, label in (("opened_since_last", "上次运行以来新增台账条目"),
                       ("closed_since_last", "上次运行以来销号条目"),
                       ("reopened_since_last", "上次运行以来重新打开条目")):
        if info.get(key) is not None:
            out.append(Summary(label, None, int(info[key]), "integer"))
    return out


def _link(sheet: str, row: int, col_letter: str = "A") -> str:
    """An in-workbook link target for HYPERLINK: "#'学校指标'!A12" (0-based ``row``)."""
    return f"#{quote_sheet(sheet)}!{col_letter}{row + 1}"


def _head(ws: Worksheet, ctx: ReportContext) -> int:
    """Title, the facts of the run, and the left-out banner; returns the next free row."""
    fm, info, county = ctx.fm, ctx.run_info, ctx.county
    ws.write_string(0, 0, f"{county.name}义务教育优质均衡发展评估结果", fm.title)
    generated = str(info.get("generated", "")).replace("T", " ")[:16]
    rows = [("县（市、区、旗）", county.name + (f"（行政区划代码 {county.code}）" if county.code else "")),
            ("输入文件", info.get("input") or ctx.ev.data.file), ("评估标准", ctx.std.title),
            ("生成时间", generated), ("工具版本", info.get("tool_version", ""))]
    row = 1
    for label, value in rows:
        ws.merge_range(row, 0, row, 1, label, fm.bold_text)
        ws.merge_range(row, 2, row, 8, str(value), fm.wrap)
        ws.set_row(row, wrapped_height([(str(value), sum(TABLE_WIDTHS[2:9]))]))
        row += 1
    names, values = left_out(ctx.ev)
    if names:
        shown = "、".join(names[:8]) + (f" 等 {len(names)} 个" if len(names) > 8 else "")
        text = f"{len(names)} 所学校的 {values} 项数据未参与计算，见“{PROBLEM_SHEET}”：{shown}"
        # School names come from the input: a plain string cell with a link, never text inside
        # a formula (quotes, and Excel's 255-character limit on formula strings).
        ws.merge_range(row, 0, row, 12, "", fm.banner)
        ws.write_url(row, 0, f"internal:{quote_sheet(PROBLEM_SHEET)}!A1", fm.banner, string=text)
        ws.set_row(row, wrapped_height([(text, sum(TABLE_WIDTHS))]))
        row += 1
    return row + 1


def _stage_reasons(ws: Worksheet, ctx: ReportContext, row: int, st: StageResult, first: int, last: int) -> None:
    """未达标学校 N 所 and 超限差异系数 N 项 beside the verdict, each a link to the rows behind it."""
    fm, lay, label = ctx.fm, ctx.schools, STAGE_LABEL[st.stage]
    view = stage_view(st)
    failing = st.schools_failing
    target = lay.rows[id(failing[0])] if failing else HEADER_ROW
    count = f'COUNTIFS({lay.column(COL_STAGE)},"{label}",{lay.column(lay.col_verdict)},{Verdict.UNMET.quoted()})'
    ws.merge_range(row, 3, row, 5, "", fm.link)
    ws.write_formula(row, 3, f'=HYPERLINK("{_link(SCHOOL_SHEET, target)}","未达标学校 "&{count}&" 所")', fm.link,
                     view.failing_text)
    over = st.cv_over_limit
    cells = ctx.cv_cells.get((st.stage, over[0])) if over else None
    cv_target = cells.title_row if cells else 0
    ws.merge_range(row, 6, row, 9, "", fm.link)
    ws.write_formula(row, 6, f'=HYPERLINK("{_link(CV_SHEET, cv_target)}","超限差异系数 "&'
                             f'COUNTIF(I{first + 1}:I{last + 1},{Verdict.UNMET.quoted()})&" 项")',
                     fm.link, view.cv_over_text)


def _indicator_row(ws: Worksheet, ctx: ReportContext, row: int, k: int, st: StageResult,
                   stage_count_cell: str) -> None:
    fm, lay, std = ctx.fm, ctx.schools, ctx.std
    ind, s = std.indicators[k], st.indicators[k]
    stage, label = st.stage, STAGE_LABEL[st.stage]
    r1 = row + 1
    cells = ctx.cv_cells.get((stage, ind.id))
    stage_col, ratio_col = lay.column(COL_STAGE), lay.column(lay.ratio_col(k))
    v = Verdict
    ws.write_number(row, 0, ind.id, fm.integer)
    ws.write_string(row, 1, ind.name, fm.wrap)
    ws.write_string(row, 2, ind.unit, fm.text)
    if cells:
        ws.write_formula(row, 3, f"={cells.mean}", fm.value(ind.unit, s.county_value, s.standard), s.county_value)
    else:
        ws.write_string(row, 3, v.NO_DATA, fm.text)
    ws.write_formula(row, 4, f"={standard_name(stage, ind.id)}", fm.value(ind.unit), s.standard)
    ws.write_formula(row, 5, f'=IF(ISNUMBER(D{r1}),IF(ROUND(D{r1}/E{r1},{RATIO_DECIMALS})>=1,'
                             f'{v.MET.quoted()},{v.UNMET.quoted()}),{v.NO_DATA.quoted()})',
                     fm.text, county_verdict(s))
    ws.write_formula(row, 7, f"={limit_name(stage)}", fm.cv, s.cv_limit)  # shown with or without data
    if cells:
        ws.write_formula(row, 6, f"={cells.cv}", fm.cv_of(s.cv_value, s.cv_limit),
                         v.NOT_APPLICABLE if s.cv_value is None else s.cv_value)
        ws.write_formula(row, 8, f"={cells.verdict}", fm.text, cv_verdict(s))
        ws.write_formula(row, 9, f"={cells.critical}", fm.text, critical_text(s, std.cv.critical_margin))
    else:
        for c in (6, 8, 9):
            ws.write_string(row, c, v.NO_DATA, fm.text)
    ws.write_formula(row, 10, f'=COUNTIFS({stage_col},"{label}",{ratio_col},">=1")', fm.integer, s.schools_meeting)
    ws.write_formula(row, 11, f'=COUNTIFS({stage_col},"{label}",{ratio_col},">=0")', fm.integer, s.schools_with_data)
    # Same order as IndicatorSummary.conclusion: 达标 only when every school meets it too.
    area = ctx.county.area_word
    ws.write_formula(row, 12, f'=IF(L{r1}=0,{v.NO_DATA.quoted()},IF(OR(I{r1}={v.UNMET.quoted()},'
                              f'F{r1}={v.UNMET.quoted()}),{v.UNMET.quoted()},'
                              f'IF(L{r1}<{stage_count_cell},{v.INCOMPLETE.quoted()},IF(K{r1}>=L{r1},{v.MET.quoted()},'
                              f'"{area}值达标（"&K{r1}&"/"&L{r1}&" 校达标）"))))',
                     fm.wrap, s.conclusion(area))
    ws.set_row(row, wrapped_height([(ind.name, TABLE_WIDTHS[1]), (s.conclusion(area), TABLE_WIDTHS[12])]))


@dataclass(frozen=True)
class CVChartRows:
    """A stage's indicator rows on 概览 (0-based), which its CV chart draws."""

    stage: str
    first: int
    last: int

    def column(self, col: int) -> list:
        """The chart range of column ``col`` over these rows."""
        return [SHEET, self.first, col, self.last, col]


def _cv_chart_data(ws: Worksheet, ctx: ReportContext, header_row: int, first: int, st: StageResult) -> None:
    """Beside the indicator table: each indicator's short name and its CV in one of two
    helper cells by the limit (the other #N/A), the bars of the stage's CV chart."""
    fm = ctx.fm
    ws.write_string(header_row, COL_CHART_LABEL, "图表数据：指标", fm.header)
    ws.write_string(header_row, COL_CHART_WITHIN, "不超过限值", fm.good)
    ws.write_string(header_row, COL_CHART_OVER, "超过限值", fm.bad)
    for k, (ind, s) in enumerate(zip(ctx.std.indicators, st.indicators)):
        row, r1 = first + k, first + k + 1
        cv, lim = f"{xl_col_to_name(COL_CV)}{r1}", f"{xl_col_to_name(COL_LIMIT)}{r1}"
        ws.write_string(row, COL_CHART_LABEL, f"{ind.id}.{ind.short}", fm.text)
        ws.write_formula(row, COL_CHART_WITHIN, f"=IF(ISNUMBER({cv}),IF({cv}<={lim},{cv},NA()),NA())", fm.cv,
                         s.cv_value if s.cv_ok is True else cs.NA)
        ws.write_formula(row, COL_CHART_OVER, f"=IF(ISNUMBER({cv}),IF({cv}>{lim},{cv},NA()),NA())", fm.cv,
                         s.cv_value if s.cv_ok is False else cs.NA)
    last = first + len(ctx.std.indicators) - 1
    ws.conditional_format(first, COL_CHART_WITHIN, last, COL_CHART_OVER, {"type": "errors", "format": fm.cf_grey})


def _cv_charts(ws: Worksheet, ctx: ReportContext, row: int, blocks: list[CVChartRows]) -> int:
    """The stages' CV charts side by side from ``row``, on a printed page of their own;
    returns the next free row."""
    if not blocks:
        return row
    fm, std = ctx.fm, ctx.std
    ws.set_h_pagebreaks([row])
    ws.write_string(row, 0, "差异系数图", fm.subtitle)
    ws.write_string(row + 1, 0, "柱：各项指标的差异系数，绿色＝不超过限值，红色＝超过限值；线：限值。"
                                "图的数据在各学段指标表右侧（N–P 列）。", fm.note)
    top = row + 2
    width = (sum(column_px(w) for w in TABLE_WIDTHS) - CV_CHART_GAP) // 2  # two stages side by side
    for i, b in enumerate(blocks):
        label = STAGE_LABEL[b.stage]
        rng = b.column
        cats = rng(COL_CHART_LABEL)
        labels = {"value": True, "num_format": number_format(std.cv.display_decimals), "font": cs.font()}
        bars = [{**cs.bar("不超过限值", cats, rng(COL_CHART_WITHIN), cs.GOOD), "data_labels": labels},
                {**cs.bar("超过限值", cats, rng(COL_CHART_OVER), cs.BAD), "data_labels": labels}]
        limit = cs.line(f"限值 {num(std.cv.limit[b.stage])}", cats, rng(COL_LIMIT), cs.LIMIT_LINE, dash="dash",
                        points=len(std.indicators))
        chart = cs.bars_with_lines(ctx.wb, f"{label}各项指标差异系数", bars, [limit])
        chart.set_x_axis({"name": "指标", "name_font": cs.font(), "num_font": cs.font(), "interval_unit": 1})
        chart.set_y_axis(cs.value_axis("差异系数", "0.00"))
        chart.set_legend({"position": "bottom", "font": cs.font()})
        chart.set_size({"width": width, "height": CV_CHART_HEIGHT})
        ws.insert_chart(top, 0, chart, {"x_offset": i * (width + CV_CHART_GAP), "object_position": 2})
    return top + math.ceil(CV_CHART_HEIGHT / cs.ROW_PX)


def _stage(ws: Worksheet, ctx: ReportContext, row: int, st: StageResult) -> tuple[int, CVChartRows]:
    """One stage's block; returns the next free row and where its indicator rows are."""
    fm, lay, std = ctx.fm, ctx.schools, ctx.std
    label = STAGE_LABEL[st.stage]
    stage_col = lay.column(COL_STAGE)
    ws.write_string(row, 0, label, fm.subtitle)
    row += 1
    facts = [
        ("学校数", f'=COUNTIF({stage_col},"{label}")', len(st.sections)),
        ("在校生数", f'=SUMIF({stage_col},"{label}",{lay.column(COL_STUDENTS)})', st.students),
        (f"达标学校数（{std.pass_rule.min_met} 项达标且其余不低于 {std.pass_rule.floor_ratio:.0%}）",
         f'=COUNTIFS({stage_col},"{label}",{lay.column(lay.col_verdict)},{Verdict.MET.quoted()})', st.schools_passing),
    ]
    count_row = row
    for text, formula, value in facts:
        ws.merge_range(row, 0, row, 1, text, fm.bold_wrap)
        ws.write_formula(row, 2, formula, fm.integer, value)
        ws.set_row(row, wrapped_height([(text, LABEL_WIDTH)]))
        row += 1
    verdict_row, header_row = row, row + 1
    first = header_row + 1
    n_ind = len(std.indicators)
    last = first + n_ind - 1
    ws.write_row(header_row, 0, headers(ctx.county.area_word), fm.header)
    for k in range(n_ind):
        _indicator_row(ws, ctx, first + k, k, st, f"$C${count_row + 1}")
    _cv_chart_data(ws, ctx, header_row, first, st)
    verdict_label = f"{label}资源配置结论（所有学校达标且 {n_ind} 项差异系数均不超过限值）"
    ws.merge_range(verdict_row, 0, verdict_row, 1, verdict_label, fm.bold_wrap)
    ws.set_row(verdict_row, wrapped_height([(verdict_label, LABEL_WIDTH)]))
    failing = (f'COUNTIFS({stage_col},"{label}",{lay.column(lay.col_verdict)},{Verdict.UNMET.quoted()})')
    cvs = f"I{first + 1}:I{last + 1}"
    v = Verdict
    ws.write_formula(verdict_row, 2,
                     f'=IF(AND(C{count_row + 1}>0,{failing}=0,COUNTIF({cvs},{v.MET.quoted()})={n_ind}),{v.MET.quoted()},'
                     f'IF(OR({failing}>0,COUNTIF({cvs},{v.UNMET.quoted()})>0),{v.UNMET.quoted()},'
                     f'{v.INCOMPLETE.quoted()}))',
                     fm.bold_text, stage_view(st).verdict)
    _stage_reasons(ws, ctx, verdict_row, st, first, last)
    fm.verdict_rules(ws, f"C{verdict_row + 1}")
    fm.verdict_rules(ws, f"F{first + 1}:F{last + 1}")
    fm.verdict_rules(ws, f"I{first + 1}:J{last + 1}")
    fm.verdict_rules(ws, f"M{first + 1}:M{last + 1}")
    ws.conditional_format(f"M{first + 1}:M{last + 1}", {"type": "text", "criteria": "begins with",
                                                        "value": f"{ctx.county.area_word}值达标", "format": fm.cf_amber})
    return last + 2, CVChartRows(st.stage, first, last)


def _summaries(ws: Worksheet, ctx: ReportContext, row: int) -> int:
    fm = ctx.fm
    summaries = ctx.summaries + ledger_summaries(ctx)
    ws.write_string(row, 0, "整改与任务清单", fm.subtitle)
    row += 1
    for s in summaries:
        ws.merge_range(row, 0, row, 1, s.label, fm.bold_wrap)
        ws.set_row(row, wrapped_height([(s.label, LABEL_WIDTH)]))
        f = {"integer": fm.integer, "decimal": fm.decimal}.get(s.fmt, fm.text)
        if s.formula:
            ws.write_formula(row, 2, s.formula, f, s.value)
        elif isinstance(s.value, (int, float)):
            ws.write_number(row, 2, s.value, f)
        else:
            ws.write_string(row, 2, "" if s.value is None else str(s.value), f)
        row += 1
    return row


def write(ws: Worksheet, ctx: ReportContext) -> None:
    row = _head(ws, ctx)
    blocks = []
    for st in ctx.ev.stages.values():
        row, block = _stage(ws, ctx, row, st)
        blocks.append(block)
    if not ctx.ev.stages:
        ws.write_string(row, 0, f"没有纳入计算的学校（见“{CountySheet.SCOPE}”和“{PROBLEM_SHEET}”）。", ctx.fm.note)
        row += 2
    row = _summaries(ws, ctx, row)
    print_setup(ws, None, widths=list(TABLE_WIDTHS))
    end = _cv_charts(ws, ctx, row + 1, blocks)
    for col, width in enumerate(TABLE_WIDTHS):
        ws.set_column(col, col, width)
    ws.set_column(COL_CHART_LABEL, COL_CHART_LABEL, 14)
    ws.set_column(COL_CHART_WITHIN, COL_CHART_OVER, 11)
    ws.print_area(0, 0, end - 1, TABLE_LAST_COL)


SHEET_UNIT = Sheet(SHEET, write, order=9)
