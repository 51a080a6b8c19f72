"""口径说明: which standard and which choices produced the numbers.

The standard (title, name, file), the parameters (as references to the cells the formulas
use, so the two cannot disagree), the pass rule, CV limits, scope settings, and every
exclusion, split, unit conversion and derived (composite) value.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ..form_layouts import LABEL
from ..model import STAGE_LABEL
from ..vocabulary import CountySheet
from .context import ReportContext, Sheet, limit_name, standard_name
from .cv_sheet import MARGIN_NAME
from .formats import fit_width, num, print_setup, text_width, wrapped_height

SHEET = CountySheet.SCOPE
WRAP_AT = 50  # text wider than this (in character units) wraps inside its column
SPLIT_KIND = {"nine_year": "九年一贯制", "twelve_year": "十二年一贯制", "complete_middle": "完全中学"}


def derived_notes(sections) -> list[tuple[str, int, str]]:  # noqa: ANN001
    """Each derivation once, with the sections it applies to (not one line per school):
    (note, how many, "甲小学（小学）、…")."""
    by_note: dict[str, list[str]] = {}
    for sec in sections:
        for note in sec.notes:
            by_note.setdefault(note, []).append(f"{sec.school}（{STAGE_LABEL.get(sec.stage, sec.stage)}）")
    return [(note, len(who), "、".join(who)) for note, who in by_note.items()]


def _statistics_block(line, title, ctx) -> None:  # noqa: ANN001 - the sheet's own writers
    """How the indicators were taken from the 基层表: the standard's [statistics] settings."""
    std, data = ctx.std, ctx.ev.data
    st = std.statistics
    gen = next((f for f in ctx.rules.forms if f.generation.name == data.generation), None)
    title("基层表取数口径（标准文件 [statistics] 设定）")
    source = {"school": "各校教育事业统计基层报表（每校一个工作簿）", "export": "县（市）级基层表导出（一校一行，按学段分文件）"}
    line("数据来源", source.get(data.kind, data.kind) + (f"；表式：{gen.generation.title}" if gen and gen.per_school else ""))
    for stage, levels in st.qualified_levels.items():
        line(f"高于规定学历（{STAGE_LABEL.get(stage, stage)}）", " + ".join(LABEL[lv] for lv in levels) + "（专任教师学历行，合计列）")
    line("体育、艺术专任教师", " + ".join(LABEL[c] for c in st.pe_art_courses) + "（专任教师合计行，各课程列）")
    line("骨干教师", "县级及以上骨干教师（小学）/（初中）行")
    line("教学及辅助用房", "教学及辅助用房 − 室内体育用房（统计表把室内体育用房计在教学及辅助用房内）"
         if st.teaching_area_excludes_indoor_sports else "教学及辅助用房（含室内体育用房）")
    line("体育运动场馆面积", "运动场地面积 + 室内体育用房" if st.sports_area_includes_indoor_sports else "运动场地面积")
    line("教学仪器设备值", "统计表为万元，× 10000 换算为元")
    line("空白单元格", "找到的行列交叉处为空白按 0 计（统计表不填 0）；缺表、缺行、缺列按未提供数据处理，不按 0 计"
         if st.blank_cell_is_zero else "空白按未提供数据处理")
    if std.scope.teaching_point_min_students is not None:
        line("教学点", f"是否计校数为“否”或办学类型为教学点、在校生少于 {std.scope.teaching_point_min_students} 人的，"
                       "不纳入计算（列在下方“未纳入计算的学校”）")


def mapping_rows(data, forms) -> list[tuple[str, str, str, str, str, str]]:  # noqa: ANN001
    """Each figure a county's own mapping file (表式补充*.toml) gave, once per file, form,
    figure and cell, with the schools it was read for: (file, generation, form, figure, cell,
    "2 所：甲、乙"); a file that gave nothing has one row saying so."""
    titles = {f.generation.name: f.generation.title for f in forms}
    grouped: dict[tuple[str, str, str, str, str], list[str]] = {}
    for m in data.mapped_figures:
        key = (m.mapping, titles.get(m.generation, m.generation), m.sheet, m.figure, m.cell)
        grouped.setdefault(key, [])
        if m.school not in grouped[key]:
            grouped[key].append(m.school)
    rows = [(*key, f"{len(who)} 所：" + "、".join(who)) for key, who in grouped.items()]
    used = {m.mapping for m in data.mapped_figures}
    rows += [(name, "", "", "（未改变任何取数：其中的条目均未用上，数据按内置表式读取）", "", "")
             for name in data.form_mappings if name not in used]
    return rows


def _yes(flag: object) -> str:
    return "是" if flag else "否"


def write(ws: Worksheet, ctx: ReportContext) -> None:
    ev, fm, std = ctx.ev, ctx.fm, ctx.std
    data = ev.data
    labels = {name: spec.label for name, spec in ctx.rules.aliases.fields.items()}
    row = 0
    widths: list[list[object]] = [[] for _ in range(6)]

    tall: dict[int, list[tuple[int, str]]] = {}  # row -> long texts (col, text), sized at the end

    def line(*cells, f=None):
        nonlocal row
        for c, v in enumerate(cells):
            if v is None:
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(row, c, v, f or fm.text)
                widths[c].append(v)
            else:  # every text wraps within its column, its row as tall as it needs
                ws.write_string(row, c, str(v), fm.wrap)
                tall.setdefault(row, []).append((c, str(v)))
                if text_width(v) <= WRAP_AT:
                    widths[c].append(v)
        row += 1

    def title(text):
        nonlocal row
        row += 1
        ws.write_string(row, 0, text, fm.subtitle)
        row += 1

    def table(text, headers, rows):
        """A titled table, or 无 when there is nothing to list."""
        nonlocal row
        title(text)
        rows = list(rows)
        if not rows:
            line("无")
            return
        ws.write_row(row, 0, headers, fm.header)
        tall[row] = list(enumerate(headers))
        row += 1
        for cells in rows:
            line(*cells)

    ws.write_string(row, 0, SHEET, fm.title)
    row += 1
    title("评估标准")
    line("标准", std.title)
    line("标准名", std.name)
    line("标准文件", std.path.name)
    if std.description:
        line("说明", std.description)

    title(f"标准值（引用“{CountySheet.SCHOOLS}”参数区的命名单元格，公式使用的就是这些单元格）")
    ws.write_row(row, 0, ["编号", "指标", "单位", "小学", "初中", "计算方法"], fm.header)
    row += 1
    for k, ind in enumerate(std.indicators):
        ws.write_number(row, 0, ind.id, fm.integer)
        ws.write_string(row, 1, ind.name, fm.wrap)
        ws.write_string(row, 2, ind.unit, fm.text)
        for c, stage in ((3, "primary"), (4, "junior")):
            ws.write_formula(row, c, "=" + standard_name(stage, ind.id), fm.param_value, ind.standard[stage])
        method = labels.get(ind.numerator, ind.numerator)
        method += (f" × {num(ind.scale)}" if ind.scale != 1 else "") + " ÷ 在校生数"
        ws.write_string(row, 5, method, fm.wrap)
        widths[1].append(ind.name)
        widths[5].append(method)
        tall[row] = [(1, ind.name), (5, method)]
        row += 1

    title("判定规则")
    school_rule = (f"学校达标：{len(std.indicators)} 项中至少 {std.pass_rule.min_met} 项达到标准，其余各项不低于标准的 "
                   f"{std.pass_rule.floor_ratio:.0%}"
                   "（办法第六条）；比值先舍入到 9 位小数再比较，恰好等于标准算达标。")
    line("学校", school_rule)
    for stage in ("primary", "junior"):
        ws.write_string(row, 0, f"{STAGE_LABEL[stage]}差异系数限值", fm.text)
        ws.write_formula(row, 1, "=" + limit_name(stage), fm.param_value, std.cv.limit[stage])
        row += 1
    ws.write_string(row, 0, "临界范围", fm.text)
    ws.write_formula(row, 1, "=" + MARGIN_NAME, fm.param_value, std.cv.critical_margin)
    row += 1
    area, n_ind = ctx.county.area_word, len(std.indicators)
    line(area, f"每个学段：所有学校（学段）都按上条规则达标，且 {n_ind} 项差异系数分别不大于限值，资源配置才算达标"
               f"（办法第六条）；{area}值（ΣPᵢXᵢ / ΣPᵢ）与标准对照列出，但不单独决定结论。"
               "差异系数按在校生数加权（总体形式），用未舍入值判定，"
               f"显示保留 {std.cv.display_decimals} 位小数；与限值相差不超过临界范围的标为“临界”。")

    title("纳入范围")
    sc = std.scope
    line("民办学校纳入计算", _yes(sc.include_private))
    if sc.teaching_point_min_students is not None:
        line("教学点纳入的最少在校生数", sc.teaching_point_min_students)
    if sc.excluded_types:
        line("不纳入的学校类型", "、".join(sc.excluded_types))
    for kind, weights in std.split.weights.items():
        text = " : ".join(f"{STAGE_LABEL.get(s, s)} {num(w)}" for s, w in weights.items())
        line(f"整校数据拆分权重（{SPLIT_KIND.get(kind, kind)}）", text)
    if std.split.fields:
        line("按权重拆分的字段", "、".join(labels.get(f, f) for f in std.split.fields))

    if data.kind != "county":
        _statistics_block(line, title, ctx)
    if data.form_mappings:
        table("本县表式补充文件（表式补充*.toml，先于内置表式使用）",
              ["文件", "补充的表式", "表", "取数项", "单元格", "学校"], mapping_rows(data, ctx.rules.forms))

    table("未纳入计算的学校", ["学校", "学段", "办学类型", "在校生数", "原因", "来源"],
          ((ex.school, STAGE_LABEL.get(ex.stage, ex.stage), ex.school_type,
            ex.students if ex.students is not None else "", ex.reason,
            ex.source.describe() if ex.source else "") for ex in data.exclusions))

    def split_row(sp):
        students = "，".join(f"{STAGE_LABEL.get(s, s)} {num(p)}" for s, p, _ in sp.shares)
        weights = " : ".join(f"{STAGE_LABEL.get(s, s)} {num(w)}" for s, w in sp.weights)
        shares = "，".join(f"{STAGE_LABEL.get(s, s)} {a:,.2f}" for s, _, a in sp.shares)
        return sp.school, labels.get(sp.field, sp.field), sp.total, students, weights, shares

    table("整校数据按加权学生数拆分", ["学校", "字段", "全校合计", "各学段在校生数", "权重", "拆分结果"],
          map(split_row, data.splits))
    table("单位换算", ["工作表", "列", "表头", "字段", "单位", "换算系数"],
          ((cv.sheet, cv.column, cv.header, labels.get(cv.field, cv.field), cv.unit, cv.factor)
           for cv in data.conversions))
    table("推算与合成的数据", ["说明", "学校数", "学校（学段）"], derived_notes(data.sections))

    # Narrow enough for one A4 landscape page at 85 % or more; longer texts wrap.
    final = [fit_width(widths[0], minimum=14, maximum=22), fit_width(widths[1], minimum=20, maximum=44)]
    final += [fit_width(widths[c], minimum=10, maximum=24) for c in range(2, 6)]
    for c, w in enumerate(final):
        ws.set_column(c, c, w)
    for r, texts in tall.items():  # long texts wrap within their column, every line shown
        ws.set_row(r, wrapped_height((text, final[c]) for c, text in texts))
    print_setup(ws, None, widths=final)


SHEET_UNIT = Sheet(SHEET, write, order=4)
