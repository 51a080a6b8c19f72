"""What the statistics forms report -> the indicators' fields, by the standard's ``[statistics]``
definitions (domain.md §7; every definition a setting, printed on 口径说明).

The forms report 学历 rows, course columns, 教学及辅助用房 with 室内体育用房 inside it, and
equipment in 万元; the indicators want 高于规定学历教师数, 体育、艺术专任教师数, teaching rooms
without the indoor sports rooms, sports grounds with them, and 元. ``to_record`` turns one
school's ``Figures`` into the same ``Record`` a collection-table row becomes, so everything
after it (口径, 一贯制 split, checks) is shared; whole-school facilities stay stage-neutral
(``Record.values``) so a 一贯制 school's two export rows can be matched and split once. A
figure the forms did not give stays absent: a derived value needs all of its parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..form_layouts import LABEL, TEACHER_ROWS
from ..model import STAGE_LABEL, Source
from ..problems import Code
from ..standards import Aliases, StatisticsDefinitions
from .table import Cell, Record

TEACHER_LEVELS = tuple(lv for lv in TEACHER_ROWS if lv != "total")


@dataclass
class Figures:
    """One school as its forms (or one export row) report it, before the definitions.

    ``staged[stage]`` holds students, backbone_teachers, the 学历 rows (total, postgraduate …)
    and the course columns (pe, music …) of that stage; ``whole`` the whole-school facilities
    (areas m², equipment 元, rooms).
    """

    file: str
    origin: Source
    kind: str  # "school" | "export"
    info: dict[str, str] = field(default_factory=dict)
    info_src: dict[str, Source] = field(default_factory=dict)
    staged: dict[str, dict[str, Cell]] = field(default_factory=dict)
    whole: dict[str, Cell] = field(default_factory=dict)
    # Per stage: courses counted through another column, or absent from the form and counted
    # 0 (course -> why): 艺术 as the group total over 音乐 and 美术 is not counted again.
    covered: dict[str, dict[str, str]] = field(default_factory=dict)


def _combine(cells: list[tuple[Cell, int]], target: str) -> Cell:
    """One value from parts (sign ±1), its source the first part's cell, its label every part
    ("D17（研究生毕业） + D19（本科毕业）", a part on another sheet named with its sheet)."""
    first = cells[0][0]
    origin_sheet = first.source.sheet
    value = sum(sign * c.value for c, sign in cells)
    words = []
    for i, (c, sign) in enumerate(cells):
        op = "" if i == 0 else (" + " if sign > 0 else " − ")
        sheet = f"{c.source.sheet} " if c.source.sheet != origin_sheet else ""
        # A part itself added up from several rows (博士研究生 + 硕士研究生) shows its own cells.
        what = f"（{c.source.label}）" if " + " in c.source.label else f"{c.source.cell}（{LABEL.get(c.field, c.field)}）"
        words.append(f"{op}{sheet}{what}{c.source.via_note}")
    via = "、".join(dict.fromkeys(c.source.via for c, _ in cells if c.source.via))
    src = Source(first.source.file, first.source.sheet, first.source.row, first.source.column, "".join(words), via)
    return Cell(round(value, 6), src, target)


def to_record(fig: Figures, defs: StatisticsDefinitions, aliases: Aliases) -> Record:
    """The Record of one school: canonical fields, each with the cells it came from."""
    label = {name: spec.label for name, spec in aliases.fields.items()}
    rec = Record(sheet=fig.origin.sheet, row=fig.origin.row or 0, origin=fig.origin, form=fig.kind == "school")
    for key in ("name", "code", "school_type", "counted"):
        if fig.info.get(key):
            rec.text[key] = fig.info[key]
            rec.text_src[key] = fig.info_src.get(key, fig.origin)
    notes: list[tuple[str | None, str]] = []
    for stage, got in fig.staged.items():
        out: dict[str, Cell] = {}
        for stat, canon in (("students", "students"), ("backbone_teachers", "backbone_teachers"),
                            ("total", "full_time_teachers")):
            if stat in got:
                out[canon] = Cell(got[stat].value, got[stat].source, canon)
        levels = defs.qualified_levels.get(stage, ())
        if levels and all(lv in got for lv in levels):
            out["qualified_teachers"] = _combine([(got[lv], 1) for lv in levels], "qualified_teachers")
            notes.append((stage, f"{label['qualified_teachers']}（{STAGE_LABEL.get(stage, stage)}）= "
                         + " + ".join(LABEL[lv] for lv in levels)))
        courses = [c for c in defs.pe_art_courses if c in got]
        covered = fig.covered.get(stage, {})
        if courses and all(c in got or c in covered for c in defs.pe_art_courses):
            out["pe_art_teachers"] = _combine([(got[c], 1) for c in courses], "pe_art_teachers")
            why = "".join(f"（{LABEL[c]}：{covered[c]}）" for c in defs.pe_art_courses if c in covered)
            notes.append((stage, f"{label['pe_art_teachers']} = " + " + ".join(LABEL[c] for c in courses) + why))
        rec.staged[stage] = out
    whole = fig.whole
    aux, indoor = whole.get("teaching_aux_area"), whole.get("indoor_sports_area")
    if aux is not None and (indoor is not None or not defs.teaching_area_excludes_indoor_sports):
        if defs.teaching_area_excludes_indoor_sports:
            rec.values["teaching_area"] = _combine([(aux, 1), (indoor, -1)], "teaching_area")
            notes.append((None, f"{label['teaching_area']} = 教学及辅助用房 − 室内体育用房"))
        else:
            rec.values["teaching_area"] = Cell(aux.value, aux.source, "teaching_area")
    ground = whole.get("field_area")
    if ground is not None and (indoor is not None or not defs.sports_area_includes_indoor_sports):
        if defs.sports_area_includes_indoor_sports:
            rec.values["sports_area"] = _combine([(ground, 1), (indoor, 1)], "sports_area")
            notes.append((None, f"{label['sports_area']} = 运动场地面积 + 室内体育用房"))
        else:
            rec.values["sports_area"] = Cell(ground.value, ground.source, "sports_area")
    for stat in ("equipment_value", "multimedia_rooms"):
        if stat in whole:
            rec.values[stat] = Cell(whole[stat].value, whole[stat].source, stat)
    rec.notes = list(dict.fromkeys(notes))
    return rec


def check_figures(fig: Figures, problems) -> None:  # noqa: ANN001 - a ProblemLog
    """The statisticians' own checks (domain.md §7), as warnings: the values are still used.

    学历 rows adding up to more than the 专任教师 合计; more 县级及以上骨干教师 than 专任教师;
    教学、实验仪器设备资产值 0 while the school reports teaching rooms or multimedia rooms.
    """
    name = fig.info.get("name", "")
    for stage, got in fig.staged.items():
        label = STAGE_LABEL.get(stage, stage)
        total = got.get("total")
        levels = [got[lv] for lv in TEACHER_LEVELS if lv in got]
        if total is not None and levels and sum(c.value for c in levels) > total.value + 1e-9:
            problems.add_at(Code.LEVELS_OVER_TOTAL, total.source, school=name, stage=label,
                            levels=sum(c.value for c in levels), total=total.value)
        backbone = got.get("backbone_teachers")
        if total is not None and backbone is not None and backbone.value > total.value:
            problems.add_at(Code.BACKBONE_OVER_TEACHERS, backbone.source, school=name, stage=label,
                            backbone=backbone.value, teachers=total.value)
    equipment = fig.whole.get("equipment_value")
    if equipment is not None and equipment.value == 0:
        what = []
        aux, rooms = fig.whole.get("teaching_aux_area"), fig.whole.get("multimedia_rooms")
        if aux is not None and aux.value > 0:
            what.append(f"教学及辅助用房 {aux.value:g} 平方米")
        if rooms is not None and rooms.value > 0:
            what.append(f"网络多媒体教室 {rooms.value:g} 间")
        if what:
            problems.add_at(Code.EQUIPMENT_ZERO, equipment.source, school=name, what="、".join(what))
