"""The blank data-collection workbook (采集模板) a county fills in.

Headers are generated from ``rules/aliases.toml`` (label + a unit of the field's family),
so the template can never ask for a column the reader does not know. Written with
xlsxwriter; nothing here reads data.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from pathlib import Path

from .report.formats import new_workbook

from .model import weights_text
from .form_layouts import where_in_forms
from .rulebook import load_rules
from .standards import DEFAULT_STANDARD, Aliases, FieldSpec, load_aliases, load_standard
from .vocabulary import TemplateSheet

DATA_SHEET, COUNTY_SHEET, GUIDE_SHEET = TemplateSheet.DATA, TemplateSheet.COUNTY, TemplateSheet.GUIDE
# Rows of the data sheet that carry validation and formats (a county has a few hundred
# sections at most; 5000 leaves room without making the file heavy).
MAX_ROWS = 5000

STAGE_CHOICES = ("小学", "初中", "高中")
SCHOOL_TYPE_CHOICES = ("小学", "中心小学", "村小", "教学点", "初级中学", "九年一贯制学校", "十二年一贯制学校",
                       "完全中学", "特殊教育学校")
OWNERSHIP_CHOICES = ("公办", "民办")

# The unit shown in a header, per unit family. Each must be a unit the alias table lists
# for that family (checked in ``header_unit``), so a filled template reads back unchanged.
FAMILY_DISPLAY_UNIT = {"area": "㎡", "money": "元", "rooms": "间", "count": "人"}
# Count fields counted in classes, not people.
CLASS_COUNT_FIELDS = {"classes", "classes_over_limit", "classes_56_plus", "classes_66_plus"}

# Help shown as a header comment; fields not listed get a generic sentence.
FIELD_HELP = {
    "name": "学校全称，与教育事业统计一致。一贯制学校、完全中学每个学段一行，各行学校名称相同。",
    "code": "10 位学校标识码（教育事业统计）。",
    "school_type": "从下拉列表选择。九年一贯制、十二年一贯制、完全中学按学段分行填报。",
    "stage": "本行数据所属学段：小学 / 初中 / 高中（完全中学、十二年一贯制学校的高中部也要填一行，用于按学生数拆分全校共用的校舍设备）。",
    "ownership": "公办或民办。",
    "students": "本学段在校生数（人）。",
    "classes": "本学段教学班数（班）。",
    "full_time_teachers": "本学段专任教师数（人）。",
    "qualified_teachers": "高于规定学历的专任教师数：小学填大专（专科）及以上学历，初中填本科及以上学历。",
    "backbone_teachers": "县级（区级）及以上骨干教师、学科带头人、名师数（人）。",
    "pe_teachers": "体育专任教师数（人）。",
    "music_teachers": "音乐专任教师数（人）。",
    "art_teachers": "美术专任教师数（人）。",
    "teaching_area": "教学及辅助用房面积（㎡）。一贯制学校按全校填在该校第一行，其余学段行留空。",
    "gym_area": "体育馆（含风雨操场）面积（㎡），按全校填在第一行。",
    "field_area": "室外运动场地面积（㎡），按全校填在第一行。",
    "equipment_value": "教学仪器设备资产值，按账面原值，单位：元（不是万元）。按全校填在第一行。",
    "multimedia_rooms": "网络多媒体教室间数，按全校填在第一行。",
    "music_room_area": "全部音乐专用教室面积之和（㎡）。",
    "art_room_area": "全部美术专用教室面积之和（㎡）。",
    "max_class_size": "本学段人数最多的一个班的学生数（人）。",
    "staff": "本学段在编教职工数（人）。",
    "certified_teachers": "持有相应教师资格证的专任教师数（人）。",
    "trained_teachers": "近 5 年完成 360 学时培训的专任教师数（人）。",
    "public_funds": "本年度公用经费（元），按全校填在第一行。",
    "training_funds": "本年度教师培训经费（元），按全校填在第一行。",
}

COUNTY_HELP = {
    "rotation_rate": "当年交流轮岗教师数 ÷ 符合交流条件教师数",
    "rotation_backbone_share": "交流轮岗教师中县级及以上骨干教师所占比例",
    "junior_retention_rate": "初中三年巩固率",
    "monitoring_school_gap": "国家义务教育质量监测相关科目校际差异率（填小数，如 0.12）",
    "social_recognition": "社会认可度调查结果",
}


def template_fields(aliases: Aliases) -> list[FieldSpec]:
    """Canonical fields the template asks for, in alias-table order.

    Left out: composite totals (``pe_art_teachers``, ``sports_area``) whose parts are asked
    for, and parts used only by an alternative composite (``arts_teachers``), so a county
    never types the same amount twice in two forms.
    """
    derived = set(aliases.composites)
    first_parts = {p for lists in aliases.composites.values() for p in lists[0]}
    alternative = {p for lists in aliases.composites.values() for parts in lists[1:] for p in parts} - first_parts
    return [spec for name, spec in aliases.fields.items() if name not in derived | alternative]


def header_unit(spec: FieldSpec, aliases: Aliases) -> str:
    """The unit written after a field's label ('' for text fields)."""
    if spec.kind == "text":
        return ""
    unit = "班" if spec.name in CLASS_COUNT_FIELDS else FAMILY_DISPLAY_UNIT.get(spec.unit, "")
    if unit not in aliases.units.get(spec.unit, {}):
        unit = aliases.canonical_unit(spec.unit)
    return unit


def header_text(spec: FieldSpec, aliases: Aliases) -> str:
    """Header as written in the template, e.g. ``教学仪器设备值（元）``."""
    unit = header_unit(spec, aliases)
    return f"{spec.label}（{unit}）" if unit else spec.label


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ratio_rule(std, field_name: str) -> str:
    """"标准：不低于 95%" for a county field, worded from the standard's bound (item 36 included)."""
    items = list(std.county_checks) + ["36"]
    for item in items:
        bound = std.county_check(item)
        for r in bound.parts if bound else ():
            if r.field == field_name:
                if r.min is not None:
                    return f"标准：{'达到' if r.min >= 1 else '不低于'} {r.min:.0%}"
                return f"标准：低于 {r.max:.2f}"
    return ""


def field_help(std) -> dict[str, str]:
    """FIELD_HELP plus the notes that quote a threshold, worded from the standard's own values."""
    ck = std.checks
    size = ck.class_size_max
    return {
        **FIELD_HELP,
        "music_room_min_area": f"面积最小的一间音乐专用教室的面积（㎡），用于核查每间不低于 {ck.music_room_min_area:g} ㎡。",
        "art_room_min_area": f"面积最小的一间美术专用教室的面积（㎡），用于核查每间不低于 {ck.art_room_min_area:g} ㎡。",
        "classes_over_limit": f"超过标准班额（小学 {size['primary']:g} 人、初中 {size['junior']:g} 人）的班级数。",
        "classes_56_plus": f"{ck.large_class} 人及以上的大班额班级数。",
        "classes_66_plus": f"{ck.super_large_class} 人及以上的超大班额班级数。",
    }


def _split_rule_text(std) -> str:
    """"小学:初中 = 1:1.1，…" from the standard's split weights."""
    return "，".join(weights_text(weights) for weights in std.split.weights.values())


def write_template(path: str | Path, standard: str = DEFAULT_STANDARD) -> Path:
    """Write the blank collection workbook to ``path`` (.xlsx) and return the path.

    Sheets: 学校基础数据 (one row per school section, headers with units, validation that
    rejects text in number columns), 县级指标 (label | value | 说明), 填表说明.
    ``standard`` only supplies the reference values quoted in 说明.
    """
    aliases = load_aliases()
    std = load_standard(standard)
    path = Path(path)
    wb = new_workbook(path)
    # a fixed date keeps the committed template byte-stable when regenerated
    wb.set_properties({"title": "县域义务教育优质均衡发展数据采集模板", "author": "equity-xlsx",
                       "created": dt.datetime(2025, 1, 1)})

    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    head = wb.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "border": 1,
                          "bg_color": "#DDEBF7"})
    head_text = wb.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "border": 1,
                               "bg_color": "#FFF2CC"})
    text = wb.add_format({**base, "num_format": "@"})
    whole = wb.add_format({**base, "num_format": "0"})
    decimal = wb.add_format({**base, "num_format": "0.00"})
    pct = wb.add_format({**base, "num_format": "0.0%", "border": 1})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    title = wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True})
    guide_head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1})
    guide = wb.add_format({**base, "text_wrap": True, "valign": "top", "border": 1})

    # ------------------------------------------------------------ 学校基础数据
    ws = wb.add_worksheet(DATA_SHEET)
    fields = template_fields(aliases)
    helps = field_help(std)
    where = where_in_forms(load_rules(standard).forms, std.statistics)
    choices = {"stage": STAGE_CHOICES, "school_type": SCHOOL_TYPE_CHOICES, "ownership": OWNERSHIP_CHOICES}
    for c, spec in enumerate(fields):
        header = header_text(spec, aliases)
        ws.write(0, c, header, head_text if spec.kind == "text" else head)
        help_text = helps.get(spec.name) or f"填本学段的{spec.label}。"
        found = where.get(spec.name)
        comment = f"{header}\n{help_text}" + (f"\n{found}" if found else "")
        ws.write_comment(0, c, comment, {"x_scale": 3.2 if found else 2.2, "y_scale": 3.2 if found else 1.6,
                                         "font_name": "宋体"})
        width = 28 if spec.name == "name" else min(16, max(9, math.ceil(_display_width(header) / 2.5) + 2))
        if spec.kind == "text":
            ws.set_column(c, c, width, text)
            if spec.name in choices:
                ws.data_validation(1, c, MAX_ROWS, c, {
                    "validate": "list", "source": list(choices[spec.name]),
                    "error_title": "请从下拉列表选择",
                    "error_message": f"“{spec.label}”请从下拉列表中选择：{'、'.join(choices[spec.name])}。",
                })
            continue
        is_whole = spec.unit in ("count", "rooms")
        ws.set_column(c, c, width, whole if is_whole else decimal)
        kind = "整数" if is_whole else "数字"
        ws.data_validation(1, c, MAX_ROWS, c, {
            "validate": "integer" if is_whole else "decimal",
            "criteria": ">=", "value": 0,
            "error_title": "只能填写数字",
            "error_message": f"“{spec.label}”只能填写不小于 0 的{kind}，不要填写文字、单位、空格或逗号。"
                             f"单位已写在表头：{header_unit(spec, aliases) or '个'}。",
            "input_title": spec.label[:32],
            "input_message": (help_text if len(help_text) <= 255 else help_text[:254] + "…"),
        })
    ws.set_row(0, 54)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, 0, len(fields) - 1)

    # ------------------------------------------------------------ 县级指标
    cs = wb.add_worksheet(COUNTY_SHEET)
    cs.write_row(0, 0, ["指标", "数值", "说明"], head)
    for r, (name, spec) in enumerate(aliases.county_fields.items(), start=1):
        cs.write(r, 0, spec.label, cell)
        cs.write_blank(r, 1, None, pct)
        note = "；".join(x for x in (COUNTY_HELP.get(name, "填比例，如 96.5%"), _ratio_rule(std, name)) if x)
        cs.write(r, 2, note, cell)
    n = len(aliases.county_fields)
    cs.data_validation(1, 1, n, 1, {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
        "error_title": "只能填写比例",
        "error_message": "请填写 0～100% 之间的比例（如 96.5% 或 0.965），不要填写文字。",
    })
    cs.set_column(0, 0, 48)
    cs.set_column(1, 1, 12)
    cs.set_column(2, 2, 60)
    cs.freeze_panes(1, 0)

    # ------------------------------------------------------------ 填表说明
    gs = wb.add_worksheet(GUIDE_SHEET)
    gs.write(0, 0, "县域义务教育优质均衡发展数据采集表 填表说明", title)
    gs.write_row(2, 0, ["事项", "说明"], guide_head)
    for r, (topic, body) in enumerate(_guide(fields, aliases, std), start=3):
        gs.write(r, 0, topic, guide)
        gs.write(r, 1, body, guide)
    gs.set_column(0, 0, 22)
    gs.set_column(1, 1, 110)
    gs.activate()  # open on the instructions first
    wb.close()
    return path


def _guide(fields: list[FieldSpec], aliases: Aliases, std) -> list[tuple[str, str]]:
    ind = {i.numerator: i for i in std.indicators}
    helps = field_help(std)
    rows = [
        ("文件命名", "填好后另存为“××县（市、区）优质均衡数据.xlsx”，文件名中的县名用于结果报告。"
                     "请保留 .xlsx 格式，不要改动表头、不要增删列。"),
        ("一行填什么", f"“{DATA_SHEET}”表中，每所学校的每个学段填一行。单一学段的小学、初中各填一行；"
                       "九年一贯制学校填“小学”“初中”两行，十二年一贯制学校填“小学”“初中”“高中”三行，"
                       "完全中学填“初中”“高中”两行，各行学校名称、学校标识码相同。"),
        ("学生与教师", "在校生数、班级数、教师数等按学段分别填在各自的行。"),
        ("全校共用的校舍设备",
         "教学及辅助用房面积、体育馆和运动场地面积、教学仪器设备值、网络多媒体教室、音乐美术专用教室、公用经费、"
         "培训经费：一贯制学校和完全中学如不能分学段统计，按全校数填在该校第一行，其余学段行留空"
         "（也可把几行合并成一个单元格）。工具按加权学生数拆分：" + _split_rule_text(std) + "。"),
        ("高于规定学历", "小学填大专（专科）及以上学历教师数；初中填本科及以上学历教师数。"),
        ("骨干教师", "县级（区级）及以上教育行政部门认定的骨干教师、学科带头人、名师。"),
        ("体育、艺术教师", "体育、音乐、美术专任教师分三列填写，工具自动相加。"),
        ("单位", "单位已写在表头括号里：面积填平方米（㎡），金额填元（不是万元），教室填间数，人数填人。"
                 "单元格里只填数字，不要写单位、文字、空格或千分位逗号；没有的填 0，不掌握的留空"
                 "（留空按“未提供数据”处理，不会算作达标）。"),
        ("办学类型与学段", "从下拉列表选择。特殊教育学校、职业学校以及不足 "
                           f"{std.scope.teaching_point_min_students} 人的教学点会被排除在资源配置计算之外，"
                           "但仍请填报，工具会列出排除名单和原因。"),
        (COUNTY_SHEET, f"“{COUNTY_SHEET}”表填全县（市、区）的比例，如 96.5%；不掌握的留空。"),
        ("不要做的事", "不要在表中加标题行、合计行或备注行；不要隐藏行列；不要把数字存成文本。"),
        ("已有基层表时", "各校的教育事业统计基层报表（每校一个工作簿，放在以县名命名的文件夹里，如“青石县2025年基层表”）"
                        "或县、市按学段导出的基层表（一校一行）可以直接放进输入文件夹，不必再填本表。"
                        "各列在基层表中的位置见表头批注。"),
    ]
    lines = []
    for spec in fields:
        note = helps.get(spec.name, "")
        std_note = ""
        if spec.name in ind:
            i = ind[spec.name]
            std_note = f"（用于指标{i.id}“{i.name}”：小学 {i.standard['primary']:g}，初中 {i.standard['junior']:g}）"
        lines.append(f"{header_text(spec, aliases)}：{note}{std_note}")
    rows.append(("各列含义", "\n".join(lines)))
    rows.append(("示例", "某九年一贯制学校：第一行 学段=小学、在校生数=620、……、教学及辅助用房面积=5800、"
                         "教学仪器设备值=2600000；第二行 学段=初中、在校生数=380、……，面积和设备值留空。"))
    return rows
