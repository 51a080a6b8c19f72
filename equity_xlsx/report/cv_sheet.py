"""差异系数: the weighted CV of each indicator, laid out for a statistician to audit.

Rows 2–4 hold the limits and the 临界 margin the verdicts refer to (defined names 限值_小学,
限值_初中, 临界范围). Then, per stage and
indicator, a block: 学校 | Pᵢ | Xᵢ | Pᵢ·Xᵢ | Pᵢ·(Xᵢ−X̄)² (Pᵢ and Xᵢ are references to
学校指标), followed by ΣPᵢ, ΣPᵢXᵢ, X̄, ΣPᵢ(Xᵢ−X̄)², S, CV, 限值, 判定, 临界 (label in column A,
value in column B). Only schools with a value for the indicator enter its block, as in
``indicators.summarise_indicator``. Cached values are the ``WeightedCV`` fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from ..indicators import IndicatorSummary
from ..model import STAGE_LABEL, Verdict
from ..vocabulary import CountySheet
from .context import ReportContext, Sheet, limit_name
from .formats import fit_width, print_setup, ref, wrapped_height
from .schools import COL_STUDENTS

SHEET = CountySheet.CV
LIMIT_ROW = {"primary": 2, "junior": 3}
MARGIN_ROW = 4
MARGIN_NAME = "临界范围"


@dataclass(frozen=True)
class CVCells:
    """Sheet-qualified references to one block's results (for 概览)."""

    mean: str
    cv: str
    limit: str
    verdict: str
    critical: str
    title_row: int  # 0-based row of the block's title (for links)


def cv_verdict(s: IndicatorSummary) -> Verdict:
    return Verdict.NOT_APPLICABLE if s.cv_ok is None else (Verdict.MET if s.cv_ok else Verdict.UNMET)


def critical_text(s: IndicatorSummary, margin: float) -> Verdict:
    if s.cv_value is None:
        return Verdict.NOT_APPLICABLE
    return Verdict.CRITICAL if s.critical(margin) else Verdict.NOT_CRITICAL


def write(ws: Worksheet, ctx: ReportContext) -> None:
    ev, fm, std, lay = ctx.ev, ctx.fm, ctx.std, ctx.schools
    out = ctx.cv_cells
    ws.write_string(0, 0, "差异系数计算（按在校生数加权，总体形式）", fm.title)
    note = ("X̄ = ΣPᵢXᵢ / ΣPᵢ；S = √(ΣPᵢ(Xᵢ − X̄)² / ΣPᵢ)；CV = S / X̄。"
            f"Pᵢ（在校生数）和 Xᵢ（指标值）引自“{CountySheet.SCHOOLS}”，只含有该项数据的学校；判定用未舍入的 CV。")
    headers: dict[int, list[str]] = {}  # row -> the header texts of a computation block
    for stage, row in LIMIT_ROW.items():
        ws.write_string(row, 0, f"{STAGE_LABEL[stage]}差异系数限值（≤）", fm.param_label)
        ws.write_number(row, 1, std.cv.limit[stage], fm.param_value)
        ctx.define(limit_name(stage), SHEET, row, 1)
    ws.write_string(MARGIN_ROW, 0, "临界范围（|CV − 限值| ≤）", fm.param_label)
    ws.write_number(MARGIN_ROW, 1, std.cv.critical_margin, fm.param_value)
    margin_cell = ctx.define(MARGIN_NAME, SHEET, MARGIN_ROW, 1)

    row = MARGIN_ROW + 2
    shown: dict[int, list[str]] = {1: [], 3: [], 4: []}  # numbers as shown, to size their columns
    for stage, st in ev.stages.items():
        limit_cell = limit_name(stage)
        for k, (ind, summ) in enumerate(zip(std.indicators, st.indicators)):
            title_row = row
            ws.merge_range(row, 0, row, 4, f"{STAGE_LABEL[stage]} · {ind.id}. {ind.name}（{ind.unit}）", fm.subtitle)
            row += 1
            rows = [r for r in st.sections if r.values[ind.id] is not None]
            if not rows or summ.cv is None:
                ws.write_string(row, 0, "本学段没有学校提供该项数据，未计算差异系数。", fm.note)
                row += 2
                continue
            wcv = summ.cv
            headers[row] = ["学校", "Pᵢ 在校生数", f"Xᵢ 指标值（{ind.unit}）", "Pᵢ·Xᵢ", "Pᵢ·(Xᵢ − X̄)²"]
            ws.write_row(row, 0, headers[row], fm.header)
            row += 1
            first = row
            n = len(rows)
            last = first + n - 1
            mean_row = last + 3  # ΣP, ΣPX, then X̄
            mean_abs = f"$B${mean_row + 1}"
            vfmt = fm.value(ind.unit)
            for res in rows:
                r1 = row + 1
                src_row = lay.rows[id(res)]
                p, x = res.section.students, res.values[ind.id]
                ws.write_string(row, 0, res.section.school, fm.text)
                ws.write_formula(row, 1, "=" + lay.cell(src_row, COL_STUDENTS), fm.integer, p)
                ws.write_formula(row, 2, "=" + lay.cell(src_row, lay.value_col(k)), vfmt, x)
                ws.write_formula(row, 3, f"=B{r1}*C{r1}", fm.decimal, p * x)
                ws.write_formula(row, 4, f"=B{r1}*(C{r1}-{mean_abs})^2", fm.decimal, p * (x - wcv.mean) ** 2)
                shown[3].append(f"{p * x:,.2f}")
                shown[4].append(f"{p * (x - wcv.mean) ** 2:,.2f}")
                row += 1
            span = lambda c: f"{c}{first + 1}:{c}{last + 1}"  # noqa: E731
            b = lambda r: f"B{r + 1}"  # noqa: E731
            r_p, r_px, r_mean, r_sq, r_sd, r_cv, r_lim, r_ver, r_crit = range(row, row + 9)
            cv_value = Verdict.NOT_APPLICABLE if wcv.cv is None else wcv.cv
            lines = [
                ("ΣPᵢ", f"=SUM({span('B')})", fm.integer, wcv.total_weight),
                ("ΣPᵢXᵢ", f"=SUM({span('D')})", fm.decimal, wcv.weighted_sum),
                (f"X̄ = ΣPᵢXᵢ / ΣPᵢ（{ctx.county.area_word}值）", f"={b(r_px)}/{b(r_p)}", fm.bold_decimal, wcv.mean),
                ("ΣPᵢ(Xᵢ − X̄)²", f"=SUM({span('E')})", fm.decimal, wcv.sum_sq),
                ("S = √(ΣPᵢ(Xᵢ − X̄)² / ΣPᵢ)", f"=SQRT({b(r_sq)}/{b(r_p)})", fm.bold_decimal, wcv.sd),
                ("CV = S / X̄", f'=IF({b(r_mean)}=0,{Verdict.NOT_APPLICABLE.quoted()},{b(r_sd)}/{b(r_mean)})',
                 fm.cv_of(wcv.cv, std.cv.limit[stage], bold=True), cv_value),
                ("限值", f"={limit_cell}", fm.cv, std.cv.limit[stage]),
                ("判定（CV ≤ 限值）",
                 f'=IF(ISNUMBER({b(r_cv)}),IF({b(r_cv)}<={b(r_lim)},{Verdict.MET.quoted()},{Verdict.UNMET.quoted()}),'
                 f'{Verdict.NOT_APPLICABLE.quoted()})',
                 fm.text, cv_verdict(summ)),
                ("临界（|CV − 限值| ≤ 临界范围）",
                 f'=IF(ISNUMBER({b(r_cv)}),IF(ABS({b(r_cv)}-{b(r_lim)})<={margin_cell},{Verdict.CRITICAL.quoted()},'
                 f'{Verdict.NOT_CRITICAL.quoted()}),{Verdict.NOT_APPLICABLE.quoted()})',
                 fm.text, critical_text(summ, std.cv.critical_margin)),
            ]
            for label, formula, f, value in lines:
                ws.write_string(row, 0, label, fm.bold_text)
                ws.write_formula(row, 1, formula, f, value)
                if isinstance(value, float):
                    shown[1].append(f"{value:,.4f}")
                row += 1
            fm.verdict_rules(ws, f"B{r_ver + 1}:B{r_crit + 1}")
            out[(stage, ind.id)] = CVCells(
                mean=ref(SHEET, r_mean, 1, True, True), cv=ref(SHEET, r_cv, 1, True, True),
                limit=ref(SHEET, r_lim, 1, True, True), verdict=ref(SHEET, r_ver, 1, True, True),
                critical=ref(SHEET, r_crit, 1, True, True), title_row=title_row)
            row += 1
    if not ev.stages:
        ws.write_string(row, 0, "没有纳入计算的学校。", fm.note)

    widths = [fit_width((r.section.school for r in ev.sections), minimum=30, maximum=34),
              fit_width(shown[1], minimum=16, maximum=24), 16,
              fit_width(shown[3], minimum=16, maximum=24), fit_width(shown[4], minimum=16, maximum=24)]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    for r, texts in headers.items():
        ws.set_row(r, wrapped_height(zip(texts, widths)))
    ws.merge_range(1, 0, 1, len(widths) - 1, note, fm.note_wrap)
    ws.set_row(1, wrapped_height([(note, sum(widths))]))
    ws.freeze_panes(MARGIN_ROW + 1, 0)
    print_setup(ws, None, landscape=False, widths=widths)


SHEET_UNIT = Sheet(SHEET, write, order=1)
