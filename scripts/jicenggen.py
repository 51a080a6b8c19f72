"""Synthetic 教育事业统计 基层报表: per-school form workbooks and city-wide stage exports.

Two generations of the forms are written from one code path; a generation is data (``GENERATIONS``:
which sheet, title, header paths and row labels each form has), so the same figure sits at a
different row or column in ``"jichu-2018"`` (基础基111 … 基础基531, up to the 2020/21 collection) and
in ``"jiaoji-2021"`` (教基1001 … 教基5180, from autumn 2021). A reader must find figures by label and
header path, never by cell address.

Independent of the ``equity_xlsx`` package on purpose (the samples test its reader). It borrows
from ``samplegen`` only the national standards, the random school profiles and the two small
pure functions of the pass rule and the weighted CV. Deterministic: every random draw comes
from a ``random.Random`` seeded by the caller or by the school's 标识码.
"""

from __future__ import annotations

import dataclasses
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

import samplegen as sg

STAGES = ("primary", "junior")
EDUCATION = ("postgrad", "bachelor", "college", "high_school", "below")
# 高于规定学历 (domain.md §1): 小学 专科及以上, 初中 本科及以上
QUALIFIED = {"primary": ("postgrad", "bachelor", "college"), "junior": ("postgrad", "bachelor")}
PE_ART = ("pe", "music", "art", "arts")  # 体育（与健康）+ 音乐 + 美术 + 艺术
NINE_YEAR_WEIGHTS = sg.SPLIT_WEIGHTS["nine_year"]  # 小学:初中 = 1:1.1
SMALL_SITE = 50  # a 教学点 under this many pupils leaves the calculation (domain.md §3)

# Teachers who teach neither PE nor the arts, spread over the other subjects with these weights.
OTHER_COURSES = {
    "primary": {"chinese": 34, "math": 27, "english": 10, "science": 7, "moral": 6, "it": 4, "practice": 4,
                "other": 3},
    "junior": {"chinese": 15, "math": 15, "english": 14, "moral": 8, "physics": 8, "biology": 6, "history": 6,
               "geography": 6, "chemistry": 5, "it": 3, "other": 2},
}


# ----------------------------------------------------------------------------- specs

@dataclass(frozen=True)
class County:
    """A county (统计三级) and where it sits; ``code`` is its 6-digit 行政区划代码."""

    name: str
    code: str
    city: str
    province: str = "南岭省"

    @property
    def location(self) -> str:
        return f"{self.province}{self.city}{self.name}"


@dataclass
class Section:
    """One stage of a school as its student and teacher forms report it (all counts in 人).

    ``education`` and ``courses`` both break down the same 专任教师 total; ``backbone`` is the
    县级及以上骨干教师 row of that stage.
    """

    stage: str
    students: int
    education: dict[str, int]
    courses: dict[str, int]
    backbone: int

    @property
    def teachers(self) -> int:
        return sum(self.education.values())


@dataclass
class Facilities:
    """Whole-school amounts: m² for areas, 万元 for equipment, rooms for 网络多媒体教室.

    ``teaching_area`` is the 教学及辅助用房 row, which includes ``indoor_sports``
    (其中：室内体育用房); ``field_area`` is 运动场地面积 including ``shared_field`` m² the school
    uses but does not own (reported on the 非学校产权 row).
    """

    teaching_area: float
    indoor_sports: float
    field_area: float
    equipment_wan: float
    multimedia: int
    shared_field: float = 0.0


@dataclass
class SchoolSpec:
    """A school and the quirks of its workbook.

    ``as_text`` names figures (keys of ``FIGURES``) stored as text in its forms;
    ``sheet_suffix`` is appended to every sheet name (``教基3112_小学``);
    ``multimedia_on_land_form`` moves 网络多媒体教室 from the 531 form to 522 (2018 only);
    ``footer`` adds a 单位负责人/填表人 line under every form.
    """

    name: str
    code: str
    school_type: str
    counted: bool  # 是否计校数
    county: County
    kind: str  # urban / town / rural
    sections: list[Section]
    facilities: Facilities
    as_text: set[str] = field(default_factory=set)
    sheet_suffix: str = ""
    multimedia_on_land_form: bool = False
    footer: bool = False

    @property
    def students(self) -> int:
        return sum(s.students for s in self.sections)

    @property
    def exclusion(self) -> str | None:
        """Why the school stays out of 资源配置 and the CVs, or None (domain.md §3)."""
        if (not self.counted or "教学点" in self.school_type) and self.students < SMALL_SITE:
            return f"教学点（不足{SMALL_SITE}人）"
        return None

    def section(self, stage: str) -> Section | None:
        return next((s for s in self.sections if s.stage == stage), None)


def spread(total: int, weights: dict[str, float]) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` by largest remainder (sums exactly)."""
    wsum = sum(weights.values())
    raw = {k: total * w / wsum for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], list(raw).index(k)))[: total - sum(out.values())]:
        out[k] += 1
    return out


def _section(rng: random.Random, base: sg.SectionData) -> Section:
    teachers, qualified = base.full_time_teachers, base.qualified
    if base.stage == "primary":
        postgrad = round(qualified * rng.uniform(0.0, 0.05))
        bachelor = min(qualified - postgrad, round(qualified * rng.uniform(0.5, 0.75)))
        college = qualified - postgrad - bachelor
        rest = teachers - qualified
        below = 1 if rest >= 3 and rng.random() < 0.4 else 0
        high_school = rest - below
    else:
        postgrad = round(qualified * rng.uniform(0.02, 0.1))
        bachelor = qualified - postgrad
        rest = teachers - qualified
        high_school = round(rest * rng.uniform(0.0, 0.2))
        college, below = rest - high_school, 0
    education = dict(zip(EDUCATION, (postgrad, bachelor, college, high_school, below)))
    art, arts = base.art, 0
    if art >= 2 and rng.random() < 0.5:
        art, arts = art - 1, 1  # a teacher of the combined 艺术 course
    courses = {"pe": base.pe, "music": base.music, "art": art, "arts": arts}
    courses.update(spread(teachers - sum(courses.values()), OTHER_COURSES[base.stage]))
    return Section(base.stage, base.students, education, courses, base.backbone)


def make_school(rng: random.Random, county: County, name: str, school_type: str, kind: str,
                students: dict[str, int], serial: int, over: dict[str, float] | None = None,
                **quirks) -> SchoolSpec:
    """A school whose indicators sit at random multiples of the standard for its ``kind``
    (``samplegen.PROFILES``); ``over`` fixes a multiple (``{"equipment": 0.55}``) to plant a
    known shortfall. Its 标识码 is ``21`` + the county code + ``serial`` (10 digits)."""
    code = f"21{county.code}{serial:02d}"
    base = sg.make_school(rng, name, school_type, kind, students, code, over)
    fac = base.facilities
    facilities = Facilities(
        teaching_area=round(fac["teaching_area"] + fac["gym_area"], 1),
        indoor_sports=float(fac["gym_area"]),
        field_area=float(fac["field_area"]),
        equipment_wan=round(fac["equipment_value"] / 10000, 2),
        multimedia=int(fac["multimedia_rooms"]),
    )
    return SchoolSpec(name, code, school_type, "教学点" not in school_type, county, kind,
                      [_section(rng, s) for s in base.sections], facilities, **quirks)


# ------------------------------------------------------------------- expected results

def section_values(school: SchoolSpec) -> dict[str, dict[str, float]]:
    """The seven indicator values of each stage of ``school`` (keys of ``samplegen.STANDARD``):
    per 100 students for teachers and 多媒体教室, m² per student for areas, 元 per student for
    equipment. Whole-school facilities of a school with two stages are split by weighted
    students 小学:初中 = 1:1.1 (domain.md §3)."""
    fac = school.facilities
    whole = {
        "teaching": fac.teaching_area - fac.indoor_sports,
        "sports": fac.field_area + fac.indoor_sports,
        "equipment": fac.equipment_wan * 10000,
        "multimedia": fac.multimedia * 100,
    }
    weight = {s.stage: (NINE_YEAR_WEIGHTS[s.stage] if len(school.sections) > 1 else 1.0) * s.students
              for s in school.sections}
    out = {}
    for sec in school.sections:
        n = sec.students
        share = weight[sec.stage] / sum(weight.values())
        values = {
            "qualified": sum(sec.education[k] for k in QUALIFIED[sec.stage]) * 100 / n,
            "backbone": sec.backbone * 100 / n,
            "pe_art": sum(sec.courses[k] for k in PE_ART) * 100 / n,
        }
        values.update({k: amount * share / n for k, amount in whole.items()})
        out[sec.stage] = {k: values[k] for k in sg.INDICATORS}
    return out


@dataclass
class StageResult:
    """One county stage: its sections, (county value, CV) per indicator, and the schools left out."""

    stage: str
    sections: list[sg.SectionResult]
    county: dict[str, tuple[float, float]]

    @property
    def passing(self) -> int:
        return sum(r.passes for r in self.sections)


def evaluate(schools: list[SchoolSpec]) -> dict[str, StageResult]:
    """Expected evaluation of one county, by stage: each school section's values and verdict
    (``samplegen.judge``), the county value and the enrolment-weighted CV of each indicator."""
    out = {}
    for stage in STAGES:
        rows = []
        for school in schools:
            sec = school.section(stage)
            if sec is None or school.exclusion:
                continue
            values = section_values(school)[stage]
            status, met, passes = sg.judge(values, stage)
            rows.append(sg.SectionResult(school.name, stage, sec.students, values, status, met, passes))
        if rows:
            county = {k: sg.weighted_mean_cv([(r.students, r.values[k]) for r in rows]) for k in sg.INDICATORS}
            out[stage] = StageResult(stage, rows, county)
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int, left: bool = False) -> str:
    pad = " " * max(0, width - _width(text))
    return text + pad if left else pad + text


def describe(county: str, schools: list[SchoolSpec]) -> str:
    """The expected result of one county as a plain-text block (Chinese, fixed-width table):
    every section's seven values with a mark per indicator (△ 85–100 % of the standard,
    ✗ under 85 %), the verdict, the county values, CVs and the excluded schools."""
    digits = {"equipment": 2}
    lines = []
    for stage, res in evaluate(schools).items():
        level = county[-1]
        lines.append(f"{county} {sg.STAGE_CN[stage]}：计入 {len(res.sections)} 所（段），达标 {res.passing} 所"
                     f"{'（全部达标）' if res.passing == len(res.sections) else ''}。")
        head = [_cell("学校", 26, True), _cell("在校生", 7)] + [_cell(sg.IND_NAME[k], 11) for k in sg.INDICATORS]
        lines.append("  " + "".join(head) + "  判定")
        for r in res.sections:
            cells = [_cell(r.school, 26, True), _cell(str(r.students), 7)]
            for k in sg.INDICATORS:
                mark = {"met": " ", "near": "△", "below": "✗"}[r.status[k]]
                cells.append(_cell(f"{r.values[k]:.{digits.get(k, 3)}f}{mark}", 11))
            verdict = ("达标" if r.met == 7 else "达标（85%规则）") if r.passes else "未达标"
            lines.append("  " + "".join(cells) + "  " + verdict)
        total = sum(r.students for r in res.sections)
        for label, pick, fmt in (
            (f"全{level}值", lambda k: res.county[k][0], lambda k, v: f"{v:.{digits.get(k, 3)}f}"),
            ("标准", lambda k: sg.STANDARD[k][stage], lambda k, v: f"{v:g}"),
            ("差异系数", lambda k: res.county[k][1], lambda k, v: f"{v:.4f}"),
        ):
            cells = [_cell(label, 26, True), _cell(str(total) if label.startswith("全") else "", 7)]
            cells += [_cell(fmt(k, pick(k)), 11) for k in sg.INDICATORS]
            lines.append("  " + "".join(cells))
        limit = sg.CV_LIMIT[stage]
        over = [sg.IND_NAME[k] for k in sg.INDICATORS if res.county[k][1] > limit]
        lines.append(f"  差异系数上限 {limit:.2f}：" + ("超限 " + "、".join(over) if over else "均未超限"))
    excluded = [f"{s.name}（{s.exclusion}，{s.students}人）" for s in schools if s.exclusion]
    if excluded:
        lines.append("排除：" + "、".join(excluded))
    return "\n".join(lines)


# ------------------------------------------------------------------ the two generations

TEXT_COLUMNS = ("label", "no", "unit")  # index row 甲 乙 丙; data columns are numbered 1, 2, 3 …


@dataclass(frozen=True)
class Col:
    path: tuple[str, ...]  # header texts from the top header row down
    key: str


@dataclass(frozen=True)
class Row:
    label: str
    key: str
    unit: str = ""


@dataclass(frozen=True)
class Form:
    """Where one form of one generation puts things: sheet name, title, header paths, row labels."""

    sheet: str
    title: str
    code_line: str
    unit_line: str
    columns: tuple[Col, ...]
    rows: tuple[Row, ...]
    blank_zero: bool = True  # a count of 0 is left blank, as the statistics system exports it

    @property
    def depth(self) -> int:
        return max(2, *(len(c.path) for c in self.columns))

    def column(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)


def cols(*spec: tuple[str, str]) -> tuple[Col, ...]:
    """Columns from ("group/leaf", key) pairs."""
    return tuple(Col(tuple(path.split("/")), key) for path, key in spec)


def rows(*spec: tuple[str, ...]) -> tuple[Row, ...]:
    """Rows from (label, key) or (label, key, unit) tuples."""
    return tuple(Row(*r) for r in spec)


GRADES = ("g1", "g2", "g3", "g4", "g5", "g6")
TITLES = ("title_full", "title_senior", "title_1", "title_2", "title_3", "title_none")

_INFO_2018 = rows(
    ("学校名称", "name"), ("学校标识码", "code"), ("统一社会信用代码", "credit"), ("办学类型", "type"),
    ("举办者", "sponsor"), ("所在地", "location"), ("所在地行政区划代码", "area_code"), ("城乡分类", "urban"),
    ("是否计校数", "counted"), ("是否民族校", "ethnic"), ("校长姓名", "principal"), ("联系电话", "phone"),
)
_INFO_2023 = rows(
    ("学校标识码", "code"), ("学校名称", "name"), ("统一社会信用代码", "credit"), ("所在地", "location"),
    ("所在地行政区划代码", "area_code"), ("城乡分类", "urban"), ("办学类型", "type"), ("举办者", "sponsor"),
    ("是否计校数", "counted"), ("是否民族校", "ethnic"), ("是否寄宿制学校", "boarding"), ("校长姓名", "principal"),
    ("联系电话", "phone"), ("邮政编码", "postcode"),
)
_EXTRA_2018 = rows(
    ("教职工数", "staff", "人"), ("其中：专任教师", "full_time", "人"), ("其中：女", "staff_f", "人"),
    ("行政人员", "admin", "人"), ("教辅人员", "aux", "人"), ("工勤人员", "workers", "人"),
    ("校办企业职工", "enterprise", "人"), ("代课教师", "substitute", "人"), ("兼任教师", "part_time", "人"),
    ("离退休人员", "retired", "人"), ("是否寄宿制学校", "boarding"), ("寄宿生数", "boarders", "人"),
    ("进城务工人员随迁子女", "migrant", "人"), ("农村留守儿童", "left_behind", "人"),
    ("残疾学生随班就读", "disabled", "人"), ("接受资助学生", "aided", "人次"),
    ("学生营养改善计划受益学生", "nutrition", "人"), ("教学班数", "classes", "个"),
    ("其中：56人及以上大班额", "big_classes", "个"), ("心理健康教育专职教师", "psych", "人"),
    ("法治副校长", "legal_vp", "人"), ("交流轮岗教师", "rotation", "人"), ("其中：骨干教师", "rotation_backbone", "人"),
    ("乡村教师生活补助受益教师", "rural_subsidy", "人"), ("特级教师", "special_grade", "人"),
    ("县级及以上骨干教师（小学）", "backbone_primary", "人"), ("县级及以上骨干教师（初中）", "backbone_junior", "人"),
    ("县级及以上骨干教师（高中）", "backbone_senior", "人"), ("名师工作室", "studio", "个"),
    ("课后服务参与学生", "after_school", "人"),
)
_EXTRA_2023 = rows(
    ("是否寄宿制学校", "boarding"), ("寄宿生数", "boarders", "人"), ("进城务工人员随迁子女", "migrant", "人"),
    ("其中：外省迁入", "migrant_out", "人"), ("农村留守儿童", "left_behind", "人"),
    ("残疾学生随班就读", "disabled", "人"), ("交流轮岗教师", "rotation", "人"),
    ("其中：骨干教师", "rotation_backbone", "人"), ("心理健康教育专职教师", "psych", "人"),
    ("县级及以上骨干教师（小学）", "backbone_primary", "人"), ("县级及以上骨干教师（初中）", "backbone_junior", "人"),
    ("县级及以上骨干教师（高中）", "backbone_senior", "人"), ("法治副校长", "legal_vp", "人"),
    ("课后服务参与学生", "after_school", "人"), ("学生营养改善计划受益学生", "nutrition", "人"),
)
_STAFF_2023 = rows(
    ("教职工数", "staff", "人"), ("其中：女", "staff_f", "人"), ("专任教师", "full_time", "人"),
    ("行政人员", "admin", "人"), ("教辅人员", "aux", "人"), ("工勤人员", "workers", "人"),
    ("代课教师", "substitute", "人"), ("兼任教师", "part_time", "人"), ("离退休人员", "retired", "人"),
)
_PRIMARY_GRADES = rows(("总计", "total"), ("一年级", "g1"), ("二年级", "g2"), ("三年级", "g3"), ("四年级", "g4"),
                       ("五年级", "g5"), ("六年级", "g6"))
_STUDENTS_2018 = cols(
    ("项目", "label"), ("编号", "no"), ("班数", "classes"), ("毕业生数", "graduates"), ("招生数", "entrants"),
    ("在校学生数/合计", "enrolled"), ("在校学生数/其中：女", "enrolled_f"), ("在校学生数/其中：少数民族", "minority"),
    ("预计毕业生数", "leaving"),
)
_STUDENTS_2023 = cols(
    ("项目", "label"), ("编号", "no"), ("毕业生数/合计", "graduates"), ("毕业生数/其中：女", "graduates_f"),
    ("招生数/合计", "entrants"), ("招生数/其中：女", "entrants_f"), ("在校学生数/合计", "enrolled"),
    ("在校学生数/其中：女", "enrolled_f"), ("在校学生数/其中：少数民族", "minority"),
    ("在校学生数/其中：随迁子女", "migrant"), ("班数", "classes"),
)
_TEACHER_ROWS_2018 = rows(
    ("合计", "total"), ("其中：女", "female"), ("研究生毕业", "postgrad"), ("本科毕业", "bachelor"),
    ("专科毕业", "college"), ("高中阶段毕业", "high_school"), ("高中阶段毕业以下", "below"),
    ("正高级", "title_full"), ("副高级", "title_senior"), ("中级", "title_1"), ("助理级", "title_2"),
    ("员级", "title_3"), ("未定职级", "title_none"),
)
_TEACHER_ROWS_2023 = rows(
    ("合计", "total"), ("其中：女", "female"), ("其中：少数民族", "minority"), ("正高级", "title_full"),
    ("高级", "title_senior"), ("一级", "title_1"), ("二级", "title_2"), ("三级", "title_3"),
    ("未定职级", "title_none"), ("研究生毕业", "postgrad"), ("其中：博士研究生毕业", "doctor"),
    ("本科毕业", "bachelor"), ("专科毕业", "college"), ("高中阶段毕业", "high_school"),
    ("高中阶段毕业以下", "below"),
)


def _teacher_cols(courses: tuple[tuple[str, str], ...], group: str = "") -> tuple[Col, ...]:
    top = f"{group}/" if group else ""
    return cols(("项目", "label"), ("编号", "no"), (f"{top}合计", "total"),
                *((f"{top}按授课课程分/{label}", key) for label, key in courses))


_COURSES_P_2018 = (("品德与生活（社会）", "moral"), ("语文", "chinese"), ("数学", "math"), ("科学", "science"),
                   ("外语", "english"), ("综合实践活动", "practice"), ("信息技术", "it"), ("体育（与健康）", "pe"),
                   ("音乐", "music"), ("美术", "art"), ("艺术", "arts"), ("其他", "other"))
_COURSES_J_2018 = (("思想品德", "moral"), ("语文", "chinese"), ("数学", "math"), ("外语", "english"),
                   ("物理", "physics"), ("化学", "chemistry"), ("生物", "biology"), ("历史", "history"),
                   ("地理", "geography"), ("信息技术", "it"), ("体育（与健康）", "pe"), ("音乐", "music"),
                   ("美术", "art"), ("艺术", "arts"), ("其他", "other"))
_COURSES_P_2023 = (("道德与法治", "moral"), ("语文", "chinese"), ("数学", "math"), ("外语", "english"),
                   ("科学", "science"), ("信息科技", "it"), ("音乐", "music"), ("美术", "art"),
                   ("体育与健康", "pe"), ("艺术", "arts"), ("劳动", "labour"), ("综合实践活动", "practice"),
                   ("其他", "other"))
_COURSES_J_2023 = (("道德与法治", "moral"), ("语文", "chinese"), ("数学", "math"), ("外语", "english"),
                   ("物理", "physics"), ("化学", "chemistry"), ("生物学", "biology"), ("历史", "history"),
                   ("地理", "geography"), ("信息科技", "it"), ("音乐", "music"), ("美术", "art"),
                   ("体育与健康", "pe"), ("艺术", "arts"), ("劳动", "labour"), ("其他", "other"))

_BUILDING_ROWS_2018 = rows(
    ("总计", "total"), ("教学及辅助用房", "teaching"), ("其中：教室", "classroom"), ("实验室", "lab"),
    ("图书室", "library"), ("微机室", "computer_room"), ("语音室", "language_room"), ("室内体育用房", "indoor_sports"),
    ("行政办公用房", "admin"), ("生活用房", "living"), ("其中：学生宿舍", "dorm"), ("食堂", "canteen"),
    ("其他用房", "other"),
)
_BUILDING_ROWS_2023 = rows(
    ("总计", "total"), ("其中：达到抗震设防标准", "quake_ok"), ("教学及辅助用房", "teaching"),
    ("其中：普通教室", "classroom"), ("其中：专用教室", "special_room"), ("其中：实验室", "lab"),
    ("其中：室内体育用房", "indoor_sports"), ("其中：图书室", "library"), ("行政办公用房", "admin"),
    ("生活用房", "living"), ("其中：学生宿舍", "dorm"), ("其中：学生食堂", "canteen"), ("其他用房", "other"),
)
_LAND_2018 = cols(
    ("项目", "label"), ("编号", "no"), ("学校占地面积（平方米）/合计", "land"),
    ("学校占地面积（平方米）/其中：绿化用地面积", "green"), ("运动场地面积（平方米）", "field"),
    ("图书（册）/合计", "books"), ("图书（册）/其中：当年新增", "books_new"), ("计算机数（台）/合计", "computers"),
    ("计算机数（台）/其中：教学用计算机", "computers_teaching"), ("教学、实验仪器设备资产值（万元）", "equipment"),
    ("固定资产总值（万元）", "fixed_assets"),
)
_LAND_2023 = cols(
    ("项目", "label"), ("编号", "no"), ("图书（册）/合计", "books"), ("图书（册）/其中：当年新增", "books_new"),
    ("电子图书（册）", "ebooks"), ("占地面积/学校占地面积（平方米）", "land"),
    ("占地面积/其中：绿化用地面积（平方米）", "green"), ("占地面积/运动场地面积（平方米）", "field"),
    ("资产情况/固定资产总值（万元）", "fixed_assets"), ("资产情况/教学、实验仪器设备资产值（万元）", "equipment"),
    ("资产情况/计算机数（台）/合计", "computers"), ("资产情况/计算机数（台）/其中：教学用计算机", "computers_teaching"),
)
MULTIMEDIA_ON_LAND = Col(("网络多媒体教室（间）",), "multimedia")  # 2018, a school without a 531 sheet

GENERATIONS: dict[str, dict[str, Form]] = {
    "jichu-2018": {
        "info": Form("基础基111", "学校（机构）基本情况", "表号：基础基111", "", cols(
            ("指标名称", "label"), ("编号", "no"), ("内容", "value"), ("代码", "code")), _INFO_2018, False),
        "extra": Form("基础基112", "学校（机构）基本情况（续）", "表号：基础基112", "", cols(
            ("指标名称", "label"), ("编号", "no"), ("计量单位", "unit"), ("数量", "count")), _EXTRA_2018, False),
        "students_primary": Form("基础基312", "小学学生数", "表号：基础基312", "单位：人、个", _STUDENTS_2018, _PRIMARY_GRADES),
        "students_junior": Form("基础基313", "初中学生数", "表号：基础基313", "单位：人、个", _STUDENTS_2018, rows(
            ("总计", "total"), ("一年级", "g1"), ("二年级", "g2"), ("三年级", "g3"))),
        "teachers_primary": Form("基础基423", "小学专任教师学历、课程情况", "表号：基础基423", "单位：人",
                                 _teacher_cols(_COURSES_P_2018), _TEACHER_ROWS_2018),
        "teachers_junior": Form("基础基424", "中学专任教师学历、课程情况", "表号：基础基424", "单位：人",
                                _teacher_cols(_COURSES_J_2018), _TEACHER_ROWS_2018),
        "buildings": Form("基础基512", "校舍情况", "表号：基础基512", "单位：平方米", cols(
            ("项目", "label"), ("编号", "no"), ("学校产权校舍建筑面积/合计", "total"),
            ("学校产权校舍建筑面积/其中：危房", "danger"), ("学校产权校舍建筑面积/当年新增校舍", "new"),
            ("学校产权校舍建筑面积/被外单位借用", "lent"), ("非学校产权校舍建筑面积/独立使用", "rented"),
            ("非学校产权校舍建筑面积/共同使用", "shared")), _BUILDING_ROWS_2018),
        "land": Form("基础基522", "学校占地面积、图书、计算机及资产情况", "表号：基础基522", "", _LAND_2018, rows(
            ("总计", "total"), ("学校产权", "owned"), ("非学校产权", "not_owned"))),
        "it": Form("基础基531", "信息化建设情况", "表号：基础基531", "", cols(
            ("项目", "label"), ("编号", "no"), ("网络多媒体教室（间）", "multimedia"), ("其中：当年新增", "multimedia_new"),
            ("数字终端数（台）/合计", "terminals"), ("数字终端数（台）/其中：教师终端", "terminals_teacher"),
            ("数字终端数（台）/其中：学生终端", "terminals_student"), ("数字资源总量（GB）", "resources"),
            ("互联网接入带宽（Mbps）", "bandwidth")), rows(("总计", "total"))),
    },
    "jiaoji-2021": {
        "info": Form("教基1001", "学校（机构）基本情况", "教基1001", "", cols(
            ("指标名称", "label"), ("编号", "no"), ("代码", "code"), ("内容", "value")), _INFO_2023, False),
        "staff": Form("教基1102", "学校（机构）教职工情况", "教基1102", "", cols(
            ("指标名称", "label"), ("计量单位", "unit"), ("编号", "no"), ("数量", "count")), _STAFF_2023, False),
        "extra": Form("教基1102续", "学校（机构）其他情况", "教基1102续", "", cols(
            ("指标名称", "label"), ("计量单位", "unit"), ("编号", "no"), ("数量", "count")), _EXTRA_2023, False),
        "students_primary": Form("教基3112", "小学学生数", "教基3112", "计量单位：人、个", _STUDENTS_2023, _PRIMARY_GRADES),
        "students_junior": Form("教基3115", "初中学生数", "教基3115", "计量单位：人、个", _STUDENTS_2023, rows(
            ("总计", "total"), ("七年级", "g1"), ("八年级", "g2"), ("九年级", "g3"))),
        "teachers_primary": Form("教基4155", "小学专任教师学历、课程情况", "教基4155", "计量单位：人",
                                 _teacher_cols(_COURSES_P_2023, "专任教师"), _TEACHER_ROWS_2023),
        "teachers_junior": Form("教基4156", "中学专任教师学历、课程情况", "教基4156", "计量单位：人",
                                _teacher_cols(_COURSES_J_2023, "专任教师"), _TEACHER_ROWS_2023),
        "buildings": Form("教基5170", "校舍情况", "教基5170", "计量单位：平方米", cols(
            ("项目", "label"), ("编号", "no"), ("校舍建筑面积/合计", "total"), ("校舍建筑面积/其中：学校产权", "owned"),
            ("校舍建筑面积/其中：C级危房", "danger_c"), ("校舍建筑面积/其中：D级危房", "danger"),
            ("当年新增校舍", "new"), ("正在施工校舍", "building")), _BUILDING_ROWS_2023),
        "land": Form("教基5176", "学校占地面积、图书及资产情况", "教基5176", "", _LAND_2023, rows(
            ("总计", "total"), ("其中：学校产权", "owned"), ("其中：非学校产权", "not_owned"))),
        "it": Form("教基5180", "信息化建设情况", "教基5180", "", cols(
            ("项目", "label"), ("编号", "no"), ("互联网接入带宽（Mbps）", "bandwidth"),
            ("数字终端数（台）/合计", "terminals"), ("数字终端数（台）/其中：教师终端", "terminals_teacher"),
            ("数字终端数（台）/其中：学生终端", "terminals_student"), ("网络多媒体教室（间）", "multimedia"),
            ("其中：当年新增", "multimedia_new"), ("数字资源总量（GB）", "resources")), rows(("总计", "total"))),
    },
}
YEAR_OF = {"jichu-2018": 2021, "jiaoji-2021": 2025}  # the school year the samples report

# Every figure the evaluation needs: (form kind, row key, column key). "{stage}" is primary/junior.
FIGURES = {
    "name": ("info", "name", "value"),
    "code": ("info", "code", "value"),
    "school_type": ("info", "type", "value"),
    "counted": ("info", "counted", "value"),
    "area_code": ("info", "area_code", "value"),
    "location": ("info", "location", "value"),
    "backbone_{stage}": ("extra", "backbone_{stage}", "count"),
    "students_{stage}": ("students_{stage}", "total", "enrolled"),
    **{f"{edu}_{{stage}}": ("teachers_{stage}", edu, "total") for edu in EDUCATION},
    "teachers_{stage}": ("teachers_{stage}", "total", "total"),
    **{f"{c}_{{stage}}": ("teachers_{stage}", "total", c) for c in PE_ART},
    "teaching_area": ("buildings", "teaching", "total"),
    "indoor_sports": ("buildings", "indoor_sports", "total"),
    "field_area": ("land", "total", "field"),
    "equipment": ("land", "total", "equipment"),
    "multimedia": ("it", "total", "multimedia"),
}


def figure_cells(figure: str, stage: str = "") -> tuple[str, str, str]:
    """(form kind, row key, column key) of a ``FIGURES`` name for one stage."""
    return tuple(part.replace("{stage}", stage) for part in FIGURES[figure])


def forms_of(school: SchoolSpec, generation: str) -> list[tuple[str, Form]]:
    """The (kind, form) pairs a school's workbook holds, in sheet order."""
    stages = {s.stage for s in school.sections}
    out = []
    for kind, form in GENERATIONS[generation].items():
        stage = kind.rsplit("_", 1)[-1]
        if stage in STAGES and stage not in stages:
            continue
        if kind == "it" and school.multimedia_on_land_form:
            continue
        if kind == "land" and school.multimedia_on_land_form:
            at = [c.key for c in form.columns].index("fixed_assets")
            form = dataclasses.replace(form, columns=form.columns[:at] + (MULTIMEDIA_ON_LAND,) + form.columns[at:])
        out.append((kind, form))
    return out


# Sheet rows of every form (0-based): column letters, title, form code, then the header rows,
# the index row and the data rows. Column 0 holds the row numbers; the form starts in column 1.
LETTER_ROW, TITLE_ROW, CODE_ROW, HEADER_TOP = 0, 1, 2, 3


def data_row(form: Form, index: int) -> int:
    """0-based sheet row of the form's ``index``-th data row (0 = 编号 01)."""
    return HEADER_TOP + form.depth + 1 + index


def figure_cell(generation: str, figure: str, stage: str = "") -> tuple[str, int, int]:
    """Sheet name (without suffix) and 0-based (row, column) of a ``FIGURES`` name in a
    school workbook of ``generation`` (for tests; a reader must not rely on it)."""
    kind, row_key, col_key = figure_cells(figure, stage)
    form = GENERATIONS[generation][kind]
    return (form.sheet, data_row(form, [r.key for r in form.rows].index(row_key)),
            1 + [c.key for c in form.columns].index(col_key))


def figure_locations(generation: str) -> list[tuple[str, str, str, str]]:
    """For the README and the reader's rules: (figure, sheet, row label with its 编号,
    header path joined by " / ") of every figure the evaluation needs, in one generation."""
    gen = GENERATIONS[generation]
    out = []
    for figure in FIGURES:
        for stage in (STAGES if "{stage}" in figure else ("",)):
            kind, row_key, col_key = figure_cells(figure, stage)
            form = gen[kind]
            no = [r.key for r in form.rows].index(row_key) + 1
            out.append((figure.replace("{stage}", stage), form.sheet, f"{form.row(row_key).label}（{no:02d}）",
                        " / ".join(form.column(col_key).path)))
    return out


# ---------------------------------------------------------------- form contents

def _rng(school: SchoolSpec, what: str) -> random.Random:
    return random.Random(f"{school.code}/{what}")


TYPE_CODE = {"小学": "211", "小学教学点": "218", "初级中学": "311", "九年一贯制学校": "312"}
URBAN_RURAL = {"urban": ("主城区", "111"), "town": ("镇中心区", "121"), "rural": ("村庄", "220")}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = ["建国", "丽华", "志强", "秀英", "海燕", "文军", "春梅", "国平", "晓燕", "红霞", "德明", "玉兰"]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def info_grid(school: SchoolSpec, generation: str) -> dict[tuple[str, str], object]:
    """学校（机构）基本情况: name, codes, 办学类型, 所在地 and the like (text, 内容 and 代码 columns)."""
    rng = _rng(school, "info")
    urban, urban_code = URBAN_RURAL[school.kind]
    # the 2018 export keeps the area code as a number, the 2023 one as text
    area = int(school.county.code) if generation == "jichu-2018" else school.county.code
    values = {
        "name": school.name, "code": school.code, "credit": f"12{school.county.code}{rng.randrange(10**8, 10**9)}X",
        "type": school.school_type, "sponsor": "地方教育部门", "location": school.county.location,
        "area_code": area, "urban": urban, "counted": "是" if school.counted else "否", "ethnic": "否",
        "boarding": "是" if school.kind == "rural" else "否", "principal": _person(rng),
        "phone": f"0{rng.randint(730, 749)}-{rng.randint(2100000, 8899999)}",
        "postcode": f"4{school.county.code[1:4]}00",
    }
    grid = {(k, "value"): v for k, v in values.items()}
    grid[("type", "code")] = TYPE_CODE.get(school.school_type)
    grid[("urban", "code")] = urban_code
    return grid


def extra_grid(school: SchoolSpec) -> dict[tuple[str, str], object]:
    """基础基112 / 教基1102 / 教基1102续: staff and other counts, one 数量 column (人, 个, 人次).
    The 县级及以上骨干教师 row of a stage the school does not run is blank."""
    rng = _rng(school, "extra")
    teachers = sum(s.teachers for s in school.sections)
    students = school.students
    rural = school.kind == "rural"
    classes = sum(row["classes"] for s in school.sections
                  for row in _grade_rows(_rng(school, f"students_{s.stage}"), s, school).values())
    admin, aux, workers = max(1, teachers // 12), max(0, teachers // 20), max(1, teachers // 15)
    values = {
        "staff": teachers + admin + aux + workers, "full_time": teachers,
        "staff_f": round(teachers * rng.uniform(0.6, 0.75)) + workers // 2, "admin": admin, "aux": aux,
        "workers": workers, "enterprise": 0, "substitute": rng.randint(0, 3) if rural else 0,
        "part_time": rng.randint(0, 2), "retired": round(teachers * rng.uniform(0.2, 0.4)),
        "boarding": "是" if rural else "否", "boarders": round(students * rng.uniform(0.2, 0.5)) if rural else 0,
        "migrant": round(students * rng.uniform(0.05, 0.2)) if not rural else rng.randint(0, 5),
        "left_behind": round(students * rng.uniform(0.1, 0.3)) if rural else rng.randint(0, 20),
        "disabled": rng.randint(0, 3), "aided": round(students * rng.uniform(0.05, 0.15)),
        "nutrition": students if rural else 0, "classes": classes, "big_classes": 0,
        "psych": 1 if students > 300 else 0, "legal_vp": 1, "rotation": round(teachers * rng.uniform(0.08, 0.15)),
        "after_school": round(students * rng.uniform(0.6, 0.95)), "rural_subsidy": teachers if rural else 0,
        "special_grade": 1 if school.kind == "urban" and rng.random() < 0.5 else 0,
        "studio": int(school.kind == "urban"),
        "backbone_senior": None,
    }
    values["migrant_out"] = values["migrant"] // 5
    values["rotation_backbone"] = round(values["rotation"] * 0.25)
    for stage in STAGES:
        sec = school.section(stage)
        values[f"backbone_{stage}"] = sec.backbone if sec else None
    return {(k, "count"): v for k, v in values.items()}


def _grade_rows(rng: random.Random, sec: Section, school: SchoolSpec) -> dict[str, dict[str, int]]:
    """Students per grade (a 教学点 teaches the first three grades only); keys as student columns."""
    n_grades = 6 if sec.stage == "primary" else 3
    taught = 3 if "教学点" in school.school_type else n_grades
    sizes = spread(sec.students, {g: rng.uniform(0.9, 1.1) for g in GRADES[:taught]})
    size = 42 if sec.stage == "primary" else 48
    out = {}
    for g, n in sizes.items():
        girls = round(n * rng.uniform(0.44, 0.5))
        out[g] = {"enrolled": n, "enrolled_f": girls, "classes": max(1, -(-n // size)),
                  "minority": round(n * 0.03) if school.kind == "rural" else 0,
                  "migrant": round(n * 0.12) if school.kind == "urban" else 0}
    first, last = GRADES[0], GRADES[taught - 1]
    out[first]["entrants"] = out[first]["enrolled"] - rng.randint(0, 2)
    out[first]["entrants_f"] = round(out[first]["entrants"] * 0.47)
    if taught == n_grades:
        out[last]["leaving"] = out[last]["enrolled"]
    return out


def students_grid(school: SchoolSpec, stage: str) -> dict[tuple[str, str], object]:
    """小学/初中学生数: 总计 and grade rows; columns 班数, 毕业生数, 招生数, 在校学生数 (人, 班数 个)."""
    rng = _rng(school, f"students_{stage}")
    sec = school.section(stage)
    grades = _grade_rows(rng, sec, school)
    grid = {(g, c): v for g, row in grades.items() for c, v in row.items()}
    for c in ("enrolled", "enrolled_f", "classes", "minority", "migrant", "entrants", "entrants_f", "leaving"):
        grid[("total", c)] = sum(row.get(c, 0) for row in grades.values())
    if "教学点" not in school.school_type:  # last year's leavers: not in any grade row now
        grid[("total", "graduates")] = round(sec.students / (6 if stage == "primary" else 3) * rng.uniform(0.9, 1.1))
        grid[("total", "graduates_f")] = round(grid[("total", "graduates")] * 0.48)
    return grid


def _teacher_list(rng: random.Random, sec: Section) -> list[dict[str, object]]:
    """One record per teacher (education, course, title, sex) matching the section's totals."""
    n = sec.teachers
    courses = [c for c, k in sec.courses.items() for _ in range(k)]
    rng.shuffle(courses)
    titles = [t for t, k in spread(n, dict(zip(TITLES, (0.01, 0.12, 0.38, 0.33, 0.06, 0.1)))).items() for _ in range(k)]
    rng.shuffle(titles)
    women = set(rng.sample(range(n), round(n * rng.uniform(0.55, 0.8))))
    education = [e for e, k in sec.education.items() for _ in range(k)]
    return [{"education": e, "course": c, "title": t, "female": i in women, "minority": False}
            for i, (e, c, t) in enumerate(zip(education, courses, titles))]


def teachers_grid(school: SchoolSpec, stage: str) -> dict[tuple[str, str], int]:
    """专任教师学历、课程情况: rows 合计, 其中：女, education and title rows; columns 合计 and
    one per course (人). Every row's courses add up to its 合计."""
    people = _teacher_list(_rng(school, f"teachers_{stage}"), school.section(stage))
    row_of = {"total": lambda p: True, "female": lambda p: p["female"], "minority": lambda p: p["minority"],
              "doctor": lambda p: False}
    row_of.update({e: (lambda p, e=e: p["education"] == e) for e in EDUCATION})
    row_of.update({t: (lambda p, t=t: p["title"] == t) for t in TITLES})
    courses = set(OTHER_COURSES[stage]) | set(PE_ART) | {"labour"}
    grid = {}
    for row, keep in row_of.items():
        chosen = [p for p in people if keep(p)]
        grid[(row, "total")] = len(chosen)
        for c in courses:
            grid[(row, c)] = sum(p["course"] == c for p in chosen)
    return grid


def buildings_grid(school: SchoolSpec) -> dict[tuple[str, str], float]:
    """校舍情况 in m²: 教学及辅助用房 (including 室内体育用房) and its parts, the other uses, 总计."""
    rng = _rng(school, "buildings")
    fac = school.facilities
    teach = fac.teaching_area
    net = teach - fac.indoor_sports
    part = {"classroom": 0.46, "special_room": 0.2, "lab": 0.08, "library": 0.04, "computer_room": 0.03,
            "language_room": 0.015 if school.kind == "urban" else 0}
    area = {k: round(net * share, 1) for k, share in part.items()}
    area.update(teaching=teach, indoor_sports=fac.indoor_sports, admin=round(teach * rng.uniform(0.08, 0.14), 1),
                dorm=round(teach * rng.uniform(0.15, 0.3), 1) if school.kind == "rural" else 0,
                canteen=round(teach * rng.uniform(0.05, 0.1), 1), other=round(teach * rng.uniform(0.0, 0.05), 1))
    area["living"] = round(area["dorm"] + area["canteen"] + round(teach * 0.02, 1), 1)
    area["total"] = round(teach + area["admin"] + area["living"] + area["other"], 1)
    area["quake_ok"] = area["total"]
    grid = {(k, "total"): v for k, v in area.items()}
    grid.update({(k, "owned"): v for k, v in area.items()})
    if fac.indoor_sports and school.kind == "urban":  # a new gym this year
        for row in ("total", "teaching", "indoor_sports", "quake_ok"):
            grid[(row, "new")] = fac.indoor_sports
    return grid


def land_grid(school: SchoolSpec) -> dict[tuple[str, str], float]:
    """占地面积 (m²), 图书 (册), 计算机 (台), 资产 (万元): rows 总计, 学校产权, 非学校产权."""
    rng = _rng(school, "land")
    fac = school.facilities
    n = school.students
    total = {
        "field": fac.field_area, "equipment": fac.equipment_wan, "multimedia": fac.multimedia,
        "land": round(fac.field_area * rng.uniform(1.8, 2.4) + fac.teaching_area * 0.6),
        "books": round(n * rng.uniform(22, 40)), "ebooks": round(n * rng.uniform(5, 30)),
        "computers": round(n * rng.uniform(0.08, 0.16)) + 2,
        "fixed_assets": round(fac.equipment_wan * rng.uniform(6, 12) + fac.teaching_area * 0.12, 2),
    }
    total["green"] = round(total["land"] * rng.uniform(0.2, 0.35))
    total["books_new"] = round(total["books"] * rng.uniform(0.02, 0.06))
    total["computers_teaching"] = round(total["computers"] * 0.85)
    owned = dict(total, field=round(fac.field_area - fac.shared_field, 1))
    grid = {("total", k): v for k, v in total.items()}
    grid.update({("owned", k): v for k, v in owned.items()})
    grid[("not_owned", "field")] = fac.shared_field or None
    return grid


def it_grid(school: SchoolSpec) -> dict[tuple[str, str], float]:
    """信息化建设情况: 网络多媒体教室 (间), 数字终端 (台), 资源 (GB), 带宽 (Mbps); one 总计 row."""
    rng = _rng(school, "it")
    mm = school.facilities.multimedia
    teacher = sum(s.teachers for s in school.sections)
    student = round(school.students * rng.uniform(0.05, 0.12))
    values = {"multimedia": mm, "multimedia_new": rng.choice([0, 0, 1, 2]) if mm > 2 else 0,
              "terminals": teacher + student, "terminals_teacher": teacher, "terminals_student": student,
              "resources": rng.choice([200, 500, 800, 1000, 2000]), "bandwidth": rng.choice([100, 200, 500, 1000])}
    return {("total", k): v for k, v in values.items()}


def form_grid(school: SchoolSpec, kind: str, generation: str) -> dict[tuple[str, str], object]:
    """The cell values of one form, keyed by (row key, column key); missing keys are blank."""
    stage = kind.rsplit("_", 1)[-1]
    if kind.startswith("students_"):
        return students_grid(school, stage)
    if kind.startswith("teachers_"):
        return teachers_grid(school, stage)
    if kind == "info":
        return info_grid(school, generation)
    if kind in ("extra", "staff"):
        return extra_grid(school)
    return {"buildings": buildings_grid, "land": land_grid, "it": it_grid}[kind](school)


# --------------------------------------------------------------------------- writers

FIXED_DATE = sg.FIXED_DATE  # same fixed document date as the other samples: byte-stable files


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": "宋体", "font_size": 9, "border": 1, "valign": "vcenter"}
        self.grid = wb.add_format({"font_name": "Arial", "font_size": 8, "align": "center", "font_color": "#595959",
                                   "bg_color": "#E7E6E6", "border": 1, "border_color": "#BFBFBF"})
        self.title = wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True, "align": "center",
                                    "valign": "vcenter"})
        self.sub = wb.add_format({"font_name": "宋体", "font_size": 9})
        self.sub_right = wb.add_format({"font_name": "宋体", "font_size": 9, "align": "right"})
        self.head = wb.add_format({**base, "align": "center", "text_wrap": True})
        self.index = wb.add_format({**base, "align": "center"})
        self.label = wb.add_format(base)
        self.text = wb.add_format({**base, "align": "center"})
        self.num = wb.add_format(base)


def _workbook(path: Path) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": FIXED_DATE, "author": "jicenggen"})
    return wb


def write_header(ws, top: int, left: int, paths: list[tuple[str, ...]], fmt, depth: int) -> None:
    """Header paths as merged cells: a group spans its leaves, a leaf spans down to the last header row."""
    for level in range(depth):
        c = 0
        while c < len(paths):
            path = paths[c]
            if len(path) <= level:
                c += 1
                continue
            end = c
            if len(path) > level + 1:  # a group: as wide as its run of leaves
                while end + 1 < len(paths) and paths[end + 1][: level + 1] == path[: level + 1] \
                        and len(paths[end + 1]) > level + 1:
                    end += 1
            bottom = top + depth - 1 if len(path) == level + 1 else top + level
            if (bottom, end) == (top + level, c):
                ws.write_string(top + level, left + c, path[level], fmt)
            else:
                ws.merge_range(top + level, left + c, bottom, left + end, path[level], fmt)
            c = end + 1


def _text_number(value) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def write_form(ws, f: _Formats, form: Form, grid: dict, forced_text: set[tuple[str, str]],
               rng: random.Random, footer: str | None, text_share: float = 0.03) -> None:
    """One form sheet as counties export it: row 1 holds the column letters of the form's grid
    (A, B, C …), column A the form's row numbers (1, 2, 3 …); then title, form code, merged
    header rows, the 甲/乙/丙/1/2/3 index row, the labelled rows with their 编号, and an
    optional 单位负责人/填表人 line. Cells in ``forced_text`` (and a few at random) hold numbers as text."""
    width = len(form.columns)
    for j in range(width):
        ws.write_string(LETTER_ROW, 1 + j, xl_col_to_name(j), f.grid)
    ws.merge_range(TITLE_ROW, 1, TITLE_ROW, width, form.title, f.title)
    ws.set_row(TITLE_ROW, 24)
    ws.write_string(CODE_ROW, 1, form.code_line, f.sub)
    if form.unit_line:
        ws.write_string(CODE_ROW, width, form.unit_line, f.sub_right)
    write_header(ws, HEADER_TOP, 1, [c.path for c in form.columns], f.head, form.depth)
    r = data_row(form, 0) - 1
    text_syms, n = iter("甲乙丙丁"), 0
    for j, col in enumerate(form.columns):
        if col.key in TEXT_COLUMNS:
            ws.write_string(r, 1 + j, next(text_syms), f.index)
        else:
            n += 1
            ws.write_string(r, 1 + j, str(n), f.index)
    for i, row in enumerate(form.rows, start=1):
        r = data_row(form, i - 1)
        for j, col in enumerate(form.columns):
            value = {"label": row.label, "no": f"{i:02d}", "unit": row.unit}.get(col.key, grid.get((row.key, col.key)))
            if value == "" or (form.blank_zero and value == 0):
                value = None
            fmt = f.label if col.key == "label" else (f.text if isinstance(value, str) else f.num)
            if value is None:
                ws.write_blank(r, 1 + j, None, fmt)
            elif isinstance(value, str):
                ws.write_string(r, 1 + j, value, fmt)
            elif (row.key, col.key) in forced_text or rng.random() < text_share:
                ws.write_string(r, 1 + j, _text_number(value), f.text)
            else:
                ws.write_number(r, 1 + j, value, fmt)
    if footer:
        r += 2
        ws.merge_range(r, 1, r, width, footer, f.sub)
    for i in range(TITLE_ROW, r + 1):
        ws.write_number(i, 0, i, f.grid)
    ws.set_column(0, 0, 4)
    _fit_columns(ws, 1, [[col.path[-1]] + [row.label if col.key == "label" else grid.get((row.key, col.key))
                                           for row in form.rows] for col in form.columns])
    ws.set_row(HEADER_TOP + form.depth - 1, 36)
    _print_setup(ws)


def _fit_columns(ws, left: int, columns: list[list[object]]) -> None:
    """Column widths from the widest text of each column (header leaf and values), 7 to 30."""
    for j, texts in enumerate(columns):
        widest = max(_width("" if t is None else str(t)) for t in texts)
        ws.set_column(left + j, left + j, min(30, max(7, widest + 2)))


def _print_setup(ws) -> None:
    ws.set_paper(9)  # A4, landscape, one page wide: how offices print the forms
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def write_school_workbook(path: Path, school: SchoolSpec, generation: str) -> None:
    """One school's 基层表 workbook in ``generation`` ("jichu-2018" or "jiaoji-2021"): one sheet
    per form the school fills in (student and teacher forms only for the stages it runs)."""
    wb = _workbook(path)
    f = _Formats(wb)
    year = YEAR_OF[generation]
    forced: dict[str, set[tuple[str, str]]] = {}
    for figure in school.as_text:
        for stage in STAGES:
            kind, row, col = figure_cells(figure, stage)
            forced.setdefault(kind, set()).add((row, col))
    rng = _rng(school, "workbook")
    footer = None
    if school.footer:
        footer = (f"单位负责人：{_person(rng)}        填表人：{_person(rng)}        "
                  f"联系电话：0{rng.randint(730, 749)}-{rng.randint(2100000, 8899999)}        "
                  f"报出日期：{year}年9月{rng.randint(15, 28)}日")
    for kind, form in forms_of(school, generation):
        grid = form_grid(school, kind, generation)
        if kind.startswith("teachers_"):
            _check_parts_add_up(form, grid, school)
        ws = wb.add_worksheet(form.sheet + school.sheet_suffix)
        write_form(ws, f, form, grid, forced.get(kind, set()), _rng(school, f"text/{kind}"), footer)
    wb.close()


def _check_parts_add_up(form: Form, grid: dict, school: SchoolSpec) -> None:
    # the statisticians' own rule: a teacher row's courses add up to its 合计; a course the
    # form has no column for would silently lose teachers
    for row in form.rows:
        parts = sum(grid.get((row.key, c.key), 0) for c in form.columns if c.key not in (*TEXT_COLUMNS, "total"))
        if parts != grid.get((row.key, "total"), 0):
            raise ValueError(f"{school.name} {form.sheet} {row.label}: courses {parts} != 合计")


# ------------------------------------------------------------------ the stage export

EXPORT_COLUMNS = cols(
    ("序号", "seq"), ("学校标识码", "code"), ("学校名称", "name"), ("统计一级", "province"), ("统计二级", "city"),
    ("统计三级", "county"), ("行政区划代码", "area_code"), ("办学类型", "school_type"), ("城乡分类", "urban"),
    ("是否计校数", "counted"), ("班数", "classes"), ("在校生数/合计", "students"), ("在校生数/#女", "students_f"),
    ("专任教师/合计", "teachers"), ("专任教师/#女", "teachers_f"),
    ("专任教师/#按学历分/研究生毕业", "postgrad"), ("专任教师/#按学历分/本科毕业", "bachelor"),
    ("专任教师/#按学历分/专科毕业", "college"), ("专任教师/#按学历分/高中阶段毕业", "high_school"),
    ("专任教师/#按学历分/高中阶段毕业以下", "below"),
    ("专任教师/#按授课课程分/语文", "chinese"), ("专任教师/#按授课课程分/数学", "math"),
    ("专任教师/#按授课课程分/外语", "english"), ("专任教师/#按授课课程分/体育（与健康）", "pe"),
    ("专任教师/#按授课课程分/音乐", "music"), ("专任教师/#按授课课程分/美术", "art"),
    ("专任教师/#按授课课程分/艺术", "arts"), ("县级及以上骨干教师", "backbone"),
    ("校舍建筑面积/合计", "building_total"), ("校舍建筑面积/教学及辅助用房", "teaching_area"),
    ("校舍建筑面积/#室内体育用房", "indoor_sports"), ("运动场地面积", "field_area"),
    ("教学、实验仪器设备资产值（万元）", "equipment"), ("网络多媒体教室（间）", "multimedia"),
)


def export_row(school: SchoolSpec, stage: str) -> dict[str, object]:
    """One school's row in a stage export: its own students and teachers for ``stage``, and the
    whole-school facilities (m², 万元, 间) whatever the stage."""
    sec = school.section(stage)
    students = students_grid(school, stage)
    teachers = teachers_grid(school, stage)
    urban = URBAN_RURAL[school.kind][0]
    row = {"code": school.code, "name": school.name, "province": school.county.province, "city": school.county.city,
           "county": school.county.name, "area_code": school.county.code, "school_type": school.school_type,
           "urban": urban, "counted": "是" if school.counted else "否", "classes": students[("total", "classes")],
           "students": sec.students, "students_f": students[("total", "enrolled_f")], "teachers": sec.teachers,
           "teachers_f": teachers[("female", "total")], "backbone": sec.backbone,
           "building_total": buildings_grid(school)[("total", "total")],
           "teaching_area": school.facilities.teaching_area,
           "indoor_sports": school.facilities.indoor_sports, "field_area": school.facilities.field_area,
           "equipment": school.facilities.equipment_wan, "multimedia": school.facilities.multimedia}
    row.update(sec.education)
    row.update({c: teachers[("total", c)] for c in ("chinese", "math", "english", *PE_ART)})
    return row


def write_stage_export(path: Path, title: str, schools: list[SchoolSpec], stage: str,
                       text_cells: dict[str, set[str]] | None = None) -> None:
    """A city-wide 基层表 export of one stage: title and unit rows, three merged header rows
    giving paths (在校生数/合计, 专任教师/#按学历分/本科毕业 …), then one row per school that
    runs ``stage`` (a 九年一贯制 school appears in both stage files). ``text_cells`` maps a school
    name to column keys written as text with thousands separators ("1,234")."""
    wb = _workbook(path)
    f = _Formats(wb)
    ws = wb.add_worksheet(f"{sg.STAGE_CN[stage]}基层表导出")
    width = len(EXPORT_COLUMNS)
    ws.merge_range(0, 0, 0, width - 1, title, f.title)
    ws.set_row(0, 26)
    ws.write_string(1, 0, "单位：人、平方米、万元、间", f.sub)
    write_header(ws, 2, 0, [c.path for c in EXPORT_COLUMNS], f.head, 3)
    ws.set_row(4, 40)
    r = 5
    ordered = sorted((s for s in schools if s.section(stage)), key=lambda s: (s.county.code, s.code))
    table = [dict(export_row(school, stage), seq=seq) for seq, school in enumerate(ordered, start=1)]
    for school, values in zip(ordered, table):
        as_text = (text_cells or {}).get(school.name, set())
        for j, col in enumerate(EXPORT_COLUMNS):
            v = values.get(col.key)
            if v == 0 and col.key != "seq":
                ws.write_blank(r, j, None, f.num)
            elif isinstance(v, str):
                ws.write_string(r, j, v, f.label if col.key == "name" else f.text)
            elif col.key in as_text:
                ws.write_string(r, j, f"{v:,}" if isinstance(v, int) else f"{v:,.2f}".rstrip("0").rstrip("."), f.text)
            else:
                ws.write_number(r, j, v, f.num)
        r += 1
    _fit_columns(ws, 0, [[col.path[-1]] + [v.get(col.key) for v in table] for col in EXPORT_COLUMNS])
    ws.freeze_panes(5, 3)
    _print_setup(ws)
    wb.close()
