"""任务清单: the county's 36-item task list, with status, ledger counts and B类 scoring.

Mirrors the 大祥区 table (一级指标 merged over consecutive items of one group, multi-line
cells) and adds 类别, 分值, 当前状态, 未达标学校数, 台账条目数 (a formula over 整改台账), and
for B items a score-entry cell. Below the table, formulas give the B类 total, the
≥ item_min_ratio check per item and the grade, from the parameter cells under the table (the
standard's ``[b_scoring]``); they show 未评分 while scores are missing.

Layout (0-based rows): 0 title, 1 a hint, 3 header, items from ``FIRST_ROW``; under the table
the 说明 note, the B类 scoring parameters, then the B类 result (labels in 推进措施…类别, values
in 分值).
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..indicators import BELOW, NEAR, Evaluation
from ..model import CLOSED, LedgerLine
from ..standards import Standard
from .formats import Formats, fit_width, print_setup, ref, wrapped_height
from .ledger_sheet import LedgerLayout, item_value
from .overview import Summary
from .schools import SchoolLayout

SHEET = "任务清单"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
HINT_ROW = 1

STATUS_LABEL = {"met": "达标", "unmet": "未达标", "no_data": "未提供数据", "to_score": "待评分"}
NOT_SCORED = "未评分"
ITEM_OK, ITEM_SHORT = "达到", "不足"

(C_GROUP, C_TEXT, C_POINTS, C_MEASURES, C_DEPTS, C_OFFICES, C_CAT, C_POINTS_MAX, C_STATUS, C_UNMET,
 C_LEDGER, C_SCORE, C_ITEM_OK, C_NOTE) = range(14)
TEXT_WIDTHS = {C_TEXT: 30, C_POINTS: 44, C_MEASURES: 50}  # the long wrapped columns
DEFAULT_HEADS = ("一级指标", "二级指标", "指标值或评估要点", "推进措施", "责任部门", "区教育局责任股室")
ADDED_HEADS = ("类别", "分值", "当前状态", "未达标学校数", "台账条目数\n（未销号）", "得分\n（B类填写）",
               "单项得分\n≥{ratio}", "状态说明")


def _field(obj: Any, name: str, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _lookup(checks, item_id: str):
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


def _indicator_status(ev: Evaluation, ind_id: int) -> tuple[str, int]:
    """Fallback when ``checks`` lacks a 资源配置 item: county verdicts over the stages."""
    verdicts, unmet = [], 0
    for st in ev.stages.values():
        for s in st.indicators:
            if s.indicator.id == ind_id:
                verdicts.append(s.verdict)
        unmet += sum(1 for r in st.sections if r.statuses[ind_id] in (NEAR, BELOW))
    if verdicts and all(v == "达标" for v in verdicts):
        return "met", unmet
    return ("unmet" if "未达标" in verdicts else "no_data"), unmet


def write(ws: Worksheet, tasks, checks, fm: Formats, led: LedgerLayout, ev: Evaluation, lay: SchoolLayout,
          lines: list[LedgerLine], *, scores: dict | None = None) -> list[Summary]:
    """Write the sheet; returns the 概览 figures (A类 counts, B类 total and grade).

    For 资源配置 items (check ``indicator:k``) 未达标学校数 is a formula over 学校指标 (sections
    whose ratio to the standard is under 1); other items take ``checks``' ``schools_unmet``.
    """
    std = ev.standard
    if tasks is None:
        ws.write_string(0, 0, "任务清单", fm.title)
        ws.write_string(1, 0, "本次运行未加载任务清单。", fm.note)
        return []
    b = std.b_scoring
    scores = {str(k): v for k, v in (scores or {}).items()}
    items = list(tasks.items)
    n = len(items)
    last = FIRST_ROW + n - 1
    ncols = C_NOTE + 1

    ws.merge_range(0, 0, 0, ncols - 1, f"{tasks.label + '  ' if tasks.label else ''}{tasks.title}", fm.title)
    ws.write_string(HINT_ROW, 0, "A类指标的当前状态由学校数据计算（依据见“状态说明”）；B类指标在“得分”列填写，"
                    "合计、单项检查和等级按表下方的计分参数自动计算。", fm.note)

    # B类 scoring parameters (the standard's [b_scoring]) sit under the table, labels in
    # 推进措施…类别 (merged), values in 分值; the formulas refer to these cells.
    grades = sorted(b.grades, key=lambda g: -g.min)
    note_row = last + 2
    param_row0 = note_row + (2 if tasks.note else 0)
    params = [("B类计分：单项得分不低于分值的", b.item_min_ratio, fm.param_ratio),
              ("B类计分：总分不低于", b.total_min, fm.param_value)]
    params += [(f"B类等级“{g.label}”：总分 ≥", g.min, fm.param_value) for g in grades]
    param_cells: list[str] = []
    for i, (label, value, f) in enumerate(params):
        ws.merge_range(param_row0 + i, C_MEASURES, param_row0 + i, C_CAT, label, fm.param_label)
        ws.write_number(param_row0 + i, C_POINTS_MAX, value, f)
        param_cells.append(ref(None, param_row0 + i, C_POINTS_MAX, True, True))
    ratio_cell, total_min_cell, grade_cells = param_cells[0], param_cells[1], param_cells[2:]
    result_row0 = param_row0 + len(params) + 1

    heads = list(tasks.columns or DEFAULT_HEADS) + [h.format(ratio=f"{b.item_min_ratio:.0%}") for h in ADDED_HEADS]
    ws.write_row(HEADER_ROW, 0, heads, fm.header)
    ws.set_row(HEADER_ROW, 32)

    ledger_item = led.column("item")
    ledger_status = led.column("status")
    item_flags: list[bool | None] = []  # per B item: True ok, False short, None not scored
    b_total = 0.0
    a_status: list[str] = []
    for i, it in enumerate(items):
        row = FIRST_ROW + i
        r1 = row + 1
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
        chk = _lookup(checks, it.id)
        check = getattr(it, "check", None)
        ind_id = int(check.ref) if check is not None and check.kind == "indicator" and check.ref.isdigit() else None
        if ind_id is not None and ev.stages and any(i.id == ind_id for i in std.indicators):
            fallback, unmet_here = _indicator_status(ev, ind_id)
            if _field(chk, "status") is None:
                chk = {"status": fallback, "note": _field(chk, "note", "")}
            k = [i.id for i in std.indicators].index(ind_id)
            ws.write_formula(row, C_UNMET, f'=COUNTIF({lay.column(lay.ratio_col(k))},"<1")', fm.integer, unmet_here)
        else:
            unmet = _field(chk, "schools_unmet")
            if unmet is None:
                ws.write_blank(row, C_UNMET, None, fm.text)
            else:
                ws.write_number(row, C_UNMET, unmet, fm.integer)
        open_lines = sum(1 for ln in lines if ln.item == it.id and ln.status != CLOSED)
        crit = item_value(it.id)
        crit = str(crit) if isinstance(crit, int) else f'"{crit}"'
        ws.write_formula(row, C_LEDGER, f'=COUNTIFS({ledger_item},{crit},{ledger_status},"<>{CLOSED}")',
                         fm.integer, open_lines)
        score_ref = f"{xl_col_to_name(C_SCORE)}{r1}"
        if it.category == "B":
            given = scores.get(it.id)
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
                b_total += float(given)
            item_flags.append(flag)
            max_ref = f"{xl_col_to_name(C_POINTS_MAX)}{r1}"
            ws.write_formula(row, C_ITEM_OK,
                             f'=IF(ISNUMBER({score_ref}),IF(ROUND({score_ref}/{max_ref},9)>={ratio_cell},'
                             f'"{ITEM_OK}","{ITEM_SHORT}"),"{NOT_SCORED}")',
                             fm.text, NOT_SCORED if flag is None else (ITEM_OK if flag else ITEM_SHORT))
            ok_ref = f"{xl_col_to_name(C_ITEM_OK)}{r1}"
            status = "待评分" if flag is None else ("达标" if flag else "未达标")
            ws.write_formula(row, C_STATUS, f'=IF({ok_ref}="{ITEM_OK}","达标",IF({ok_ref}="{ITEM_SHORT}",'
                                            f'"未达标","待评分"))', fm.text, status)
        else:
            raw = _field(chk, "status")
            status = STATUS_LABEL.get(raw, raw) if raw else "未提供数据"
            a_status.append(status)
            ws.write_string(row, C_STATUS, status, fm.text)
            ws.write_blank(row, C_SCORE, None, fm.grey)
            ws.write_blank(row, C_ITEM_OK, None, fm.grey)
        note = _field(chk, "note", "") if it.category == "A" else ""
        if note:
            ws.write_string(row, C_NOTE, str(note), fm.wrap)
        else:
            ws.write_blank(row, C_NOTE, None, fm.text)

    # 一级指标: one merged cell per run of consecutive items of the same group.
    start = 0
    for group, run in tasks.groups():
        r0, r1_ = FIRST_ROW + start, FIRST_ROW + start + len(run) - 1
        if r1_ > r0:
            ws.merge_range(r0, C_GROUP, r1_, C_GROUP, group, fm.wrap)
        else:
            ws.write_string(r0, C_GROUP, group, fm.wrap)
        start += len(run)

    status_rng = f"{xl_col_to_name(C_STATUS)}{FIRST_ROW + 1}:{xl_col_to_name(C_STATUS)}{last + 1}"
    fm.verdict_rules(ws, status_rng)
    ws.conditional_format(status_rng, {"type": "cell", "criteria": "==", "value": '"待评分"', "format": fm.cf_amber})
    ok_rng = f"{xl_col_to_name(C_ITEM_OK)}{FIRST_ROW + 1}:{xl_col_to_name(C_ITEM_OK)}{last + 1}"
    ws.conditional_format(ok_rng, {"type": "cell", "criteria": "==", "value": f'"{ITEM_SHORT}"', "format": fm.cf_bad})
    ws.conditional_format(ok_rng, {"type": "cell", "criteria": "==", "value": f'"{ITEM_OK}"', "format": fm.cf_good})

    # ---- note and the B类 result
    if tasks.note:
        ws.merge_range(note_row, 0, note_row, ncols - 1, tasks.note, fm.wrap)
        ws.set_row(note_row, 48)
    row = result_row0
    score_col = f"{xl_col_to_name(C_SCORE)}{FIRST_ROW + 1}:{xl_col_to_name(C_SCORE)}{last + 1}"
    n_b = sum(1 for it in items if it.category == "B")
    scored = [f for f in item_flags if f is not None]
    all_scored = len(scored) == n_b and n_b > 0
    total_value: object = b_total if scored else NOT_SCORED
    items_ok_value = (NOT_SCORED if not all_scored else ("是" if all(scored) else "否"))
    grade_value = NOT_SCORED if not all_scored else b.grade(b_total, all(scored))

    total_row, ok_row, grade_row = row, row + 1, row + 2
    total_cell = ref(None, total_row, C_POINTS_MAX, True, True)
    ok_cell = ref(None, ok_row, C_POINTS_MAX, True, True)
    label_fmt = fm.bold_text
    ws.merge_range(total_row, C_MEASURES, total_row, C_CAT, "B类指标得分合计", label_fmt)
    ws.write_formula(total_row, C_POINTS_MAX, f'=IF(COUNT({score_col})=0,"{NOT_SCORED}",SUM({score_col}))',
                     fm.bold_decimal, total_value)
    ws.merge_range(ok_row, C_MEASURES, ok_row, C_CAT, f"B类各项得分均不低于分值的 {b.item_min_ratio:.0%}", label_fmt)
    ws.write_formula(ok_row, C_POINTS_MAX,
                     f'=IF(COUNT({score_col})<{n_b},"{NOT_SCORED}",IF(COUNTIF({ok_rng},"{ITEM_SHORT}")=0,"是","否"))',
                     fm.bold_text, items_ok_value)
    ws.merge_range(grade_row, C_MEASURES, grade_row, C_CAT, "B类等级（合格 / 良好 / 优秀）", label_fmt)
    nested = '"不合格"'
    for g, cell in reversed(list(zip(grades, grade_cells))):
        nested = f'IF({total_cell}>={cell},"{g.label}",{nested})'
    ws.write_formula(grade_row, C_POINTS_MAX,
                     f'=IF(COUNT({score_col})<{n_b},"{NOT_SCORED}",IF(OR({ok_cell}="否",{total_cell}<{total_min_cell}),'
                     f'"不合格",{nested}))', fm.bold_text, grade_value)
    ws.merge_range(grade_row + 1, C_MEASURES, grade_row + 1, C_POINTS_MAX,
                   f"在“得分”列填写 {n_b} 项 B类指标的得分后，合计、单项检查和等级自动计算。", fm.note)
    grade_rng = f"{xl_col_to_name(C_POINTS_MAX)}{grade_row + 1}"
    ws.conditional_format(grade_rng, {"type": "cell", "criteria": "==", "value": '"不合格"', "format": fm.cf_bad})
    ws.conditional_format(grade_rng, {"type": "cell", "criteria": "==", "value": f'"{NOT_SCORED}"',
                                      "format": fm.cf_grey})

    # ---- sheet set-up
    ws.freeze_panes(FIRST_ROW, 2)
    ws.autofilter(HEADER_ROW, 0, last, ncols - 1)
    ws.set_column(C_GROUP, C_GROUP, 8)
    for col, width in TEXT_WIDTHS.items():
        ws.set_column(col, col, width)
    ws.set_column(C_CAT, C_POINTS_MAX, 6)
    ws.set_column(C_STATUS, C_STATUS, 10)
    ws.set_column(C_UNMET, C_ITEM_OK, 9)
    ws.set_column(C_NOTE, C_NOTE, 22)
    dept_w = fit_width((d for it in items for d in it.departments), minimum=10, maximum=16)
    office_w = fit_width((o for it in items for o in it.offices), minimum=10, maximum=14)
    ws.set_column(C_DEPTS, C_DEPTS, dept_w)
    ws.set_column(C_OFFICES, C_OFFICES, office_w)
    for i, it in enumerate(items):
        ws.set_row(FIRST_ROW + i, wrapped_height([(it.text, TEXT_WIDTHS[C_TEXT]), (it.points_text, TEXT_WIDTHS[C_POINTS]),
                                                  (it.measures.strip("\n"), TEXT_WIDTHS[C_MEASURES]),
                                                  (it.departments_text, dept_w), (it.offices_text, office_w)]))
    print_setup(ws, HEADER_ROW)

    # ---- 概览 figures
    sheet_cat = f"'{SHEET}'!${xl_col_to_name(C_CAT)}${FIRST_ROW + 1}:${xl_col_to_name(C_CAT)}${last + 1}"
    sheet_status = f"'{SHEET}'!${xl_col_to_name(C_STATUS)}${FIRST_ROW + 1}:${xl_col_to_name(C_STATUS)}${last + 1}"
    out = []
    for label, word in (("A类指标达标项数", "达标"), ("A类指标未达标项数", "未达标"),
                        ("A类指标未提供数据项数", "未提供数据")):
        out.append(Summary(label, f'=COUNTIFS({sheet_cat},"A",{sheet_status},"{word}")',
                           a_status.count(word), "integer"))
    out.append(Summary("B类指标得分", f"={ref(SHEET, total_row, C_POINTS_MAX, True, True)}", total_value, "decimal"))
    out.append(Summary("B类等级", f"={ref(SHEET, grade_row, C_POINTS_MAX, True, True)}", grade_value))
    return out
