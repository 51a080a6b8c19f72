"""概览: the county's verdict at a glance.

Per stage: schools, students, schools passing, then the seven indicators with county
value, standard, CV, limit and verdicts. Every number is a formula over 学校指标 /
差异系数 (cached with the Python result); the task-list and ledger summary refers to
任务清单 / 整改台账 when those sheets exist.
"""

from __future__ import annotations


from xlsxwriter.worksheet import Worksheet

from ..indicators import RATIO_DECIMALS, IndicatorSummary, StageResult
from ..model import CLOSED, STAGE_LABEL, Verdict
from .context import ReportContext, Sheet, Summary, standard_name
from .cv_sheet import critical_text, cv_verdict
from .formats import print_setup
from .schools import COL_STAGE, COL_STUDENTS

SHEET = "概览"

HEADERS = ["编号", "指标", "单位", "县域值", "标准值", "县域值判定", "差异系数", "限值", "差异系数判定",
           "临界", "达标学校数", "有数据学校数", "结论"]


def county_verdict(s: IndicatorSummary) -> Verdict:
    if s.county_value is None:
        return Verdict.NO_DATA
    return Verdict.MET if s.county_ok else Verdict.UNMET


def stage_verdict(st: StageResult) -> Verdict:
    verdicts = [s.verdict for s in st.indicators]
    if all(v == Verdict.MET for v in verdicts):
        return Verdict.MET
    return Verdict.UNMET if Verdict.UNMET in verdicts else Verdict.INCOMPLETE


def ledger_summaries(ctx: ReportContext) -> list[Summary]:
    """The 整改台账 figures: open lines (a formula over the sheet) and the changes since the last run."""
    led, info = ctx.ledger_layout, ctx.run_info
    open_lines = sum(1 for ln in ctx.ledger if ln.status != CLOSED)
    out = [Summary("整改台账未销号条目", f'=COUNTA({led.column("status")})-COUNTIF({led.column("status")},"{CLOSED}")',
                   open_lines, "integer")]
    if info.get("last_run"):
        out.append(Summary("上次运行时间", None, str(info["last_run"])))
    for key, label in (("opened_since_last", "上次运行以来新增台账条目"),
                       ("closed_since_last", "上次运行以来销号条目"),
                       ("reopened_since_last", "上次运行以来重新打开条目")):
        if info.get(key) is not None:
            out.append(Summary(label, None, int(info[key]), "integer"))
    return out


def write(ws: Worksheet, ctx: ReportContext) -> None:
    ev, fm, std, lay, cv_cells = ctx.ev, ctx.fm, ctx.std, ctx.schools, ctx.cv_cells
    data = ev.data
    info = ctx.run_info
    summaries = ctx.summaries + ledger_summaries(ctx)
    ws.write_string(0, 0, f"{data.county or ''}县域义务教育优质均衡发展评估结果", fm.title)
    rows = [("县（市、区）", data.county or "（未识别）"), ("输入文件", info.get("input") or data.file),
            ("评估标准", std.title), ("生成时间", info.get("generated", "")),
            ("工具版本", info.get("tool_version", ""))]
    row = 1
    for label, value in rows:
        ws.write_string(row, 0, label, fm.bold_text)
        ws.merge_range(row, 1, row, 4, str(value), fm.text)
        row += 1
    row += 1

    stage_col = lay.column(COL_STAGE)
    for stage, st in ev.stages.items():
        label = STAGE_LABEL[stage]
        ws.write_string(row, 0, label, fm.subtitle)
        row += 1
        verdict_cells = []
        facts = [
            ("学校数", f'=COUNTIF({stage_col},"{label}")', len(st.sections)),
            ("在校生数", f'=SUMIF({stage_col},"{label}",{lay.column(COL_STUDENTS)})', st.students),
            (f"达标学校数（{std.pass_rule.min_met} 项达标且其余不低于 {std.pass_rule.floor_ratio:.0%}）",
             f'=COUNTIFS({stage_col},"{label}",{lay.column(lay.col_verdict)},{Verdict.MET.quoted()})',
             st.schools_passing),
        ]
        for text, formula, value in facts:
            ws.merge_range(row, 0, row, 1, text, fm.bold_text)
            ws.write_formula(row, 2, formula, fm.integer, value)
            row += 1
        summary_row = row
        row += 1
        ws.write_row(row, 0, HEADERS, fm.header)
        row += 1
        first = row
        for k, (ind, s) in enumerate(zip(std.indicators, st.indicators)):
            r1 = row + 1
            cells = cv_cells.get((stage, ind.id))
            ratio_col = lay.column(lay.ratio_col(k))
            vfmt = fm.value(ind.unit)
            ws.write_number(row, 0, ind.id, fm.integer)
            ws.write_string(row, 1, ind.name, fm.text)
            ws.write_string(row, 2, ind.unit, fm.text)
            if cells:
                ws.write_formula(row, 3, f"={cells.mean}", vfmt, s.county_value)
            else:
                ws.write_string(row, 3, Verdict.NO_DATA, fm.text)
            ws.write_formula(row, 4, f"={standard_name(stage, ind.id)}", vfmt, s.standard)
            ws.write_formula(row, 5, f'=IF(ISNUMBER(D{r1}),IF(ROUND(D{r1}/E{r1},{RATIO_DECIMALS})>=1,'
                                     f'{Verdict.MET.quoted()},{Verdict.UNMET.quoted()}),{Verdict.NO_DATA.quoted()})',
                             fm.text, county_verdict(s))
            if cells:
                ws.write_formula(row, 6, f"={cells.cv}", fm.cv,
                                 Verdict.NOT_APPLICABLE if s.cv_value is None else s.cv_value)
                ws.write_formula(row, 7, f"={cells.limit}", fm.cv, s.cv_limit)
                ws.write_formula(row, 8, f"={cells.verdict}", fm.text, cv_verdict(s))
                ws.write_formula(row, 9, f"={cells.critical}", fm.text, critical_text(s, std.cv.critical_margin))
            else:
                for c in range(6, 10):
                    ws.write_string(row, c, Verdict.NO_DATA, fm.text)
            ws.write_formula(row, 10, f'=COUNTIFS({stage_col},"{label}",{ratio_col},">=1")', fm.integer,
                             s.schools_meeting)
            ws.write_formula(row, 11, f'=COUNTIFS({stage_col},"{label}",{ratio_col},">=0")', fm.integer,
                             s.schools_with_data)
            # Same order as IndicatorSummary.verdict.
            v = Verdict
            ws.write_formula(row, 12, f'=IF(L{r1}=0,{v.NO_DATA.quoted()},IF(OR(I{r1}={v.UNMET.quoted()},'
                                      f'F{r1}={v.UNMET.quoted()}),{v.UNMET.quoted()},'
                                      f'IF(L{r1}<$C${summary_row - 2},{v.INCOMPLETE.quoted()},{v.MET.quoted()})))',
                             fm.text, s.verdict)
            verdict_cells.append(f"M{r1}")
            row += 1
        last = row - 1
        n_ind = len(std.indicators)
        ws.merge_range(summary_row, 0, summary_row, 1, f"{label}资源配置结论（{n_ind} 项均达标）", fm.bold_text)
        rng = f"M{first + 1}:M{last + 1}"
        ws.write_formula(summary_row, 2, f'=IF(COUNTIF({rng},{Verdict.MET.quoted()})={n_ind},{Verdict.MET.quoted()},'
                                         f'IF(COUNTIF({rng},{Verdict.UNMET.quoted()})>0,{Verdict.UNMET.quoted()},'
                                         f'{Verdict.INCOMPLETE.quoted()}))',
                         fm.bold_text, stage_verdict(st))
        fm.verdict_rules(ws, f"C{summary_row + 1}")
        fm.verdict_rules(ws, f"F{first + 1}:F{last + 1}")
        fm.verdict_rules(ws, f"I{first + 1}:J{last + 1}")
        fm.verdict_rules(ws, rng)
        row += 1
    if not ev.stages:
        ws.write_string(row, 0, "没有纳入计算的学校（见“口径说明”和“数据问题”）。", fm.note)
        row += 2

    if summaries:
        ws.write_string(row, 0, "整改与任务清单", fm.subtitle)
        row += 1
        for s in summaries:
            ws.merge_range(row, 0, row, 1, s.label, fm.bold_text)
            f = {"integer": fm.integer, "decimal": fm.decimal}.get(s.fmt, fm.text)
            if s.formula:
                ws.write_formula(row, 2, s.formula, f, s.value)
            elif isinstance(s.value, (int, float)):
                ws.write_number(row, 2, s.value, f)
            else:
                ws.write_string(row, 2, "" if s.value is None else str(s.value), f)
            row += 1

    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 11, 11)
    ws.set_column(12, 12, 10)
    print_setup(ws, None)


SHEET_UNIT = Sheet(SHEET, write, order=9)
