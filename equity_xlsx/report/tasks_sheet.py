"""任务清单: the county's 36-item task list, with status, ledger counts and B类 scoring.

Mirrors the task list's table (一级指标 merged over consecutive items of one group, multi-line
cells) and adds 类别, 分值, 当前状态, 未达标学校数, 台账条目数 (a formula over 整改台账), and
for B items a score-entry cell. Under the table: the 说明 note, the B类 scoring parameters (the
standard's ``[b_scoring]``, with defined names), then the B类 result — total, the per-item
minimum check and the grade — as formulas over the score cells; they show 未评分 while
scores are missing.

Layout (0-based rows): 0 title, 1 a hint, 3 header, items from ``FIRST_ROW``; the blocks
under the table put labels in 推进措施…类别 (merged) and values in 分值.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..indicators import BELOW, NEAR, Evaluation
from ..model import Verdict
from ..tasks import TaskItem, TaskList
from ..vocabulary import CountySheet, LedgerStatus
from .context import ReportContext, Sheet, Summary
from .formats import PrintLayout, fit_width, print_setup, ref, wrapped_height
from .ledger_sheet import item_value

SHEET = CountySheet.TASKS
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
HINT_ROW = 1

STATUS_LABEL = {"met": Verdict.MET, "unmet": Verdict.UNMET, "no_data": Verdict.NO_DATA, "to_score": Verdict.TO_SCORE}

(C_GROUP, C_TEXT, C_POINTS, C_MEASURES, C_DEPTS, C_OFFICES, C_CAT, C_POINTS_MAX, C_STATUS, C_UNMET,
 C_LEDGER, C_SCORE, C_ITEM_OK, C_NOTE) = range(14)
NCOLS = C_NOTE + 1
TEXT_WIDTHS = {C_TEXT: 30, C_POINTS: 44, C_MEASURES: 50}  # the long wrapped columns
# The blocks under the table (B类 parameters and result) sit on the second printed page,
# from 责任部门: the first page holds the item texts and measures.
LABEL_FROM = 4
DEFAULT_HEADS = ("一级指标", "二级指标", "指标值或评估要点", "推进措施", "责任部门", "区教育局责任股室")
ADDED_HEADS = ("类别", "分值", "当前状态", "未达标学校数", "台账条目数\n（未销号）", "得分\n（B类填写）",
               "单项得分\n≥{ratio}", "状态说明")
ITEM_RATIO_NAME, TOTAL_MIN_NAME = "B类单项下限", "B类总分下限"


def col_range(col: int, first: int, last: int, sheet: str | None = None) -> str:
    """A1 range of one column over 0-based rows ``first``..``last`` (sheet-qualified, absolute)."""
    c = xl_col_to_name(col)
    if sheet:
        return f"'{sheet}'!${c}${first + 1}:${c}${last + 1}"
    return f"{c}{first + 1}:{c}{last + 1}"


def _lookup(checks: Any, item_id: str) -> Any:
    """The check of one item from a ``checks.ChecksResult`` or a plain {id: …} mapping."""
    if checks is None:
        return None
    table = getattr(checks, "items", checks)
    if isinstance(table, dict):
        return table.get(item_id)
    try:
        return checks[item_id]
    except (KeyError, TypeError, IndexError):
        return None


def _field(obj: Any, name: str, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _indicator_status(ev: Evaluation, ind_id: int) -> tuple[str, int]:
    """Fallback when ``checks`` lacks a 资源配置 item: county verdicts over the stages."""
    verdicts, unmet = [], 0
    for st in ev.stages.values():
        for s in st.indicators:
            if s.indicator.id == ind_id:
                verdicts.append(s.verdict)
        unmet += sum(1 for r in st.sections if r.statuses[ind_id] in (NEAR, BELOW))
    if verdicts and all(v == Verdict.MET for v in verdicts):
        return "met", unmet
    return ("unmet" if Verdict.UNMET in verdicts else "no_data"), unmet


@dataclass
class _Sheet:
    """Where the parts of this sheet are, and what the item rows found (for the result block)."""

    items: list[TaskItem]
    last: int  # last item row
    note_row: int
    param_row: int
    result_row: int
    grade_names: list[str] = field(default_factory=list)
    b_flags: list[bool | None] = field(default_factory=list)  # per B item: ok, short, or not scored
    b_total: float = 0.0
    a_status: list[str] = field(default_factory=list)

    @property
    def score_range(self) -> str:
        return col_range(C_SCORE, FIRST_ROW, self.last)

    @property
    def ok_range(self) -> str:
        return col_range(C_ITEM_OK, FIRST_ROW, self.last)


# ---------------------------------------------------------------------- parts

def _parameters(ws: Worksheet, ctx: ReportContext, sh: _Sheet) -> None:
    """The standard's [b_scoring] as named parameter cells under the table."""
    b, fm = ctx.std.b_scoring, ctx.fm
    grades = sorted(b.grades, key=lambda g: -g.min)
    params = [("B类计分：单项得分不低于分值的", b.item_min_ratio, fm.param_ratio, ITEM_RATIO_NAME),
              ("B类计分：总分不低于", b.total_min, fm.param_value, TOTAL_MIN_NAME)]
    params += [(f"B类等级“{g.label}”：总分 ≥", g.min, fm.param_value, f"B类等级_{g.label}") for g in grades]
    for i, (label, value, f, name) in enumerate(params):
        row = sh.param_row + i
        ws.merge_range(row, LABEL_FROM, row, C_CAT, label, fm.param_label)
        ws.write_number(row, C_POINTS_MAX, value, f)
        ctx.define(name, SHEET, row, C_POINTS_MAX)
    sh.grade_names = [name for *_, name in params[2:]]
    sh.result_row = sh.param_row + len(params) + 1


def _item_texts(ws: Worksheet, ctx: ReportContext, row: int, it: TaskItem) -> None:
    fm = ctx.fm
    ws.write_string(row, C_TEXT, it.text, fm.wrap)
    ws.write_string(row, C_POINTS, it.points_text, fm.wrap)
    ws.write_string(row, C_MEASURES, it.measures.strip("\n"), fm.wrap)
    ws.write_string(row, C_DEPTS, it.departments_text, fm.wrap)
    ws.write_string(row, C_OFFICES, it.offices_text, fm.wrap)
    ws.write_string(row, C_CAT, it.category, fm.text)
    if it.score is not None:
        ws.write_number(row, C_POINTS_MAX, it.score, fm.integer)
    else:
        ws.write_blank(row, C_POINTS_MAX, None, fm.text)


def _unmet_and_ledger(ws: Worksheet, ctx: ReportContext, row: int, it: TaskItem, chk: Any) -> Any:
    """未达标学校数 (a formula over 学校指标 for items 1–7) and 台账条目数 (over 整改台账).
    Returns the item's check (a county-verdict fallback for resource items without one)."""
    fm, ev, lay = ctx.fm, ctx.ev, ctx.schools
    ind_ids = [i.id for i in ctx.std.indicators]
    ind_id = int(it.check.ref) if it.check.kind == "indicator" and it.check.ref.isdigit() else None
    if ind_id is not None and ev.stages and ind_id in ind_ids:
        fallback, unmet_here = _indicator_status(ev, ind_id)
        if _field(chk, "status") is None:
            chk = {"status": fallback, "note": _field(chk, "note", "")}
        k = ind_ids.index(ind_id)
        ws.write_formula(row, C_UNMET, f'=COUNTIF({lay.column(lay.ratio_col(k))},"<1")', fm.integer, unmet_here)
    else:
        unmet = _field(chk, "schools_unmet")
        if unmet is None:
            ws.write_blank(row, C_UNMET, None, fm.text)
        else:
            ws.write_number(row, C_UNMET, unmet, fm.integer)
    led = ctx.ledger_layout
    open_lines = sum(1 for ln in ctx.ledger if ln.item == it.id and ln.status != LedgerStatus.CLOSED)
    crit = item_value(it.id)
    crit = str(crit) if isinstance(crit, int) else f'"{crit}"'
    ws.write_formula(row, C_LEDGER, f'=COUNTIFS({led.column("item")},{crit},{led.column("status")},"<>{LedgerStatus.CLOSED}")',
                     fm.integer, open_lines)
    return chk


def _b_item(ws: Worksheet, ctx: ReportContext, row: int, it: TaskItem, sh: _Sheet) -> None:
    """A B item: the score cell staff fill in, its ≥ minimum-share check and its status."""
    fm, b = ctx.fm, ctx.std.b_scoring
    r1 = row + 1
    score_ref = f"{xl_col_to_name(C_SCORE)}{r1}"
    given = ctx.scores.get(it.id)
    maxp = it.score or 0
    maxp = int(maxp) if float(maxp).is_integer() else maxp
    ws.data_validation(row, C_SCORE, row, C_SCORE, {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": maxp,
        "input_title": "B类得分", "input_message": f"填写本项得分：0–{maxp:g} 分。",
        "error_title": "得分超出范围", "error_message": f"本项满分 {maxp:g} 分，请填写 0 到 {maxp:g} 之间的数。"})
    if given is None:
        ws.write_blank(row, C_SCORE, None, fm.staff)
        flag = None
    else:
        ws.write_number(row, C_SCORE, float(given), fm.staff)
        flag = round(float(given) / maxp, 9) >= b.item_min_ratio
        sh.b_total += float(given)
    sh.b_flags.append(flag)
    max_ref = f"{xl_col_to_name(C_POINTS_MAX)}{r1}"
    ok, short, unscored = Verdict.ITEM_OK, Verdict.ITEM_SHORT, Verdict.NOT_SCORED
    ws.write_formula(row, C_ITEM_OK,
                     f'=IF(ISNUMBER({score_ref}),IF(ROUND({score_ref}/{max_ref},9)>={ITEM_RATIO_NAME},'
                     f'{ok.quoted()},{short.quoted()}),{unscored.quoted()})',
                     fm.text, unscored if flag is None else (ok if flag else short))
    ok_ref = f"{xl_col_to_name(C_ITEM_OK)}{r1}"
    status = Verdict.TO_SCORE if flag is None else (Verdict.MET if flag else Verdict.UNMET)
    ws.write_formula(row, C_STATUS, f'=IF({ok_ref}={ok.quoted()},{Verdict.MET.quoted()},IF({ok_ref}={short.quoted()},'
                                    f'{Verdict.UNMET.quoted()},{Verdict.TO_SCORE.quoted()}))', fm.text, status)


def _a_item(ws: Worksheet, ctx: ReportContext, row: int, chk: Any, sh: _Sheet) -> None:
    """An A item: its status from the checks; no score cells (greyed)."""
    fm = ctx.fm
    raw = _field(chk, "status")
    status = STATUS_LABEL.get(raw, raw) if raw else Verdict.NO_DATA
    sh.a_status.append(status)
    ws.write_string(row, C_STATUS, status, fm.text)
    ws.write_blank(row, C_SCORE, None, fm.grey)
    ws.write_blank(row, C_ITEM_OK, None, fm.grey)


def _groups(ws: Worksheet, ctx: ReportContext, tasks: TaskList) -> None:
    """一级指标: one merged cell per run of consecutive items of the same group."""
    start = 0
    for group, run in tasks.groups():
        r0, r1 = FIRST_ROW + start, FIRST_ROW + start + len(run) - 1
        if r1 > r0:
            ws.merge_range(r0, C_GROUP, r1, C_GROUP, group, ctx.fm.wrap)
        else:
            ws.write_string(r0, C_GROUP, group, ctx.fm.wrap)
        start += len(run)


def _status_colours(ws: Worksheet, ctx: ReportContext, sh: _Sheet) -> None:
    fm = ctx.fm
    status_rng = col_range(C_STATUS, FIRST_ROW, sh.last)
    fm.verdict_rules(ws, status_rng)
    ws.conditional_format(status_rng, {"type": "cell", "criteria": "==", "value": Verdict.TO_SCORE.quoted(),
                                       "format": fm.cf_amber})
    ws.conditional_format(sh.ok_range, {"type": "cell", "criteria": "==", "value": Verdict.ITEM_SHORT.quoted(),
                                        "format": fm.cf_bad})
    ws.conditional_format(sh.ok_range, {"type": "cell", "criteria": "==", "value": Verdict.ITEM_OK.quoted(),
                                        "format": fm.cf_good})


def _result(ws: Worksheet, ctx: ReportContext, sh: _Sheet) -> tuple[object, object, str, str]:
    """The B类 total, the per-item check and the grade. Returns (total value, grade value,
    total cell, grade cell) for 概览."""
    fm, b = ctx.fm, ctx.std.b_scoring
    n_b = sum(1 for it in sh.items if it.category == "B")
    scored = [f for f in sh.b_flags if f is not None]
    all_scored = len(scored) == n_b and n_b > 0
    unscored = Verdict.NOT_SCORED
    total_value: object = sh.b_total if scored else unscored
    items_ok_value = unscored if not all_scored else ("是" if all(scored) else "否")
    grade_value = unscored if not all_scored else b.grade(sh.b_total, all(scored))

    total_row, ok_row, grade_row = sh.result_row, sh.result_row + 1, sh.result_row + 2
    total_cell = ref(None, total_row, C_POINTS_MAX, True, True)
    ok_cell = ref(None, ok_row, C_POINTS_MAX, True, True)
    scores = sh.score_range
    ws.merge_range(total_row, LABEL_FROM, total_row, C_CAT, "B类指标得分合计", fm.bold_text)
    ws.write_formula(total_row, C_POINTS_MAX, f'=IF(COUNT({scores})=0,{unscored.quoted()},SUM({scores}))',
                     fm.bold_decimal, total_value)
    ws.merge_range(ok_row, LABEL_FROM, ok_row, C_CAT, f"B类各项得分均不低于分值的 {b.item_min_ratio:.0%}", fm.bold_wrap)
    ws.write_formula(ok_row, C_POINTS_MAX,
                     f'=IF(COUNT({scores})<{n_b},{unscored.quoted()},'
                     f'IF(COUNTIF({sh.ok_range},{Verdict.ITEM_SHORT.quoted()})=0,"是","否"))',
                     fm.bold_text, items_ok_value)
    grades = sorted(b.grades, key=lambda g: -g.min)
    labels = " / ".join(g.label for g in reversed(grades))
    ws.merge_range(grade_row, LABEL_FROM, grade_row, C_CAT, f"B类等级（{labels}）", fm.bold_text)
    nested = Verdict.FAILED_GRADE.quoted()
    for g, name in reversed(list(zip(grades, sh.grade_names))):
        nested = f'IF({total_cell}>={name},"{g.label}",{nested})'
    ws.write_formula(grade_row, C_POINTS_MAX,
                     f'=IF(COUNT({scores})<{n_b},{unscored.quoted()},IF(OR({ok_cell}="否",{total_cell}<{TOTAL_MIN_NAME}),'
                     f'{Verdict.FAILED_GRADE.quoted()},{nested}))', fm.bold_text, grade_value)
    hint = f"在“得分”列填写 {n_b} 项 B类指标的得分后，合计、单项检查和等级自动计算。"
    ws.merge_range(grade_row + 1, LABEL_FROM, grade_row + 1, C_NOTE, hint, fm.note_wrap)
    grade_rng = f"{xl_col_to_name(C_POINTS_MAX)}{grade_row + 1}"
    ws.conditional_format(grade_rng, {"type": "cell", "criteria": "==", "value": Verdict.FAILED_GRADE.quoted(),
                                      "format": fm.cf_bad})
    ws.conditional_format(grade_rng, {"type": "cell", "criteria": "==", "value": unscored.quoted(), "format": fm.cf_grey})
    return total_value, grade_value, ref(SHEET, total_row, C_POINTS_MAX, True, True), \
        ref(SHEET, grade_row, C_POINTS_MAX, True, True)


def _setup(ws: Worksheet, ctx: ReportContext, sh: _Sheet, notes: dict[int, str], heads: list[str]) -> PrintLayout:
    """Widths, heights and printing: two pages wide (the items and measures; who acts, status
    and scores), 一级指标 and 二级指标 repeated. ``notes``: row -> the 状态说明 written there."""
    ws.freeze_panes(FIRST_ROW, 2)
    ws.autofilter(HEADER_ROW, 0, sh.last, NCOLS - 1)
    dept_w = fit_width((d for it in sh.items for d in it.departments), minimum=10, maximum=16)
    office_w = fit_width((o for it in sh.items for o in it.offices), minimum=10, maximum=14)
    widths = [8, TEXT_WIDTHS[C_TEXT], TEXT_WIDTHS[C_POINTS], TEXT_WIDTHS[C_MEASURES], dept_w, office_w, 6, 6, 10,
              9, 9, 9, 9, 22]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_row(HEADER_ROW, wrapped_height(zip(heads, widths)))
    for i, it in enumerate(sh.items):
        ws.set_row(FIRST_ROW + i, wrapped_height([
            (it.text, TEXT_WIDTHS[C_TEXT]), (it.points_text, TEXT_WIDTHS[C_POINTS]),
            (it.measures.strip("\n"), TEXT_WIDTHS[C_MEASURES]), (it.departments_text, dept_w),
            (it.offices_text, office_w), (notes.get(FIRST_ROW + i, ""), widths[C_NOTE])]))
    return print_setup(ws, HEADER_ROW, widths=widths, repeat_cols=C_TEXT + 1, blocks=(C_DEPTS,))


def _summaries(sh: _Sheet, total: tuple[object, object, str, str]) -> list[Summary]:
    """The 概览 figures: A类 counts by status, the B类 total and grade."""
    total_value, grade_value, total_ref, grade_ref = total
    cats = col_range(C_CAT, FIRST_ROW, sh.last, SHEET)
    statuses = col_range(C_STATUS, FIRST_ROW, sh.last, SHEET)
    out = [Summary(label, f'=COUNTIFS({cats},"A",{statuses},{word.quoted()})', sh.a_status.count(word), "integer")
           for label, word in (("A类指标达标项数", Verdict.MET), ("A类指标未达标项数", Verdict.UNMET),
                               ("A类指标未提供数据项数", Verdict.NO_DATA))]
    out.append(Summary("B类指标得分", f"={total_ref}", total_value, "decimal"))
    out.append(Summary("B类等级", f"={grade_ref}", grade_value))
    return out


# ---------------------------------------------------------------------- the sheet

def write(ws: Worksheet, ctx: ReportContext) -> None:
    """Write the sheet; leaves the 概览 figures (A类 counts, B类 total and grade) on ``ctx``.

    For 资源配置 items (check ``indicator:k``) 未达标学校数 is a formula over 学校指标 (sections
    whose ratio to the standard is under 1); other items take the checks' ``schools_unmet``.
    """
    tasks, fm = ctx.rules.tasks, ctx.fm
    items = list(tasks.items)
    last = FIRST_ROW + len(items) - 1
    note_row = last + 2
    sh = _Sheet(items, last, note_row, note_row + (2 if tasks.note else 0), 0)

    # The title within 一级指标 and 二级指标 (repeated on every printed page across), the hint
    # beside it on the first page only: no page shows a cut-off piece of either.
    ws.merge_range(0, 0, HEADER_ROW - 1, C_TEXT, f"{tasks.label + '  ' if tasks.label else ''}{tasks.title}",
                   fm.title_wrap)
    ws.merge_range(0, C_POINTS, HEADER_ROW - 1, C_MEASURES, "A类指标的当前状态由学校数据计算（依据见“状态说明”）；"
                   "B类指标在“得分”列填写，合计、单项检查和等级按表下方的计分参数自动计算。", fm.note_wrap)
    _parameters(ws, ctx, sh)
    notes: dict[int, str] = {}
    ratio = f"{ctx.std.b_scoring.item_min_ratio:.0%}"
    heads = list(tasks.columns or DEFAULT_HEADS) + [h.format(ratio=ratio) for h in ADDED_HEADS]
    ws.write_row(HEADER_ROW, 0, heads, fm.header)
    for i, it in enumerate(items):
        row = FIRST_ROW + i
        _item_texts(ws, ctx, row, it)
        chk = _unmet_and_ledger(ws, ctx, row, it, _lookup(ctx.checks, it.id))
        if it.category == "B":
            _b_item(ws, ctx, row, it, sh)
        else:
            _a_item(ws, ctx, row, chk, sh)
        note = _field(chk, "note", "") if it.category == "A" else ""
        if note:
            ws.write_string(row, C_NOTE, str(note), fm.wrap)
            notes[row] = str(note)
        else:
            ws.write_blank(row, C_NOTE, None, fm.text)
    _groups(ws, ctx, tasks)
    _status_colours(ws, ctx, sh)
    total = _result(ws, ctx, sh)
    layout = _setup(ws, ctx, sh, notes, heads)
    if tasks.note:  # within the first printed page, every line shown
        last = layout.first_page_last_col
        ws.merge_range(note_row, 0, note_row, last, tasks.note, fm.wrap)
        ws.set_row(note_row, wrapped_height([(tasks.note, 8 + sum(TEXT_WIDTHS[c] for c in range(1, last + 1)
                                                                   if c in TEXT_WIDTHS))]))
    ctx.summaries.extend(_summaries(sh, total))


SHEET_UNIT = Sheet(SHEET, write, order=3)
