"""Where each figure sits in the 教育事业统计 基层表: one rules file per form generation
(``rules/forms/jichu-2018.toml``, ``jiaoji-2023.toml``) and one for the county-wide export
(``export.toml``), loaded strictly like the standards (unknown keys are errors).

A figure is found by form code, row label and column header path — never by cell address —
and named by a *statistics field*: what the form reports (在校学生数, 研究生毕业 teachers,
教学及辅助用房 …). ``intake.statistics`` turns those into the indicators' canonical fields
by the standard's ``[statistics]`` settings (which 学历 count as 高于规定学历 …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .model import STAGE_LABEL
from .standards import RULES_DIR, RuleError, _read_toml, build, setting

FORMS_DIR = RULES_DIR / "forms"
GENERATIONS = ("jichu-2018", "jiaoji-2023")  # per-school workbooks, oldest first
EXPORT = "export"

# What the forms report, named once (the rules files use these names).
FIGURE_FIELDS = ("students", "backbone_teachers", "teaching_aux_area", "indoor_sports_area", "field_area",
                 "equipment_value", "multimedia_rooms")
TEACHER_ROWS = ("total", "postgraduate", "bachelor", "associate", "high_school", "below_high_school")
COURSES = ("pe", "music", "art", "arts")
INFO_FIELDS = ("name", "code", "school_type", "counted", "region_code", "place", "county", "city")
LABEL = {"students": "在校学生数", "backbone_teachers": "县级及以上骨干教师", "teaching_aux_area": "教学及辅助用房",
         "indoor_sports_area": "室内体育用房", "field_area": "运动场地面积", "equipment_value": "教学、实验仪器设备资产值",
         "multimedia_rooms": "网络多媒体教室", "total": "专任教师合计", "postgraduate": "研究生毕业",
         "bachelor": "本科毕业", "associate": "专科毕业", "high_school": "高中阶段毕业",
         "below_high_school": "高中阶段毕业以下", "pe": "体育（与健康）", "music": "音乐", "art": "美术", "arts": "艺术"}

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Generation:
    name: str = setting(help="表式代号")
    title: str = setting(help="表式名称")
    prefix: str = setting("", help="工作表名中表号前的文字：基础基 / 教基")


@dataclass(frozen=True)
class InfoForm:
    """The label | value form naming the school (111 / 1001)."""

    form: str = setting(help="表号，如 1001")
    value_column: Path_ = setting(help="值所在列的表头")
    rows: dict[str, str] = setting(help="学校信息 -> 行标签")


@dataclass(frozen=True)
class Figure:
    """One figure: a row label and a column path in a form (or a column of the export)."""

    field: str = setting(help="统计字段")
    columns: tuple[Path_, ...] = setting(help="列的表头路径（可几种写法，依次尝试）")
    unit: str = setting("", help="表内的单位：人、平方米、万元、间；表头括号里写了单位时以表头为准")
    stage: str | None = setting(None, help="学段；不写为全校数")
    form: str = setting("", help="表号（导出表不写）")
    row: str = setting("", help="行标签（导出表不写）")
    whole: bool = setting(False, help="导出表中按全校填报的数")
    also_in: tuple[str, ...] = setting((), help="本表没有时再找的表号")


@dataclass(frozen=True)
class TeacherForm:
    """A teacher form (423 / 4155 …): the 合计 column of the 学历 rows, and the course columns of 合计."""

    stage: str = setting(help="学段")
    form: str = setting(help="表号")
    total_column: Path_ = setting(help="合计列")
    rows: dict[str, str] = setting(help="学历 -> 行标签（total 为合计行）")
    courses: dict[str, tuple[Path_, ...]] = setting(help="课程 -> 列的表头路径")


@dataclass(frozen=True)
class ExportTeachers:
    total_column: Path_ = setting(help="专任教师合计列")
    levels: dict[str, Path_] = setting(help="学历 -> 列")
    courses: dict[str, tuple[Path_, ...]] = setting(help="课程 -> 列")


@dataclass(frozen=True)
class FormRules:
    generation: Generation
    path: Path
    info: InfoForm | None = None
    figures: tuple[Figure, ...] = ()
    teachers: tuple[TeacherForm, ...] = ()
    columns: dict[str, Path_] = field(default_factory=dict)  # export: identity columns
    export_teachers: ExportTeachers | None = None
    titles: dict[str, str] = field(default_factory=dict)  # form code -> its title, for messages

    def forms(self) -> list[str]:
        """Every form code the rules read (in file order)."""
        codes = [self.info.form] if self.info else []
        codes += [f.form for f in self.figures if f.form] + [t.form for t in self.teachers]
        return list(dict.fromkeys(codes))


def _check(rules: FormRules, where: str) -> None:
    problems = []
    for f in rules.figures:
        if f.field not in FIGURE_FIELDS:
            problems.append(f"统计字段 {f.field} 无法识别（可用：{'、'.join(FIGURE_FIELDS)}）")
        if f.stage not in (None, "primary", "junior"):
            problems.append(f"学段 {f.stage} 无法识别（应为 primary 或 junior）")
    for t in rules.teachers:
        problems += [f"学历 {k} 无法识别" for k in t.rows if k not in TEACHER_ROWS]
        problems += [f"课程 {k} 无法识别" for k in t.courses if k not in COURSES]
    if rules.export_teachers:
        problems += [f"学历 {k} 无法识别" for k in rules.export_teachers.levels if k not in TEACHER_ROWS]
    for key in [*(rules.info.rows if rules.info else {}), *rules.columns]:
        if key not in INFO_FIELDS:
            problems.append(f"学校信息 {key} 无法识别（可用：{'、'.join(INFO_FIELDS)}）")
    if problems:
        raise RuleError(f"{where} 有误：\n" + "\n".join(f"- {p}" for p in problems))


def parse_form_rules(data: dict, path: Path) -> FormRules:
    where = f"表式文件 {path.name}"
    known = {"generation", "titles", "info", "figure", "teachers", "columns"}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise RuleError(f"{where} 有无法识别的节：{'、'.join(unknown)}")
    teachers = data.get("teachers")
    export = isinstance(teachers, dict)
    rules = FormRules(
        generation=build(Generation, data.get("generation", {}), f"{where} [generation]"),
        path=path,
        info=build(InfoForm, data["info"], f"{where} [info]") if "info" in data else None,
        figures=tuple(build(Figure, raw, f"{where} [[figure]] 第 {i} 项") for i, raw in enumerate(data.get("figure", []), 1)),
        teachers=() if export else tuple(build(TeacherForm, raw, f"{where} [[teachers]] 第 {i} 项")
                                         for i, raw in enumerate(teachers or [], 1)),
        columns={k: tuple(v) for k, v in data.get("columns", {}).items()},
        export_teachers=build(ExportTeachers, teachers, f"{where} [teachers]") if export else None,
        titles={str(k): str(v) for k, v in data.get("titles", {}).items()},
    )
    _check(rules, where)
    return rules


@lru_cache(maxsize=None)
def load_form_rules(name: str) -> FormRules:
    """A bundled form generation (``jiaoji-2023``), the export rules (``export``), or a file."""
    path = Path(name) if name.endswith(".toml") else FORMS_DIR / f"{name}.toml"
    if not path.exists():
        raise RuleError(f"找不到表式文件：{path}")
    return parse_form_rules(_read_toml(path), path)


def all_form_rules() -> dict[str, FormRules]:
    """Every bundled generation and the export rules, by name."""
    return {name: load_form_rules(name) for name in (*GENERATIONS, EXPORT)}


# ----------------------------------------------------------------------------- for people

_ARROW = "›"


def _places(rules: FormRules, stats: tuple[str, ...], stage_rows: dict[str, tuple[str, ...]] | None = None) -> str:
    """Where the statistics fields ``stats`` sit in one generation: "教基3112（小学）、教基3115（初中）
    “总计”行 × “在校学生数›合计”列". ``stage_rows`` picks teacher rows per stage (学历)."""
    pre = rules.generation.prefix
    if rules.info is None:  # the export: columns only
        cols = [f"“{_ARROW.join(f.columns[0])}”" for f in rules.figures if f.field in stats]
        t = rules.export_teachers
        if t is not None:
            cols += [f"“{_ARROW.join(t.total_column)}”" for s in stats if s == "total"]
            cols += [f"“{_ARROW.join(t.levels[s])}”" for s in stats if s in t.levels]
            cols += [f"“{_ARROW.join(t.courses[s][0])}”" for s in stats if s in t.courses]
        return "、".join(dict.fromkeys(cols)) + "列" if cols else ""
    groups: dict[tuple[str, str], list[str]] = {}
    for f in rules.figures:
        if f.field in stats:
            groups.setdefault((f.row, _ARROW.join(f.columns[0])), []).append(
                pre + f.form + (f"（{STAGE_LABEL[f.stage]}）" if f.stage else ""))
    for t in rules.teachers:
        stage = f"（{STAGE_LABEL[t.stage]}）"
        wanted = stage_rows.get(t.stage, ()) if stage_rows else ()
        if wanted or "total" in stats:
            rows = "、".join(t.rows[w] for w in wanted) if wanted else t.rows["total"]
            groups.setdefault((rows, _ARROW.join(t.total_column)), []).append(pre + t.form + stage)
        for course in (s for s in stats if s in t.courses):
            groups.setdefault((t.rows["total"], _ARROW.join(t.courses[course][0])), []).append(pre + t.form + stage)
    return "；".join(f"{'、'.join(dict.fromkeys(forms))} “{row}”行 × “{col}”列" for (row, col), forms in groups.items())


def where_in_forms(forms: tuple[FormRules, ...], defs) -> dict[str, str]:  # noqa: ANN001 - StatisticsDefinitions
    """For the collection template: per canonical field, which form, row and column of the
    基层表 (each generation) and which column of the county export it is taken from."""
    sources: dict[str, tuple[tuple[str, ...], dict | None, str]] = {
        "students": (("students",), None, ""),
        "full_time_teachers": (("total",), None, ""),
        "qualified_teachers": ((), dict(defs.qualified_levels), "各行相加"),
        "backbone_teachers": (("backbone_teachers",), None, ""),
        "pe_teachers": (("pe",), None, ""), "music_teachers": (("music",), None, ""),
        "art_teachers": (("art",), None, ""), "arts_teachers": (("arts",), None, ""),
        "teaching_area": (("teaching_aux_area", "indoor_sports_area"), None,
                          "教学及辅助用房减去其中的室内体育用房" if defs.teaching_area_excludes_indoor_sports else ""),
        "gym_area": (("indoor_sports_area",), None, ""),
        "field_area": (("field_area",), None, ""),
        "equipment_value": (("equipment_value",), None, "表中为万元，本表填元（×10000）"),
        "multimedia_rooms": (("multimedia_rooms",), None, ""),
    }
    out: dict[str, str] = {}
    for name, (stats, stage_rows, how) in sources.items():
        if name == "qualified_teachers":
            stats = tuple(dict.fromkeys(lv for lvs in defs.qualified_levels.values() for lv in lvs))
        parts = []
        for rules in forms:
            text = _places(rules, stats if name != "qualified_teachers" or rules.info is None else (), stage_rows)
            if text:
                parts.append(f"{rules.generation.title}：{text}")
        if parts:
            out[name] = "基层表中的位置——" + "；".join(parts) + (f"。{how}" if how else "") + "。"
    for key, field_name in (("name", "name"), ("code", "code"), ("school_type", "school_type"), ("counted", "counted")):
        parts = [f"{r.generation.title}：{r.generation.prefix}{r.info.form} “{r.info.rows[key]}”行"
                 for r in forms if r.info is not None and key in r.info.rows]
        parts += [f"{r.generation.title}：“{_ARROW.join(r.columns[key])}”列" for r in forms
                  if r.info is None and key in r.columns]
        if parts:
            out[field_name] = "基层表中的位置——" + "；".join(parts) + "。"
    return out
