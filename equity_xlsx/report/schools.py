"""学校指标: one row per school section — inputs, the seven values, ratios, verdict.

Layout (0-based rows; Excel rows are one more):

- rows 0–1: title and a note;
- rows 2–4: the parameters block the formulas refer to — row 2 小学 standards and row 3 初中
  standards above the seven value columns (defined names 标准_小学_1 … 标准_初中_7),
  ``min_met`` (row 2, 至少达标项数) and ``floor_ratio`` (row 3, 达标下限比例) above 达标项数;
- row ``HEADER_ROW``: column headers; school rows below, 小学 sections first, then 初中.

Every computed cell is a formula over the inputs on the same row, written with the value
Python computed cached, in the same order of operations as ``indicators.py``:
value = numerator × scale / students, ratio = ROUND(value / standard, RATIO_DECIMALS).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..indicators import RATIO_DECIMALS, SectionResult, ratio_to_standard
from ..model import STAGE_LABEL, Section, Verdict
from ..vocabulary import CountySheet
from .context import ReportContext, Sheet, standard_name
from .formats import fit_width, num, print_setup, ref, wrapped_height

SHEET = CountySheet.SCHOOLS
MIN_MET_NAME, FLOOR_NAME = "至少达标项数", "达标下限比例"

HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
PARAM_ROW = {"primary": 2, "junior": 3}
MIN_MET_ROW, FLOOR_ROW = 2, 3

COL_SCHOOL, COL_STAGE, COL_TYPE, COL_STUDENTS = 0, 1, 2, 3
COL_INPUT = 4  # seven numerators from here

FAMILY_UNIT = {"area": "m²", "money": "元", "rooms": "间"}


@dataclass
class SchoolLayout:
    """Where things are on 学校指标, for the sheets that refer to it."""

    n_ind: int
    first_row: int
    last_row: int  # last data row (first_row − 1 when there are none)
    rows: dict[int, int] = field(default_factory=dict)  # id(SectionResult) -> row

    @property
    def col_value(self) -> int:
        return COL_INPUT + self.n_ind

    @property
    def col_ratio(self) -> int:
        return COL_INPUT + 2 * self.n_ind

    @property
    def col_met(self) -> int:
        return COL_INPUT + 3 * self.n_ind

    @property
    def col_verdict(self) -> int:
        return self.col_met + 1

    @property
    def col_source(self) -> int:
        return self.col_met + 2

    def value_col(self, k: int) -> int:
        return self.col_value + k

    def ratio_col(self, k: int) -> int:
        return self.col_ratio + k

    def cell(self, row: int, col: int, **kw) -> str:
        return ref(SHEET, row, col, **kw)

    def column(self, col: int) -> str:
        """Absolute range over the data rows of one column, sheet-qualified."""
        last = max(self.last_row, self.first_row)
        c = xl_col_to_name(col)
        return f"'{SHEET}'!${c}${self.first_row + 1}:${c}${last + 1}"


def _header(label: str, unit: str) -> str:
    return f"{label}\n({unit})" if unit else label


def source_text(section: Section, labels: dict[str, str], fields: list[str]) -> str:
    """Where the row's inputs came from: file / sheet / row, then each field's cell."""
    origin = section.origin
    parts = []
    for f in fields:
        src = section.sources.get(f)
        if src is None:
            continue
        cell = src.what
        if origin and src.file == origin.file and src.sheet == origin.sheet:
            parts.append(f"{labels[f]} {cell}")
        elif origin and src.file == origin.file:
            parts.append(f"{labels[f]} {src.sheet} {cell}")
        else:
            parts.append(f"{labels[f]} {src.describe()}")
    head = ""
    if origin:
        head = f"{origin.file} / {origin.sheet}" + (f" / 第{origin.row}行" if origin.row else "")
    text = head + ("：" if head and parts else "") + "，".join(parts)
    if section.notes:
        text += "；" + "；".join(section.notes)
    return text


def write(ws: Worksheet, ctx: ReportContext) -> None:
    ev, fm, std = ctx.ev, ctx.fm, ctx.std
    inds = std.indicators
    n = len(inds)
    aliases = ctx.rules.aliases
    labels = {name: spec.label for name, spec in aliases.fields.items()}
    input_fields = ["students"] + [i.numerator for i in inds]
    results: list[SectionResult] = ev.sections
    lay = ctx.schools = SchoolLayout(n_ind=n, first_row=FIRST_ROW, last_row=FIRST_ROW + len(results) - 1)

    # ---- title and parameters block
    # The title fits the school and stage columns, repeated on every printed page across; the
    # note (with the standard) beside it on the first page only: no page shows a cut-off piece.
    title = f"{ctx.county.name}学校指标"
    note = (f"标准：{std.title}。绿色＝达标，黄色＝未达标但不低于标准的"
            f"{std.pass_rule.floor_ratio:.0%}，红色＝低于{std.pass_rule.floor_ratio:.0%}。指标、达标率、达标项数和判定都是公式："
            "修改在校生数或各项输入值后自动重算（仅供试算：下次运行按原始数据表重新生成，请同时改正原始表）；"
            "标准值和判定参数取自下方灰色单元格。")
    for stage, row in PARAM_ROW.items():
        ws.merge_range(row, 0, row, lay.col_value - 1, f"{STAGE_LABEL[stage]}标准值 →", fm.param_label)
        for k, ind in enumerate(inds):
            ws.write_number(row, lay.value_col(k), ind.standard[stage], fm.param_value)
            ctx.define(standard_name(stage, ind.id), SHEET, row, lay.value_col(k))
    ws.merge_range(MIN_MET_ROW, lay.col_ratio, MIN_MET_ROW, lay.col_met - 1,
                   "学校达标：至少达标项数 →", fm.param_label)
    ws.write_number(MIN_MET_ROW, lay.col_met, std.pass_rule.min_met, fm.param_value)
    ws.merge_range(FLOOR_ROW, lay.col_ratio, FLOOR_ROW, lay.col_met - 1,
                   "其余各项不低于标准的 →", fm.param_label)
    ws.write_number(FLOOR_ROW, lay.col_met, std.pass_rule.floor_ratio, fm.param_ratio)
    min_met_cell = ctx.define(MIN_MET_NAME, SHEET, MIN_MET_ROW, lay.col_met)
    floor_cell = ctx.define(FLOOR_NAME, SHEET, FLOOR_ROW, lay.col_met)

    # ---- header
    heads = ["学校", "学段", "办学类型", "在校生数"]
    for ind in inds:
        spec = aliases.fields.get(ind.numerator)
        label = spec.label if spec else ind.numerator
        heads.append(_header(label, FAMILY_UNIT.get(spec.unit, "") if spec else ""))
    heads += [_header(f"{ind.id}.{ind.short}", ind.unit) for ind in inds]
    heads += [f"{ind.id}.达标率" for ind in inds]
    heads += ["达标项数", "判定", "来源（文件 / 工作表 / 单元格）"]
    ws.write_row(HEADER_ROW, 0, heads, fm.header)
    for k, ind in enumerate(inds):
        ws.write_comment(HEADER_ROW, lay.value_col(k),
                         f"{ind.name}\n= {labels.get(ind.numerator, ind.numerator)}"
                         f"{' × ' + num(ind.scale) if ind.scale != 1 else ''} ÷ 在校生数",
                         {"x_scale": 2, "y_scale": 1.2})

    # ---- school rows: one number format per input column, decimals only where a value has them
    # (a whole-school amount split between sections); inputs are open for trying a correction.
    def column_format(values) -> object:
        return fm.input_integer if all(float(v).is_integer() for v in values if v is not None) else fm.input_decimal

    input_fmt = {COL_STUDENTS: column_format(r.section.students for r in results)}
    for k, ind in enumerate(inds):
        input_fmt[COL_INPUT + k] = column_format(r.section.values.get(ind.numerator) for r in results)
    wrap_src = []
    for i, res in enumerate(results):
        row = FIRST_ROW + i
        lay.rows[id(res)] = row
        sec = res.section
        stage = sec.stage
        r1 = row + 1
        ws.write_string(row, COL_SCHOOL, sec.school, fm.text)
        ws.write_string(row, COL_STAGE, STAGE_LABEL.get(stage, stage), fm.text)
        ws.write_string(row, COL_TYPE, sec.school_type, fm.text)
        ws.write_number(row, COL_STUDENTS, sec.students, input_fmt[COL_STUDENTS])
        d_cell = f"$D{r1}"
        for k, ind in enumerate(inds):
            v = sec.values.get(ind.numerator)
            if v is None:
                ws.write_blank(row, COL_INPUT + k, None, fm.text)
            else:
                # Split amounts (一贯制 facilities) are fractional: show them to 0.01.
                ws.write_number(row, COL_INPUT + k, v, input_fmt[COL_INPUT + k])
            inp = f"{xl_col_to_name(COL_INPUT + k)}{r1}"
            product = inp if ind.scale == 1 else f"{inp}*{num(ind.scale)}"
            value = res.values[ind.id]
            vcol = lay.value_col(k)
            ws.write_formula(row, vcol,
                             f'=IF(AND(ISNUMBER({inp}),N({d_cell})>0),{product}/{d_cell},{Verdict.NO_DATA.quoted()})',
                             fm.value(ind.unit, value, ind.standard[stage]), Verdict.NO_DATA if value is None else value)
            vref = f"{xl_col_to_name(vcol)}{r1}"
            std_cell = standard_name(stage, ind.id)
            ratio = None if value is None else ratio_to_standard(value, ind.standard[stage])
            ws.write_formula(row, lay.ratio_col(k),
                             f'=IF(ISNUMBER({vref}),ROUND({vref}/{std_cell},{RATIO_DECIMALS}),{Verdict.NO_DATA.quoted()})',
                             fm.ratio_of(ratio), Verdict.NO_DATA if ratio is None else ratio)
        ratios = f"{xl_col_to_name(lay.col_ratio)}{r1}:{xl_col_to_name(lay.col_ratio + n - 1)}{r1}"
        met_ref = f"{xl_col_to_name(lay.col_met)}{r1}"
        ws.write_formula(row, lay.col_met, f'=COUNTIF({ratios},">=1")', fm.integer, res.met)
        ws.write_formula(row, lay.col_verdict,
                         f'=IF(AND({met_ref}>={min_met_cell},COUNT({ratios})={n},MIN({ratios})>={floor_cell}),'
                         f'{Verdict.MET.quoted()},{Verdict.UNMET.quoted()})',
                         fm.text, Verdict.MET if res.passes else Verdict.UNMET)
        src = source_text(sec, labels, input_fields)
        wrap_src.append(src)
        ws.write_string(row, lay.col_source, src, fm.text)

    if not results:
        ws.write_string(FIRST_ROW, 0, "没有纳入计算的学校。", fm.note)

    # ---- conditional formats, declared once per range
    if results:
        first, last = FIRST_ROW, lay.last_row
        ratio0 = f"{xl_col_to_name(lay.col_ratio)}{first + 1}"
        rules = [
            (f"=AND(ISNUMBER({ratio0}),{ratio0}>=1)", fm.cf_good),
            (f"=AND(ISNUMBER({ratio0}),{ratio0}<1,{ratio0}>={floor_cell})", fm.cf_amber),
            (f"=AND(ISNUMBER({ratio0}),{ratio0}<{floor_cell})", fm.cf_bad),
            (f"=NOT(ISNUMBER({ratio0}))", fm.cf_grey),
        ]
        for col0 in (lay.col_value, lay.col_ratio):
            for crit, f in rules:
                ws.conditional_format(first, col0, last, col0 + n - 1,
                                      {"type": "formula", "criteria": crit, "format": f})
        fm.verdict_rules(ws, f"{xl_col_to_name(lay.col_verdict)}{first + 1}:"
                             f"{xl_col_to_name(lay.col_verdict)}{last + 1}")

    # ---- sheet set-up: printed on pages of inputs, values, ratios and verdicts, each with the
    # school and its stage repeated (the provenance column is for the screen, not printed)
    ws.freeze_panes(FIRST_ROW, 1)
    ws.autofilter(HEADER_ROW, 0, max(lay.last_row, FIRST_ROW), lay.col_source)
    def shown(values, decimals: int) -> list[str]:  # as the cells show them, to size the columns
        return [f"{v:,.{decimals}f}" for v in values if v is not None]

    inputs = [fit_width(shown((r.section.values.get(ind.numerator) for r in results),
                              0 if input_fmt[COL_INPUT + k] is fm.input_integer else 2), minimum=12, maximum=16)
              for k, ind in enumerate(inds)]
    widths = ([fit_width((r.section.school for r in results), minimum=12, maximum=30), 6,
               fit_width((r.section.school_type for r in results), minimum=9, maximum=16), 9]
              + inputs + [11] * n + [8.5] * n + [9, 8])
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_column(lay.col_source, lay.col_source, fit_width(wrap_src, minimum=20, maximum=80))
    ws.set_row(HEADER_ROW, wrapped_height(zip(heads, widths), max_pt=120))
    layout = print_setup(ws, HEADER_ROW, widths=widths, repeat_cols=COL_STAGE + 1,
                         blocks=(COL_INPUT, lay.col_value, lay.col_ratio, lay.col_met))
    last = layout.first_page_last_col
    ws.merge_range(0, 0, 1, COL_STAGE, title, fm.title_wrap)
    ws.merge_range(0, COL_TYPE, 1, last, note, fm.note_wrap)
    ws.set_row(1, max(15.0, wrapped_height([(note, sum(widths[COL_TYPE: last + 1]))]) - 15))
    ws.print_area(0, 0, max(lay.last_row, FIRST_ROW), lay.col_verdict)


SHEET_UNIT = Sheet(SHEET, write, order=0)
