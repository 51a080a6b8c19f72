"""Where each figure sits in the 教育事业统计 基层表: one rules file per form generation
(``rules/forms/jichu-2018.toml`` for the 基础基 forms up to the 2020/21 collection,
``jiaoji-2021.toml`` for the 教基 forms from autumn 2021) and one for the county-wide export
(``export.toml``), loaded strictly like the standards (unknown keys are errors).

A county's own mapping file (``表式补充.toml`` beside its school workbooks) has the same
format: its entries are tried before the bundled ones of the generation it names, so a
county can add a row label, a header path or a fixed cell without a code change.

A figure is found by form code, row label and column header path — never by cell address,
except in a county's own file — and named by a *statistics field*: what the form reports
(在校学生数, 研究生毕业 teachers, 教学及辅助用房 …). ``intake.derive`` turns those into the
indicators' canonical fields by the standard's ``[statistics]`` settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import STAGE_LABEL
from .standards import RULES_DIR, RuleError, build, read_rules_file, setting

FORMS_DIR = RULES_DIR / "forms"
GENERATIONS = ("jichu-2018", "jiaoji-2021")  # per-school workbooks, oldest first
EXPORT = "export"

# What the forms report, named once (the rules files use these names).
FIGURE_FIELDS = ("students", "backbone_teachers", "teaching_aux_area", "indoor_sports_area", "field_area",
                 "equipment_value", "multimedia_rooms")
TEACHER_ROWS = ("total", "postgraduate", "bachelor", "associate", "high_school", "below_high_school")
COURSES = ("pe", "music", "art", "arts")
INFO_FIELDS = ("name", "code", "school_type", "counted", "region_code", "place", "county", "city")
ALL_FIELDS = (*INFO_FIELDS, *FIGURE_FIELDS, *TEACHER_ROWS, *COURSES)
LABEL = {"students": "在校学生数", "backbone_teachers": "县级及以上骨干教师", "teaching_aux_area": "教学及辅助用房",
         "indoor_sports_area": "室内体育用房", "field_area": "运动场地面积", "equipment_value": "教学、实验仪器设备资产值",
         "multimedia_rooms": "网络多媒体教室", "total": "专任教师合计", "postgraduate": "研究生毕业",
         "bachelor": "本科毕业", "associate": "专科毕业", "high_school": "高中阶段毕业",
         "below_high_school": "高中阶段毕业以下", "pe": "体育（与健康）", "music": "音乐", "art": "美术", "arts": "艺术",
         "name": "学校名称", "code": "学校标识码", "school_type": "办学类型", "counted": "是否计校数",
         "region_code": "所在地行政区划代码", "place": "所在地", "county": "统计三级（县）", "city": "统计二级（市）"}

Path_ = tuple[str, ...]
Labels = tuple[str, ...]  # row labels whose rows are added up (one label: one row)


@dataclass(frozen=True)
class Generation:
    name: str = setting(help="表式代号：jichu-2018、jiaoji-2021、export；本县补充文件写它补充的表式")
    title: str = setting("", help="表式名称")
    prefix: str = setting("", help="工作表名中表号前的文字：基础基 / 教基")
    first_year: int | None = setting(None, help="最早使用该表式的学年初（秋季）年份")
    last_year: int | None = setting(None, help="最后使用该表式的学年初（秋季）年份；不写为至今")

    def covers(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (self.last_year is None or year <= self.last_year)

    @property
    def years(self) -> str:
        """"2018—2020 学年初" / "2021 学年初起", for messages."""
        if self.first_year and self.last_year:
            return f"{self.first_year}—{self.last_year} 学年初"
        return f"{self.first_year} 学年初起" if self.first_year else ""


@dataclass(frozen=True)
class Figure:
    """One figure: where it sits in a form (or which column of the export holds it).

    ``rows`` and ``columns`` give alternatives tried in order; an alternative of ``rows`` with
    several labels adds their rows up (博士研究生 + 硕士研究生). Without ``columns`` the value
    is in the list's value column (内容 / 数量 …); without ``rows`` it is a card cell, under
    the header cell (in the ``rows`` qualifier row, 名称 / 代码, when given with it). ``cell``
    fixes the cell (a county's own mapping file, for a form no label finds).
    """

    field: str = setting(help="统计字段（见 form_layouts.py）")
    form: str = setting("", help="表号（导出表不写）")
    stage: str | None = setting(None, help="学段：primary 小学 / junior 初中 / senior 高中（只取学生数）；不写为全校数")
    rows: tuple[Labels, ...] = setting((), help="行标签（可几种写法，依次尝试；写成列表的几行相加）")
    columns: tuple[Path_, ...] = setting((), help="列的表头路径（可几种写法，依次尝试）")
    section: str = setting("", help="只在表中该学段部分找行：小学 / 初中（424、4155 等分学段的表）")
    cell: str = setting("", help="固定单元格，如 D30（只在本县补充文件中使用）")
    unit: str = setting("", help="表内的单位：人、平方米、万元、间；表头或行标签写了单位时以表上为准")
    whole: bool = setting(False, help="导出表中按全校填报的数")
    also_in: tuple[str, ...] = setting((), help="本表没有时再找的表号")
    origin: str = setting("", help="（自动填写）该项来自哪个表式文件")


@dataclass(frozen=True)
class TeacherForm:
    """A teacher form (423 / 424 / 4155 …): the 合计 column of the 学历 rows, and the course
    columns of the 合计 row, in one stage's part of the form."""

    stage: str = setting(help="学段：primary / junior")
    form: str = setting(help="表号")
    total_column: tuple[Path_, ...] = setting(help="专任教师合计列（可几种写法）")
    rows: dict[str, tuple[Labels, ...]] = setting(help="学历 -> 行标签（total 为合计行；可几种写法，写成列表的几行相加）")
    courses: dict[str, tuple[Path_, ...]] = setting(help="课程 -> 列的表头路径")
    section: str = setting("", help="表中该学段部分的名称：小学 / 初中；表不分学段时读全表")
    section_required: bool = setting(False, help="表不分学段时不用此表（该表只在分学段时含本学段）")
    optional_courses: tuple[str, ...] = setting((), help="表中可能没有的课程列（没有时按 0 计，并写明）")
    origin: str = setting("", help="（自动填写）该项来自哪个表式文件")


@dataclass(frozen=True)
class ExportTeachers:
    total_column: tuple[Path_, ...] = setting(help="专任教师合计列")
    levels: dict[str, tuple[Path_, ...]] = setting(help="学历 -> 列")
    courses: dict[str, tuple[Path_, ...]] = setting(help="课程 -> 列")
    optional_courses: tuple[str, ...] = setting((), help="表中可能没有的课程列（没有时按 0 计）")


@dataclass(frozen=True)
class FormRules:
    generation: Generation
    path: Path
    figures: tuple[Figure, ...] = ()
    teachers: tuple[TeacherForm, ...] = ()
    columns: dict[str, tuple[Path_, ...]] = field(default_factory=dict)  # export: identity columns
    export_teachers: ExportTeachers | None = None
    titles: dict[str, str] = field(default_factory=dict)  # form code -> its title, for messages
    local: tuple[Path, ...] = ()  # the county's own mapping files merged in, first first

    @property
    def per_school(self) -> bool:
        """A generation of per-school workbooks (not the one-school-per-row export)."""
        return self.generation.name != EXPORT

    @property
    def info_form(self) -> str:
        """The form naming the school (111 / 1001)."""
        return next((f.form for f in self.figures if f.field == "name" and f.form), "")

    def forms(self) -> list[str]:
        """Every form code the rules read (in file order)."""
        codes = [f.form for f in self.figures if f.form] + [c for f in self.figures for c in f.also_in]
        codes += [t.form for t in self.teachers]
        return list(dict.fromkeys(codes))

    def entries(self, field_name: str, stage: str | None = None) -> list[Figure]:
        """The places of one figure, in the order they are tried."""
        return [f for f in self.figures if f.field == field_name and f.stage == stage]

    def with_local(self, local: FormRules) -> FormRules:
        """These rules with a county's own mapping file's entries tried first."""
        return replace(self, figures=(*local.figures, *self.figures), teachers=(*local.teachers, *self.teachers),
                       titles={**self.titles, **local.titles},
                       columns={k: (*local.columns.get(k, ()), *v) for k, v in {**local.columns, **self.columns}.items()},
                       local=(*self.local, local.path))


def _as_alternatives(value: Any) -> Any:
    """TOML shorthand to the typed form: ``row = "总计"`` -> ``[["总计"]]``. In a list, a string
    is one alternative of one item (a row label, a one-level header path) and a list is one
    alternative of several (row labels added up, the levels of a header path)."""
    if isinstance(value, str):
        return [[value]]
    if isinstance(value, list):
        return [[v] if isinstance(v, str) else v for v in value]
    return value


def _prepare(raw: dict, where: str) -> dict:
    """One [[figure]] or [[teachers]] entry with its shorthands expanded."""
    out = dict(raw)
    if "row" in out:
        if "rows" in out:
            raise RuleError(f"{where} 同时写了 row 和 rows，只写一个")
        out["rows"] = out.pop("row")
    for key in ("rows", "columns", "total_column"):
        if key in out and not isinstance(out[key], dict):
            out[key] = _as_alternatives(out[key])
    if isinstance(out.get("rows"), dict):
        out["rows"] = {k: _as_alternatives(v) for k, v in out["rows"].items()}
    if isinstance(out.get("courses"), dict):
        out["courses"] = {k: _as_alternatives(v) for k, v in out["courses"].items()}
    if isinstance(out.get("levels"), dict):
        out["levels"] = {k: _as_alternatives(v) for k, v in out["levels"].items()}
    return out


def _check(rules: FormRules, where: str) -> None:
    from .intake.formgrid import SECTION_WORDS, parse_cell

    problems = []
    for f in rules.figures:
        if f.field not in ALL_FIELDS:
            problems.append(f"统计字段 {f.field} 无法识别（可用：{'、'.join(ALL_FIELDS)}）")
        if f.stage not in (None, "primary", "junior", "senior"):
            problems.append(f"学段 {f.stage} 无法识别（应为 primary、junior 或 senior）")
        if f.cell and parse_cell(f.cell) is None:
            problems.append(f"单元格 {f.cell} 不是单元格地址（应如 D30）")
        if rules.per_school and not f.form:
            problems.append(f"{f.field} 没有写表号 form")
        if rules.per_school and not (f.rows or f.columns or f.cell):
            problems.append(f"{f.field}（{f.form}）没有写 rows、columns 或 cell")
        if f.section and f.section not in SECTION_WORDS:
            problems.append(f"学段部分 {f.section} 无法识别（应为 小学 或 初中）")
    for t in rules.teachers:
        problems += [f"学历 {k} 无法识别" for k in t.rows if k not in TEACHER_ROWS]
        problems += [f"课程 {k} 无法识别" for k in (*t.courses, *t.optional_courses) if k not in COURSES]
        if t.stage not in ("primary", "junior"):
            problems.append(f"学段 {t.stage} 无法识别（应为 primary 或 junior）")
        if t.section and t.section not in SECTION_WORDS:
            problems.append(f"学段部分 {t.section} 无法识别（应为 小学 或 初中）")
    if rules.export_teachers:
        problems += [f"学历 {k} 无法识别" for k in rules.export_teachers.levels if k not in TEACHER_ROWS]
    for key in rules.columns:
        if key not in INFO_FIELDS:
            problems.append(f"学校信息 {key} 无法识别（可用：{'、'.join(INFO_FIELDS)}）")
    if problems:
        raise RuleError(f"{where} 有误：\n" + "\n".join(f"- {p}" for p in problems))


def read_form_rules(path: Path) -> FormRules:
    """The form rules file at ``path`` (bundled or a county's own ``表式补充.toml``), strictly;
    raises RuleError (Chinese, naming the file and the key)."""
    return parse_form_rules(read_rules_file(path), path)


def parse_form_rules(data: dict, path: Path) -> FormRules:
    """A form rules file (bundled or a county's own) from its TOML tables, strictly."""
    where = f"表式文件 {path.name}"
    known = {"generation", "titles", "figure", "teachers", "columns"}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise RuleError(f"{where} 有无法识别的节：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
    generation = build(Generation, data.get("generation", {}), f"{where} [generation]")
    teachers = data.get("teachers")
    export = isinstance(teachers, dict)

    def entry(cls: type, raw: Any, here: str) -> Any:
        if not isinstance(raw, dict):
            raise RuleError(f"{here} 应为一个表")
        built = build(cls, _prepare(raw, here), here)
        return replace(built, origin=path.name)

    rules = FormRules(
        generation=generation,
        path=path,
        figures=tuple(entry(Figure, raw, f"{where} [[figure]] 第 {i} 项") for i, raw in enumerate(data.get("figure", []), 1)),
        teachers=() if export else tuple(entry(TeacherForm, raw, f"{where} [[teachers]] 第 {i} 项")
                                         for i, raw in enumerate(teachers or [], 1)),
        columns={k: tuple(tuple(p) for p in _as_alternatives(v)) for k, v in data.get("columns", {}).items()},
        export_teachers=build(ExportTeachers, _prepare(teachers, f"{where} [teachers]"), f"{where} [teachers]")
        if export else None,
        titles={str(k): str(v) for k, v in data.get("titles", {}).items()},
    )
    _check(rules, where)
    return rules


@lru_cache(maxsize=None)
def load_form_rules(name: str) -> FormRules:
    """A bundled form generation (``jiaoji-2021``), the export rules (``export``), or a file."""
    path = Path(name) if name.endswith(".toml") else FORMS_DIR / f"{name}.toml"
    if not path.exists():
        raise RuleError(f"找不到表式文件：{path}")
    return read_form_rules(path)


def all_form_rules() -> dict[str, FormRules]:
    """Every bundled generation and the export rules, by name."""
    return {name: load_form_rules(name) for name in (*GENERATIONS, EXPORT)}


def merge_local(bundled: tuple[FormRules, ...], local: list[FormRules]) -> tuple[FormRules, ...]:
    """The bundled rules with each county file's entries put first in the generation it
    names; a file naming no known generation is a RuleError listing the known ones."""
    out = list(bundled)
    for extra in local:
        i = next((i for i, r in enumerate(out) if r.generation.name == extra.generation.name), None)
        if i is None:
            known = "、".join(f"{r.generation.name}（{r.generation.title}）" for r in bundled)
            raise RuleError(f"表式补充文件 {extra.path.name} 的 [generation] name = “{extra.generation.name}”"
                            f"不是已知的表式（可用：{known}）")
        out[i] = out[i].with_local(extra)
    return tuple(out)


# ----------------------------------------------------------------------------- for people

_ARROW = "›"


def _places(rules: FormRules, stats: tuple[str, ...], stage_rows: dict[str, tuple[str, ...]] | None = None) -> str:
    """Where the statistics fields ``stats`` sit in one generation: "教基3112（小学）、教基3115（初中）
    “总计”行 × “在校学生数›合计”列". ``stage_rows`` picks teacher rows per stage (学历)."""
    pre = rules.generation.prefix
    if not rules.per_school:  # the export: columns only
        cols = [f"“{_ARROW.join(f.columns[0])}”" for f in rules.figures if f.field in stats and f.columns]
        t = rules.export_teachers
        if t is not None:
            cols += [f"“{_ARROW.join(t.total_column[0])}”" for s in stats if s == "total"]
            cols += [f"“{_ARROW.join(t.levels[s][0])}”" for s in stats if s in t.levels]
            cols += [f"“{_ARROW.join(t.courses[s][0])}”" for s in stats if s in t.courses]
        return "、".join(dict.fromkeys(cols)) + "列" if cols else ""
    groups: dict[tuple[str, str], list[str]] = {}
    named: set[tuple[str, str | None]] = set()
    for f in rules.figures:
        if f.field in stats and f.rows and f.columns and (f.field, f.stage) not in named:
            named.add((f.field, f.stage))  # the first place; the others are other layouts of it
            key = ("+".join(f.rows[0]), _ARROW.join(f.columns[0]))
            groups.setdefault(key, []).append(pre + f.form + (f"（{STAGE_LABEL[f.stage]}）" if f.stage else ""))
    seen: set[tuple[str, str]] = set()
    for t in rules.teachers:
        if (t.stage, t.form) in seen:
            continue
        seen.add((t.stage, t.form))
        stage = f"（{STAGE_LABEL[t.stage]}）"
        wanted = stage_rows.get(t.stage, ()) if stage_rows else ()
        total = _ARROW.join(t.total_column[0])
        if wanted or "total" in stats:
            rows = "、".join("+".join(t.rows[w][0]) for w in wanted) if wanted else "+".join(t.rows["total"][0])
            groups.setdefault((rows, total), []).append(pre + t.form + stage)
        for course in (s for s in stats if s in t.courses):
            groups.setdefault(("+".join(t.rows["total"][0]), _ARROW.join(t.courses[course][0])), []).append(
                pre + t.form + stage)
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
            text = _places(rules, stats if name != "qualified_teachers" or not rules.per_school else (), stage_rows)
            if text:
                parts.append(f"{rules.generation.title}：{text}")
        if parts:
            out[name] = "基层表中的位置——" + "；".join(parts) + (f"。{how}" if how else "") + "。"
    for key in ("name", "code", "school_type", "counted"):
        parts = []
        for r in forms:
            if r.per_school:
                listed = next((f for f in r.entries(key) if f.rows and f.columns), None)
                card = next((f for f in r.entries(key) if f.columns and (not f.rows or f.rows[0][0] in ("名称", "代码"))),
                            None)
                words = []
                if listed is not None:
                    words.append(f"“{listed.rows[0][0]}”行 × “{_ARROW.join(listed.columns[0])}”列")
                if card is not None:
                    below = f"下方的“{card.rows[0][0]}”行" if card.rows else "下方"
                    words.append(f"卡片式表中“{card.columns[0][-1]}”{below}")
                if words:
                    parts.append(f"{r.generation.title}：{r.generation.prefix}{r.info_form} " + "，或".join(words))
            elif key in r.columns:
                parts.append(f"{r.generation.title}：“{_ARROW.join(r.columns[key][0])}”列")
        if parts:
            out[key] = "基层表中的位置——" + "；".join(parts) + "。"
    return out
