"""Synthetic county workbooks with the mess of real Chinese statistical tables.

Shared by ``make_samples.py`` (the committed ``sample_inputs/``) and ``bench.py``
(100 × 300 schools). Independent of the ``equity_xlsx`` package on purpose: the samples
test the reader, so they must not be written by the reader's own code. Only the alias
table (data) is read, to check that every header written is one the tool knows.

Everything is deterministic for a given ``random.Random`` seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
ALIASES_PATH = ROOT / "equity_xlsx" / "rules" / "aliases.toml"

# National 2017 standards (domain.md §1). Duplicated here, not imported, so a wrong value
# in the tool's rule file shows up as a disagreement with the samples' README.
STANDARD = {
    "qualified": {"primary": 4.2, "junior": 5.3},
    "backbone": {"primary": 1.0, "junior": 1.0},
    "pe_art": {"primary": 0.9, "junior": 0.9},
    "teaching": {"primary": 4.5, "junior": 5.8},
    "sports": {"primary": 7.5, "junior": 10.2},
    "equipment": {"primary": 2000.0, "junior": 2500.0},
    "multimedia": {"primary": 2.3, "junior": 2.4},
}
INDICATORS = list(STANDARD)  # order = indicator ids 1..7
IND_NAME = {
    "qualified": "高学历教师", "backbone": "骨干教师", "pe_art": "体艺教师", "teaching": "教学用房",
    "sports": "体育场馆", "equipment": "仪器设备", "multimedia": "多媒体教室",
}
PER_100 = {"qualified", "backbone", "pe_art", "multimedia"}
CV_LIMIT = {"primary": 0.50, "junior": 0.45}
SPLIT_WEIGHTS = {
    "nine_year": {"primary": 1.0, "junior": 1.1},
    "twelve_year": {"primary": 1.0, "junior": 1.1, "senior": 1.32},
    "complete_middle": {"junior": 1.0, "senior": 1.2},
}
STAGE_CN = {"primary": "小学", "junior": "初中", "senior": "高中"}
SECTION_CN = {"primary": "小学部", "junior": "初中部", "senior": "高中部"}


# ----------------------------------------------------------------------------- records

@dataclass
class SectionData:
    """One stage of a school: students and teacher counts (per section, as reported)."""

    stage: str
    students: int
    classes: int = 0
    full_time_teachers: int = 0
    qualified: int = 0
    backbone: int = 0
    pe: int = 0
    music: int = 0
    art: int = 0
    staff: int = 0
    certified: int = 0
    trained: int = 0
    max_class_size: int = 0
    classes_56_plus: int = 0
    classes_66_plus: int = 0


@dataclass
class School:
    """A school; ``facilities`` are whole-school amounts (m², 元, rooms)."""

    name: str
    code: str
    school_type: str  # 办学类型 as written in the table
    kind: str  # urban / town / rural: only drives the random profile
    sections: list[SectionData]
    facilities: dict[str, float] = field(default_factory=dict)
    ownership: str = "公办"
    as_text: set[str] = field(default_factory=set)  # keys always written as text ("1,856")

    @property
    def split_rule(self) -> str | None:
        if "九年" in self.school_type:
            return "nine_year"
        if "十二年" in self.school_type:
            return "twelve_year"
        if "完全中学" in self.school_type:
            return "complete_middle"
        return None

    @property
    def excluded(self) -> str | None:
        if "特殊教育" in self.school_type:
            return "特殊教育学校"
        if "教学点" in self.school_type and sum(s.students for s in self.sections) < 50:
            return "教学点（不足50人）"
        return None


# Per-indicator multipliers of the standard, by kind of school. Urban schools are crowded
# (little ground per pupil) but rich in equipment and backbone teachers; village schools
# the opposite: that contrast is what drives real county CVs over their limits.
PROFILES = {
    "urban": {"qualified": (1.25, 1.6), "backbone": (1.6, 3.2), "pe_art": (1.2, 1.8), "teaching": (0.95, 1.25),
              "sports": (0.75, 1.05), "equipment": (1.7, 2.6), "multimedia": (1.1, 1.6)},
    "town": {"qualified": (1.1, 1.4), "backbone": (1.0, 1.8), "pe_art": (1.05, 1.5), "teaching": (1.05, 1.4),
             "sports": (1.05, 1.6), "equipment": (1.0, 1.35), "multimedia": (1.05, 1.4)},
    "rural": {"qualified": (1.0, 1.25), "backbone": (0.9, 1.4), "pe_art": (0.95, 1.6), "teaching": (1.4, 2.2),
              "sports": (1.6, 2.6), "equipment": (0.75, 1.05), "multimedia": (1.0, 1.5)},
}


def make_school(rng: random.Random, name: str, school_type: str, kind: str, students: dict[str, int],
                code: str = "", over: dict[str, float] | None = None, ownership: str = "公办") -> School:
    """A school whose indicators sit at random multiples of the standard for its ``kind``.

    ``over`` fixes a multiplier (e.g. ``{"sports": 0.8}``) to plant a known shortfall.
    """
    mult = {k: rng.uniform(*PROFILES[kind][k]) for k in INDICATORS}
    mult.update(over or {})
    sections = []
    fac = {"teaching_area": 0.0, "sports_area": 0.0, "equipment_value": 0.0, "multimedia_rooms": 0.0}
    for stage, n in students.items():
        sec = SectionData(stage=stage, students=n)
        size = {"primary": 42, "junior": 48, "senior": 50}[stage]
        sec.classes = max(1, math.ceil(n / (size * rng.uniform(0.85, 1.0))))
        sec.max_class_size = min(n, math.ceil(n / sec.classes * rng.uniform(1.02, 1.12)))
        ratio = {"primary": 17.5, "junior": 12.5, "senior": 12.0}[stage]
        sec.full_time_teachers = max(3, round(n / ratio * rng.uniform(0.92, 1.1)))
        if stage in ("primary", "junior"):
            st = stage
            sec.qualified = min(sec.full_time_teachers, round(mult["qualified"] * STANDARD["qualified"][st] * n / 100))
            sec.backbone = round(mult["backbone"] * STANDARD["backbone"][st] * n / 100)
            pe_art = max(1, round(mult["pe_art"] * STANDARD["pe_art"][st] * n / 100))
        else:
            sec.qualified = round(sec.full_time_teachers * rng.uniform(0.9, 1.0))
            sec.backbone = round(n * rng.uniform(0.01, 0.03))
            pe_art = max(1, round(n * 0.012))
        sec.pe = max(1, round(pe_art * 0.45)) if pe_art >= 2 else pe_art
        sec.music = round((pe_art - sec.pe) * 0.55)
        sec.art = pe_art - sec.pe - sec.music
        sec.staff = sec.full_time_teachers + round(sec.full_time_teachers * rng.uniform(0.03, 0.12))
        sec.certified = sec.full_time_teachers
        sec.trained = sec.full_time_teachers
        sections.append(sec)
        st = stage if stage != "senior" else "junior"
        senior = 1.15 if stage == "senior" else 1.0
        fac["teaching_area"] += mult["teaching"] * STANDARD["teaching"][st] * n * senior
        fac["sports_area"] += mult["sports"] * STANDARD["sports"][st] * n * senior
        fac["equipment_value"] += mult["equipment"] * STANDARD["equipment"][st] * n * senior
        fac["multimedia_rooms"] += mult["multimedia"] * STANDARD["multimedia"][st] * n / 100
    classes = sum(s.classes for s in sections)
    gym_share = rng.choice([0.0, 0.0, 0.08, 0.12, 0.18]) if kind != "rural" else 0.0
    school = School(name=name, code=code, school_type=school_type, kind=kind, sections=sections,
                    ownership=ownership)
    school.facilities = {
        "teaching_area": round(fac["teaching_area"], 1),
        "gym_area": round(fac["sports_area"] * gym_share),
        "field_area": round(fac["sports_area"] * (1 - gym_share)),
        # whole hundreds of 元 so a 万元 column with two decimals is exact
        "equipment_value": round(fac["equipment_value"] / 100) * 100,
        "multimedia_rooms": max(1, round(fac["multimedia_rooms"])),
        "music_rooms": max(1, math.ceil(classes / 12)),
        "art_rooms": max(1, math.ceil(classes / 12)),
    }
    school.facilities["music_room_area"] = school.facilities["music_rooms"] * rng.choice([96, 98, 100, 108, 120])
    school.facilities["art_room_area"] = school.facilities["art_rooms"] * rng.choice([90, 92, 96, 100])
    per_student = {"primary": 720, "junior": 940, "senior": 1000}
    funds = sum(per_student[s.stage] * max(s.students, 100) for s in sections)
    school.facilities["public_funds"] = round(funds * rng.uniform(1.0, 1.08), -2)
    school.facilities["training_funds"] = round(school.facilities["public_funds"] * rng.uniform(0.08, 0.1), -2)
    return school


# ----------------------------------------------------------------------- expected values

@dataclass
class SectionResult:
    school: str
    stage: str
    students: int
    values: dict[str, float]
    status: dict[str, str]  # met / near / below
    met: int
    passes: bool


def section_amounts(school: School) -> dict[str, dict[str, float]]:
    """Facility amounts per stage: the whole school's split by weighted students (domain §3)."""
    weights = SPLIT_WEIGHTS.get(school.split_rule or "", {})
    wsum = sum(weights.get(s.stage, 1.0) * s.students for s in school.sections)
    out = {}
    for sec in school.sections:
        share = weights.get(sec.stage, 1.0) * sec.students / wsum if wsum else 0
        out[sec.stage] = {k: v * share for k, v in school.facilities.items()}
    return out


def judge(values: dict[str, float], stage: str) -> tuple[dict[str, str], int, bool]:
    """Status of each indicator against the 2017 standard of ``stage`` ("met" at or above it,
    "near" at 85 % or more, else "below"), how many are met, and the per-school verdict
    (办法 第六条: at least 6 met and none below 85 %)."""
    status = {}
    for k, v in values.items():
        r = round(v / STANDARD[k][stage], 9)  # 9 places: float noise must not flip a verdict
        status[k] = "met" if r >= 1 else ("near" if r >= 0.85 else "below")
    met = list(status.values()).count("met")
    return status, met, met >= 6 and "below" not in status.values()


def weighted_mean_cv(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """Enrolment-weighted mean and 差异系数 of (students, value) pairs (domain.md §2):
    X̄ = ΣPX/ΣP, S = sqrt(ΣP(X−X̄)²/ΣP), CV = S/X̄ (0 when X̄ is 0). Mean in the value's unit."""
    total = sum(p for p, _ in pairs)
    mean = sum(p * x for p, x in pairs) / total
    sd = math.sqrt(sum(p * (x - mean) ** 2 for p, x in pairs) / total)
    return mean, (sd / mean if mean else 0.0)


def evaluate(schools: list[School]) -> tuple[list[SectionResult], dict[str, dict[str, tuple[float, float]]]]:
    """Per-section indicators and pass rule, and per stage (county value, weighted CV)."""
    results = []
    for school in schools:
        if school.excluded:
            continue
        amounts = section_amounts(school)
        for sec in school.sections:
            if sec.stage == "senior":
                continue
            a, n = amounts[sec.stage], sec.students
            values = {
                "qualified": sec.qualified * 100 / n,
                "backbone": sec.backbone * 100 / n,
                "pe_art": (sec.pe + sec.music + sec.art) * 100 / n,
                "teaching": a["teaching_area"] / n,
                "sports": (a["gym_area"] + a["field_area"]) / n,
                "equipment": a["equipment_value"] / n,
                "multimedia": a["multimedia_rooms"] * 100 / n,
            }
            status, met, ok = judge(values, sec.stage)
            results.append(SectionResult(school.name, sec.stage, n, values, status, met, ok))
    county = {}
    for stage in ("primary", "junior"):
        rows = [r for r in results if r.stage == stage]
        if not rows:
            continue
        county[stage] = {}
        for k in INDICATORS:
            county[stage][k] = weighted_mean_cv([(r.students, r.values[k]) for r in rows])
    return results, county


def describe(schools: list[School]) -> str:
    """A Chinese plain-text account of the expected result (for README and the report)."""
    results, county = evaluate(schools)
    lines = []
    for stage in ("primary", "junior"):
        rows = [r for r in results if r.stage == stage]
        if not rows:
            continue
        passing = sum(r.passes for r in rows)
        lines.append(f"{STAGE_CN[stage]}：{len(rows)} 所（段），达标 {passing} 所。")
        for k in INDICATORS:
            mean, cv = county[stage][k]
            flag = "超限" if cv > CV_LIMIT[stage] else ("临界" if abs(cv - CV_LIMIT[stage]) <= 0.01 else "")
            std = STANDARD[k][stage]
            lines.append(f"  - {IND_NAME[k]}：全县值 {mean:.3f}（标准 {std:g}{'，未达标' if mean < std else ''}），"
                         f"差异系数 {cv:.3f}（上限 {CV_LIMIT[stage]:.2f}）{flag}")
        for r in rows:
            short = [f"{IND_NAME[k]} {r.values[k]:.2f}/{STANDARD[k][stage]:g}"
                     f"（{'≥85%' if s == 'near' else '<85%'}）" for k, s in r.status.items() if s != "met"]
            if short:
                verdict = "达标（按85%规则）" if r.passes else "未达标"
                lines.append(f"  - {r.school}（{STAGE_CN[stage]}）{verdict}：" + "；".join(short))
    excluded = [f"{s.name}（{s.excluded}）" for s in schools if s.excluded]
    if excluded:
        lines.append("排除：" + "、".join(excluded))
    return "\n".join(lines)


# --------------------------------------------------------------------- header checking

_FW = str.maketrans("（）：，【】", "():,[]")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).translate(_FW)


class HeaderCheck:
    """Checks a header matches an alias of aliases.toml after the documented normalisation.

    Whole header first, then with a trailing bracketed unit split off (unit must belong to
    the field's family); for a two-row header, "group›leaf" or the leaf alone, the unit
    coming from the leaf or else the group.
    """

    def __init__(self, path: Path = ALIASES_PATH):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        self.units = data["units"]
        self.by_alias: dict[str, tuple[str, str]] = {}
        for name, raw in data["fields"].items():
            family = raw.get("unit", "" if raw.get("kind") == "text" else "count")
            for alias in raw.get("aliases", ()):
                self.by_alias[_norm(alias)] = (name, family)

    def _split(self, text: str) -> tuple[str, str]:
        m = re.fullmatch(r"(.*?)\(([^()]*)\)", text)
        return (m.group(1), m.group(2)) if m else (text, "")

    def field(self, header: str, group: str | None = None) -> str:
        h = _norm(header)
        g = _norm(group) if group else None
        candidates = []
        if g:
            gbase, gunit = self._split(g)
            base, unit = self._split(h)
            candidates += [(f"{gbase}›{h}", ""), (f"{gbase}›{base}", unit or gunit), (h, gunit), (base, unit or gunit)]
        else:
            base, unit = self._split(h)
            candidates += [(h, ""), (base, unit)]
        for text, unit in candidates:
            if text in self.by_alias:
                name, family = self.by_alias[text]
                if family and unit not in self.units[family]:
                    raise ValueError(f"header {header!r}: unit {unit!r} not in family {family}")
                return name
        raise ValueError(f"header {header!r} (group {group!r}) matches no alias")


# -------------------------------------------------------------------------- writers

def _num_cell(rng: random.Random | None, value: float, text_share: float, force: bool = False) -> float | str:
    """Sometimes store a number as text the way WPS users paste it: '1,234' or '856 '."""
    if not force and (rng is None or rng.random() >= text_share):
        return value
    if value >= 1000 and float(value).is_integer():
        return f"{int(value):,}"
    if float(value).is_integer():
        return f"{int(value)} "
    return f"{value}"


# Layout A: 大祥区 style. (group, leaf-or-None, field key, format)
LAYOUT_A = [
    ("序号", None, "seq"),
    ("学校名称", None, "name"),
    ("办学类型", None, "school_type"),
    ("在校生数\n（人）", None, "students"),
    ("专任教师", "合计", "full_time_teachers"),
    ("专任教师", "高于规定\n学历教师数", "qualified"),
    ("专任教师", "县级及以上\n骨干教师数", "backbone"),
    ("专任教师", "体育", "pe"),
    ("专任教师", "音乐", "music"),
    ("专任教师", "美术", "art"),
    ("教学及辅助\n用房面积\n（㎡）", None, "teaching_area"),
    ("体育运动场馆面积(m²)", "体育馆", "gym_area"),
    ("体育运动场馆面积(m²)", "运动场地", "field_area"),
    ("教学仪器\n设备值\n（万元）", None, "equipment_value"),
    ("网络多媒体\n教室（间）", None, "multimedia_rooms"),
    ("备注", None, "remark"),
]
FACILITY_KEYS = {"teaching_area", "gym_area", "field_area", "equipment_value", "multimedia_rooms",
                 "music_rooms", "music_room_area", "art_rooms", "art_room_area", "public_funds", "training_funds"}


# Fixed document dates: the same seed gives byte-identical .xlsx files (diff-friendly commits).
FIXED_DATE = dt.datetime(2025, 9, 30, 9, 0, 0)


def _workbook(path: Path) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": FIXED_DATE, "author": "samplegen"})
    return wb


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
        self.title = wb.add_format({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center"})
        self.sub = wb.add_format({"font_name": "宋体", "font_size": 10})
        self.head = wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"})
        self.text = wb.add_format(base)
        self.num = wb.add_format({**base, "num_format": "0"})
        self.dec = wb.add_format({**base, "num_format": "0.0"})
        self.wan = wb.add_format({**base, "num_format": "0.00"})
        self.total = wb.add_format({**base, "bold": True, "num_format": "#,##0.##"})
        self.pct = wb.add_format({**base, "num_format": "0.0%"})
        self.note = wb.add_format({"font_name": "宋体", "font_size": 9, "text_wrap": True, "valign": "top"})


def _value_a(school: School, sec: SectionData, key: str, seq: int):
    if key == "seq":
        return seq
    if key == "name":
        return school.name
    if key == "school_type":
        return school.school_type
    if key == "remark":
        return school.ownership if school.ownership != "公办" else None
    if key in FACILITY_KEYS:
        v = school.facilities[key]
        return round(v / 10000, 2) if key == "equipment_value" else v
    if key == "students":
        return sec.students
    return getattr(sec, key)


def _write_table_a(wb, ws, f: _Formats, title: str, schools: list[School], rng, with_stage: bool,
                   text_share: float = 0.06) -> None:
    cols = list(LAYOUT_A)
    if with_stage:
        cols.insert(3, ("学段", None, "stage"))
    ncol = len(cols)
    ws.merge_range(0, 0, 0, ncol - 1, title, f.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, ncol // 2, "填报单位（盖章）：大祥区教育局计划财务股", f.sub)
    ws.merge_range(1, ncol // 2 + 1, 1, ncol - 1, "填报日期：2025年9月30日", f.sub)
    # two-row header: a leaf-less column spans both rows; a group spans its leaves
    c = 0
    while c < ncol:
        group, leaf, _ = cols[c]
        if leaf is None:
            ws.merge_range(2, c, 3, c, group, f.head)
            c += 1
            continue
        end = c
        while end + 1 < ncol and cols[end + 1][0] == group:
            end += 1
        ws.merge_range(2, c, 2, end, group, f.head)
        for k in range(c, end + 1):
            ws.write(3, k, cols[k][1], f.head)
        c = end + 1
    ws.set_row(2, 30)
    ws.set_row(3, 42)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 26)
    ws.set_column(2, ncol - 1, 10)
    r = 4
    seq = 0
    sums: dict[int, float] = {}
    for school in schools:
        seq += 1
        secs = school.sections if with_stage else school.sections[:1]
        first = r
        for sec in secs:
            for c, (_, _, key) in enumerate(cols):
                if key == "stage":
                    ws.write(r, c, SECTION_CN[sec.stage], f.text)
                    continue
                v = _value_a(school, sec, key, seq)
                if len(secs) > 1 and (key in FACILITY_KEYS or key in ("seq", "name", "school_type", "remark")):
                    continue  # written once, merged across the school's section rows below
                _write_cell(ws, r, c, v, key, f, rng, text_share, key in school.as_text)
                if isinstance(v, (int, float)) and key != "seq":
                    sums[c] = sums.get(c, 0) + v
            r += 1
        if len(secs) > 1:
            for c, (_, _, key) in enumerate(cols):
                if key in FACILITY_KEYS or key in ("seq", "name", "school_type", "remark"):
                    v = _value_a(school, secs[0], key, seq)
                    fmt = f.wan if key == "equipment_value" else (f.num if isinstance(v, (int, float)) else f.text)
                    ws.merge_range(first, c, r - 1, c, v if v is not None else "", fmt)
                    if isinstance(v, (int, float)) and key != "seq":
                        sums[c] = sums.get(c, 0) + v
    # 合计 row with live SUMs and their cached values, as Excel would save it
    ws.write(r, 1, "合计", f.total)
    ws.write(r, 0, "", f.total)
    for c, (_, _, key) in enumerate(cols):
        if c in sums:
            col = xlsxwriter.utility.xl_col_to_name(c)
            ws.write_formula(r, c, f"=SUM({col}5:{col}{r})", f.total, round(sums[c], 2))
        elif c > 1:
            ws.write(r, c, "", f.total)
    r += 2
    ws.merge_range(r, 0, r, ncol - 1, "注：1. 高于规定学历：小学为大专及以上学历，初中为本科及以上学历；"
                   "2. 教学仪器设备值按账面原值填报，单位万元；3. 九年一贯制学校分学段填报，校舍、场地、设备按全校填报。",
                   f.note)
    ws.set_row(r, 30)
    ws.write(r + 1, 1, "填表人：刘晓燕", f.sub)
    ws.write(r + 1, 5, "审核人：陈国平", f.sub)
    ws.write(r + 1, 10, "联系电话：0739-5212345", f.sub)
    ws.freeze_panes(4, 2)


def _write_cell(ws, r, c, v, key, f: _Formats, rng, text_share, force_text: bool = False):
    if v is None:
        ws.write_blank(r, c, None, f.text)
    elif isinstance(v, str):
        ws.write_string(r, c, v, f.text)
    else:
        cell = _num_cell(rng, v, text_share, force_text) if key not in ("seq",) else v
        if isinstance(cell, str):
            ws.write_string(r, c, cell, f.text)
        else:
            fmt = f.wan if key == "equipment_value" else (f.dec if not float(v).is_integer() else f.num)
            ws.write_number(r, c, cell, fmt)


def write_layout_a(path: Path, county: str, schools: list[School], county_figures: dict[str, float],
                   rng: random.Random, year: int = 2025, hidden_old: list[School] | None = None,
                   text_share: float = 0.06) -> None:
    """大祥区 style: title and 填报单位 rows, two-row merged headers, sheets 小学 / 初中 /
    九年一贯制学校, 合计 and note rows, an empty and a hidden sheet, a 县级指标 sheet."""
    wb = _workbook(path)
    f = _Formats(wb)
    single = [s for s in schools if len(s.sections) == 1]
    through = [s for s in schools if len(s.sections) > 1]
    prim = [s for s in single if s.sections[0].stage == "primary"]
    jun = [s for s in single if s.sections[0].stage == "junior"]
    _write_table_a(wb, wb.add_worksheet("小学"), f, f"{county}{year}年义务教育学校办学条件统计表（小学）",
                   prim, rng, False, text_share)
    _write_table_a(wb, wb.add_worksheet("初中"), f, f"{county}{year}年义务教育学校办学条件统计表（初中）",
                   jun, rng, False, text_share)
    if through:
        _write_table_a(wb, wb.add_worksheet("九年一贯制学校"), f,
                       f"{county}{year}年义务教育学校办学条件统计表（九年一贯制学校）", through, rng, True, text_share)
    _write_county_sheet(wb, f, county_figures)
    wb.add_worksheet("Sheet1")  # left empty, as people leave them
    if hidden_old:
        old = wb.add_worksheet("2024年数据（旧）")
        _write_table_a(wb, old, f, f"{county}{year - 1}年义务教育学校办学条件统计表（小学）", hidden_old, rng, False, 0)
        old.hide()
    wb.close()


COUNTY_FIGURE_LABELS = {
    "rotation_rate": ("交流轮岗教师比例", "符合交流条件教师中实际交流轮岗的比例"),
    "rotation_backbone_share": ("交流轮岗教师中骨干教师比例", ""),
    "nearby_enrolment_primary": ("城区和镇区公办小学就近划片入学比例", ""),
    "nearby_enrolment_junior": ("城区和镇区公办初中就近划片入学比例", ""),
    "quota_allocation_rate": ("优质高中招生名额分配比例", "2025年秋季招生"),
    "migrant_public_rate": ("随迁子女在公办学校和政府购买服务民办学校就读比例", ""),
    "junior_retention_rate": ("初中三年巩固率", "2022级"),
    "disabled_enrolment_rate": ("残疾儿童少年入学率", "含送教上门"),
    "monitoring_school_gap": ("国家义务教育质量监测校际差异率", "2024年监测结果"),
    "social_recognition": ("社会认可度", "第三方问卷"),
}


def _write_county_sheet(wb, f: _Formats, figures: dict[str, float]) -> None:
    ws = wb.add_worksheet("县级指标")
    ws.write_row(0, 0, ["指标", "数值", "说明"], f.head)
    for i, (key, value) in enumerate(figures.items(), start=1):
        label, note = COUNTY_FIGURE_LABELS[key]
        ws.write(i, 0, label, f.text)
        ws.write_number(i, 1, value, f.pct)
        ws.write(i, 2, note, f.text)
    ws.set_column(0, 0, 46)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 24)


# Layout B: one sheet, one-row header, other alias words, a 学段 and a 学校类型 column.
LAYOUT_B = [
    ("学校标识码", "code"),
    ("学校", "name"),
    ("学校类型", "school_type"),
    ("办别", "ownership"),
    ("学段", "stage"),
    ("在校学生数", "students"),
    ("班级数", "classes"),
    ("最大班额", "max_class_size"),
    ("56人以上班级数", "classes_56_plus"),
    ("教职工数", "staff"),
    ("专任教师数", "full_time_teachers"),
    ("高于规定学历教师", "qualified"),
    ("县级以上骨干教师", "backbone"),
    ("体育专任教师", "pe"),
    ("艺术（计）", "arts"),
    ("持证教师数", "certified"),
    ("完成5年360学时培训教师数", "trained"),
    ("教学及辅助用房面积(平方米)", "teaching_area"),
    ("体育运动场馆面积（平方米）", "sports_area"),
    ("教学仪器设备值（元）", "equipment_value"),
    ("网络多媒体教室（间）", "multimedia_rooms"),
    ("音乐专用教室（间）", "music_rooms"),
    ("音乐专用教室面积（㎡）", "music_room_area"),
    ("美术专用教室（间）", "art_rooms"),
    ("美术专用教室面积（㎡）", "art_room_area"),
    ("年度公用经费（元）", "public_funds"),
    ("教师培训经费（元）", "training_funds"),
]


def _value_b(school: School, sec: SectionData, key: str, first: bool):
    if key in ("code", "name", "school_type", "ownership"):
        return getattr(school, key)
    if key == "stage":
        return STAGE_CN[sec.stage]
    if key == "sports_area":
        return (school.facilities["gym_area"] + school.facilities["field_area"]) if first else None
    if key in FACILITY_KEYS:
        # whole-school amounts only on the school's first section row, the others blank
        return school.facilities[key] if first else None
    if key == "arts":
        return sec.music + sec.art
    return getattr(sec, key)


def write_layout_b(path: Path, county: str, schools: list[School], rng: random.Random | None,
                   year: int = 2025, text_share: float = 0.0) -> None:
    """示范县 style: one sheet for all schools, one title row, a one-row header."""
    wb = _workbook(path)
    f = _Formats(wb)
    ws = wb.add_worksheet("学校基础数据")
    ws.merge_range(0, 0, 0, len(LAYOUT_B) - 1, f"{county}{year}年义务教育学校基础数据", f.title)
    for c, (head, _) in enumerate(LAYOUT_B):
        ws.write(1, c, head, f.head)
    ws.set_row(1, 45)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 14)
    ws.set_column(3, len(LAYOUT_B) - 1, 10)
    r = 2
    for school in schools:
        for i, sec in enumerate(school.sections):
            for c, (_, key) in enumerate(LAYOUT_B):
                v = _value_b(school, sec, key, i == 0)
                _write_cell(ws, r, c, v, key, f, rng, text_share, key in school.as_text)
            r += 1
    ws.write(r + 1, 0, "说明：一贯制学校、完全中学按学段分行填报，校舍、场地、设备、经费按全校填在第一行。", f.sub)
    ws.freeze_panes(2, 2)
    wb.close()


def check_headers(checker: HeaderCheck | None = None) -> None:
    """Raise if any header the writers use does not resolve to the intended alias."""
    checker = checker or HeaderCheck()
    expect = {"qualified": "qualified_teachers", "backbone": "backbone_teachers", "pe": "pe_teachers",
              "music": "music_teachers", "art": "art_teachers", "arts": "arts_teachers",
              "certified": "certified_teachers", "trained": "trained_teachers"}
    for group, leaf, key in LAYOUT_A:
        if key in ("seq", "remark"):
            continue
        got = checker.field(leaf, group) if leaf else checker.field(group)
        want = expect.get(key, key)
        if got != want:
            raise ValueError(f"layout A header {group}/{leaf} -> {got}, wanted {want}")
    for head, key in LAYOUT_B:
        got = checker.field(head)
        want = expect.get(key, key)
        if got != want:
            raise ValueError(f"layout B header {head} -> {got}, wanted {want}")


def workbook_content(path: Path) -> list:
    """What a reader sees in a workbook (.xlsx or .xls): per sheet its name, visibility, cell
    values and merged ranges. Equal content, whatever the bytes."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = []
    for meta in wb.sheets_metadata:
        sheet = wb.get_sheet_by_name(meta.name)
        out.append((meta.name, str(meta.visible), sheet.to_python(), sheet.merged_cell_ranges))
    return out


def convert_to_xls(src: Path, out_dir: Path) -> Path | None:
    """Save ``src`` as .xls with LibreOffice (as a county office's old Excel/WPS would).

    LibreOffice never writes the same bytes twice, so an existing .xls that already holds
    ``src``'s content is kept as it is: regenerating the samples leaves git clean."""
    target = out_dir / (src.stem + ".xls")
    if target.exists() and workbook_content(target) == workbook_content(src):
        return target
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory() as profile:
        # a private profile so a running LibreOffice (or another conversion) does not block us
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
               "--outdir", str(out_dir), str(src)]
        done = subprocess.run(cmd, capture_output=True, timeout=180)
    return target if done.returncode == 0 and target.exists() else None


# ------------------------------------------------------------------- random counties

TOWNS = ["城关", "城东", "城西", "城南", "城北", "新区", "河口", "石桥", "龙潭", "白沙", "金塘", "青山", "黄土岭",
         "长乐", "桃花", "双江", "梅溪", "高坪", "大塘", "柳山", "茶园", "松坡", "枫林", "竹溪", "杨柳"]
VILLAGES = ["新民", "光明", "胜利", "和平", "建新", "红星", "向阳", "团结", "永丰", "太平", "群英", "东风",
            "兴隆", "五星", "长岭", "水口", "塘湾", "石门", "田心", "周家"]


def random_county(rng: random.Random, n_schools: int, county: str = "") -> list[School]:
    """``n_schools`` schools with a realistic mix of types, sizes and urban/rural profiles."""
    schools = []
    for i in range(n_schools):
        town = TOWNS[i % len(TOWNS)]
        roll = rng.random()
        kind = "urban" if roll < 0.25 else ("town" if roll < 0.6 else "rural")
        code = f"{2143000000 + rng.randrange(10**5) * 10 + i % 10}"
        t = rng.random()
        tag = f"{county}{town}{VILLAGES[i % len(VILLAGES)]}"
        if t < 0.55:
            n = rng.randint(100, 2000) if kind != "rural" else rng.randint(100, 400)
            schools.append(make_school(rng, f"{tag}小学{i}", "小学", kind, {"primary": n}, code))
        elif t < 0.8:
            n = rng.randint(300, 2500) if kind != "rural" else rng.randint(300, 600)
            schools.append(make_school(rng, f"{tag}中学{i}", "初级中学", kind, {"junior": n}, code))
        elif t < 0.9:
            stud = {"primary": rng.randint(150, 900), "junior": rng.randint(100, 700)}
            schools.append(make_school(rng, f"{tag}学校{i}", "九年一贯制学校", kind, stud, code))
        elif t < 0.94:
            stud = {"junior": rng.randint(600, 1800), "senior": rng.randint(800, 2400)}
            schools.append(make_school(rng, f"{tag}中学{i}", "完全中学", "urban", stud, code))
        elif t < 0.98:
            n = rng.randint(20, 90)
            schools.append(make_school(rng, f"{tag}教学点{i}", "教学点", "rural", {"primary": n}, code))
        else:
            n = rng.randint(60, 200)
            schools.append(make_school(rng, f"{tag}特殊教育学校{i}", "特殊教育学校", "town", {"primary": n}, code))
    return schools


def write_random_county(path: Path, rng: random.Random, n_schools: int, layout: str, county: str) -> int:
    """Write one random county in layout "A" or "B"; returns the number of data rows."""
    schools = random_county(rng, n_schools, county)
    if layout == "A":
        # layout A keeps 完全中学 out: its 高中部 has no sheet there
        schools = [s for s in schools if s.split_rule != "complete_middle"]
        figures = {k: round(rng.uniform(0.85, 1.0), 3) for k in COUNTY_FIGURE_LABELS}
        write_layout_a(path, county, schools, figures, rng)
    else:
        write_layout_b(path, county, schools, rng, text_share=0.03)
    return sum(len(s.sections) for s in schools)
