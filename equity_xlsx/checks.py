"""Pure: the status of every task-list item, and what each school section is short of.

Which computation feeds an item is data (the task list's ``check``); every threshold comes
from the standard (``std.checks``, ``std.county_checks``, the indicators). Nothing here
opens a file. A check whose data is absent is ``no_data`` (未提供数据), never ``met``.

Units of ``Finding.current``/``standard``: as in the indicator (人/百生, m², 元), counts
(间, 人), ratios as **percent** (92.5 means 92.5 %), 差异系数 as a plain number.
County figures arrive as fractions (0.96) and are shown as percent.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from . import indicators as ind_mod
from .model import STAGE_LABEL, STAGES, CountyData, Section, Split, split_amount, weights_text
from .needs import CVFixPlan, Need, SchoolValue, Share, cv_fix_plan, gap_positive, resource_need, round_up
from .rulebook import Rules
from .standards import Aliases, Standard
from .tasks import SCHOOL_CHECKS, TaskItem

MET, UNMET, NO_DATA, TO_SCORE = "met", "unmet", "no_data", "to_score"
STATUS_LABEL = {MET: "达标", UNMET: "未达标", NO_DATA: "未提供数据", TO_SCORE: "待评分"}
# The school part of a county-level line's key: "全区" since 0.1 for every county, kept so that
# 台账编号 never change. What staff see is the county's own word (CountyId.area_word).
COUNTY_KEY = "全区"


@dataclass(frozen=True)
class Finding:
    """One school section (or the county) against one part of one item.

    ``part`` tells the parts of an item apart ("music_rooms", "cv", a county field…; "" when
    the item has one). ``op`` is how ``current`` is compared with ``standard``: ">=" or "<=".
    ``need`` is set on unmet findings when the gap can be put in real units.
    ``stage`` is "primary"/"junior", or "" for a whole school (校额 of a 九年一贯制 school)
    and for county figures without a stage.
    """

    item: str
    part: str
    label: str
    school: str
    code: str
    stage: str
    status: str
    current: float | None
    standard: float | None
    unit: str
    op: str = ">="
    need: Need | None = None
    note: str = ""
    detail: str = ""
    level: str = "school"  # "school" | "county"
    plan: CVFixPlan | None = None

    @property
    def shortfall(self) -> float | None:
        """How far ``current`` is from ``standard`` in ``unit`` (positive), unmet only."""
        if self.status != UNMET or self.current is None or self.standard is None:
            return None
        gap = self.standard - self.current if self.op == ">=" else self.current - self.standard
        return max(gap, 0.0)

    @property
    def relative_gap(self) -> float:
        """Shortfall as a share of the standard (0.1 = 10 % short): how far from being met."""
        gap = self.shortfall
        if gap is None:
            return math.inf
        return gap / abs(self.standard) if self.standard else math.inf

    @property
    def need_text(self) -> str:
        return self.need.text if self.need else ""


@dataclass
class ItemCheck:
    """One task-list item: its status and the findings behind it."""

    item: TaskItem
    status: str
    findings: list[Finding] = field(default_factory=list)
    note: str = ""  # why: 人工核查, 标准未设阈值, 部分学校未提供数据 …

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def unmet(self) -> list[Finding]:
        return [f for f in self.findings if f.status == UNMET]

    @property
    def schools_unmet(self) -> int:
        """School sections (or whole schools, for 校额) with an unmet part; county lines excluded.

        A 九年一贯制 school's 小学部 and 初中部 count separately, as in the CVs.
        """
        return len({(f.code or f.school, f.stage) for f in self.unmet if f.level == "school"})

    @property
    def schools_no_data(self) -> int:
        return len({(f.code or f.school, f.stage) for f in self.findings
                    if f.level == "school" and f.status == NO_DATA})


@dataclass
class ChecksResult:
    """Every task-list item's check, in task-list order."""

    items: dict[str, ItemCheck]
    standard: str

    def __getitem__(self, item_id: str | int) -> ItemCheck:
        return self.items[str(item_id)]

    def counts(self, category: str = "A") -> dict[str, int]:
        """How many items of a category are met / unmet / no_data / to_score (for 概览)."""
        out = {MET: 0, UNMET: 0, NO_DATA: 0, TO_SCORE: 0}
        for chk in self.items.values():
            if chk.item.category == category:
                out[chk.status] += 1
        return out


# ------------------------------------------------------------------ helpers
def _ident(sec: Section) -> str:
    return sec.code or sec.school


def _finding(item: str, sec: Section | None, **kw) -> Finding:
    if sec is not None:
        kw.setdefault("school", sec.school)
        kw.setdefault("code", sec.code)
        kw.setdefault("stage", sec.stage)
    return Finding(item=item, **kw)


def _no_data(item: str, sec: Section | None, part: str, label: str, unit: str, missing: str,
             **kw) -> Finding:
    return _finding(item, sec, part=part, label=label, status=NO_DATA, current=None,
                    standard=kw.pop("standard", None), unit=unit, note=f"未提供{missing}", **kw)


def _item_status(findings: list[Finding]) -> str:
    if any(f.status == UNMET for f in findings):
        return UNMET
    if not findings or any(f.status == NO_DATA for f in findings):
        return NO_DATA
    return MET


# ------------------------------------------------------------------ school checks
def check_staff_ratio(item: str, sections: list[Section], std: Standard, **_) -> list[Finding]:
    """Item 10: students per 教职工 ≤ 19 (小学) / 13.5 (初中); need = ceil(students/ratio) − staff 人."""
    out = []
    for sec in sections:
        ratio = std.checks.student_staff_ratio[sec.stage]
        label = f"生师比（在校生/教职工，标准 1:{ratio:g}）"
        staff = sec.values.get("staff")
        if staff is None:
            out.append(_no_data(item, sec, "", label, "生/教职工", "教职工数", op="<=", standard=ratio))
            continue
        exact = sec.students / ratio - staff
        unmet = gap_positive(exact)
        out.append(_finding(
            item, sec, part="", label=label, status=UNMET if unmet else MET,
            current=sec.students / staff if staff > 0 else None, standard=ratio, unit="生/教职工",
            op="<=", need=Need(round_up(exact), "人", "教职工", "需增加") if unmet else None))
    return out


def _room_findings(item: str, sec: Section | None, kind: str, classes: float | None,
                   rooms: float | None, min_area: float | None, total_area: float | None,
                   std: Standard, note: str = "", **who) -> list[Finding]:
    name = {"music": "音乐", "art": "美术"}[kind]
    per = std.checks.special_room_per_classes
    room_min = getattr(std.checks, f"{kind}_room_min_area")
    out = []
    label = f"{name}专用教室间数（每{per:g}个班1间）"
    if classes is None or rooms is None:
        missing = "班级数" if classes is None else f"{name}专用教室数"
        out.append(_no_data(item, sec, f"{kind}_rooms", label, "间", missing, **who))
    else:
        required = math.ceil(round(classes / per, 6))
        unmet = gap_positive(required - rooms)
        out.append(_finding(
            item, sec, part=f"{kind}_rooms", label=label, status=UNMET if unmet else MET,
            current=rooms, standard=float(required), unit="间", note=note,
            need=Need(round_up(required - rooms), "间", f"{name}专用教室") if unmet else None, **who))
    area_label = f"{name}专用教室面积（每间≥{room_min:g} m²）"
    if rooms == 0:
        return out  # no room whose area could be checked; the count line already says it
    if min_area is not None:
        unmet = gap_positive(room_min - min_area)
        out.append(_finding(
            item, sec, part=f"{kind}_area", label=area_label, status=UNMET if unmet else MET,
            current=min_area, standard=room_min, unit="m²", note="按最小一间的面积核查",
            need=Need(round_up(room_min - min_area), "m²", f"最小一间{name}专用教室面积", "需扩建")
            if unmet else None, **who))
    elif total_area is not None and rooms is not None:
        standard = rooms * room_min
        unmet = gap_positive(standard - total_area)
        out.append(_finding(
            item, sec, part=f"{kind}_area", label=area_label, status=UNMET if unmet else MET,
            current=total_area, standard=standard, unit="m²",
            note=f"仅有总面积，按总面积 ≥ 间数 × {room_min:g} m² 核查（未逐间核查）",
            need=Need(round_up(standard - total_area), "m²", f"{name}专用教室面积", "需扩建")
            if unmet else None, **who))
    else:
        out.append(_no_data(item, sec, f"{kind}_area", area_label, "m²", f"{name}专用教室面积", **who))
    return out


def check_special_rooms(item: str, sections: list[Section], std: Standard,
                        splits: list[Split] = (), **_) -> list[Finding]:
    """Item 11: music and art rooms ≥ ceil(classes/12) each; each room ≥ 96 / 90 m².

    Per section. When a school's room count was given once for the whole school and split
    between its sections (a 九年一贯制 school), the check is on the whole school instead
    (the split gives fractional rooms): rooms = the school total, classes = the sum.
    """
    split_of = {(s.school, s.field): s for s in splits}
    by_school: dict[str, list[Section]] = defaultdict(list)
    for sec in sections:
        by_school[_ident(sec)].append(sec)
    out = []
    for secs in by_school.values():
        for kind in ("music", "art"):
            split = split_of.get((secs[0].school, f"{kind}_rooms"))
            if split is not None and len(secs) > 1:
                classes = [s.values.get("classes") for s in secs]
                area_split = split_of.get((secs[0].school, f"{kind}_room_area"))
                mins = [s.values.get(f"{kind}_room_min_area") for s in secs]
                out += _room_findings(
                    item, None, kind,
                    None if None in classes else sum(classes), split.total,
                    None if None in mins else min(mins),
                    area_split.total if area_split else None, std,
                    note="全校合并核查（专用教室按全校填报）",
                    school=secs[0].school, code=secs[0].code, stage="")
                continue
            for sec in secs:
                v = sec.values
                out += _room_findings(item, sec, kind, v.get("classes"), v.get(f"{kind}_rooms"),
                                      v.get(f"{kind}_room_min_area"), v.get(f"{kind}_room_area"), std)
    return out


def _is_through(secs: list[Section], aliases: Aliases) -> bool:
    words = aliases.school_types.get("nine_year", ()) + aliases.school_types.get("twelve_year", ())
    if any(w in s.school_type for s in secs for w in words):
        return True
    # A school with both a 小学部 and an 初中部 is a 九年一贯制 school whatever its type says.
    return {s.stage for s in secs} >= {"primary", "junior"}


def check_school_size(item: str, sections: list[Section], std: Standard, aliases: Aliases,
                      **_) -> list[Finding]:
    """Item 12: students ≤ 2000 per 小学/初中; 九年/十二年一贯制: 小学部 + 初中部 ≤ 2500.

    Schools are grouped by 学校标识码 (or name when there is none). Need: students to 分流.
    """
    by_school: dict[str, list[Section]] = defaultdict(list)
    for sec in sections:
        by_school[_ident(sec)].append(sec)
    out = []
    for secs in by_school.values():
        if _is_through(secs, aliases):
            limit = std.checks.school_size_max_through
            groups = [(secs, "", "一贯制学校义务教育阶段规模")]
        else:
            limit = std.checks.school_size_max
            groups = [([s], s.stage, "学校规模") for s in secs]
        for members, stage, label in groups:
            students = sum(s.students for s in members)
            unmet = gap_positive(students - limit)
            out.append(_finding(
                item, None, part="", label=f"{label}（≤{limit:g}人）", school=members[0].school,
                code=members[0].code, stage=stage, status=UNMET if unmet else MET,
                current=students, standard=limit, unit="人", op="<=",
                note="小学部与初中部合计" if len(members) > 1 else "",
                need=Need(round_up(students - limit), "人", "学生", "需分流") if unmet else None))
    return out


def check_class_size(item: str, sections: list[Section], std: Standard, **_) -> list[Finding]:
    """Item 13: every class ≤ 45 (小学) / 50 (初中); 56+ 大班额 and 66+ 超大班额 counted apart.

    Verdict from 最大班额 when given, else from the count of classes over the limit, else
    from 56+/66+ counts (any such class is over the limit). Need: when the school has too
    few classes for its students at the limit, the classes to add (班, or students to move
    out); otherwise the students to move out of the largest class (人) — a re-grouping.
    """
    out = []
    large, super_large = std.checks.large_class, std.checks.super_large_class
    for sec in sections:
        limit = std.checks.class_size_max[sec.stage]
        v = sec.values
        max_size, over = v.get("max_class_size"), v.get("classes_over_limit")
        c56, c66 = v.get("classes_56_plus"), v.get("classes_66_plus")
        label = f"班额（每班≤{limit:g}人）"
        counted = [f"大班额（{large}人以上）{c56:g} 个" if c56 else "",
                   f"超大班额（{super_large}人以上）{c66:g} 个" if c66 else ""]
        detail = "，".join(c for c in counted if c)
        if max_size is not None:
            unmet = gap_positive(max_size - limit)
        elif over is not None:
            unmet = over > 0
        elif (c56 or 0) > 0 or (c66 or 0) > 0:
            unmet = large > limit
        else:
            out.append(_no_data(item, sec, "", label, "人", "最大班额或超标准班额班级数",
                                op="<=", standard=limit))
            continue
        need = None
        if unmet:
            classes, students = v.get("classes"), sec.students
            if classes and gap_positive(students - classes * limit):
                need = Need(round_up(students / limit - classes), "班", "教学班", "需增设")
                detail = "，".join(x for x in (
                    f"按每班{limit:g}人需 {math.ceil(round(students / limit, 6))} 个班，现有 {classes:g} 个班"
                    f"（或分流学生 {round_up(students - classes * limit):g} 人）", detail) if x)
            elif max_size is not None:
                need = Need(round_up(max_size - limit), "人", "学生（最大班额班）", "需分流")
        if over:
            detail = "，".join(x for x in (detail, f"超标准班额班级 {over:g} 个") if x)
        out.append(_finding(item, sec, part="", label=label, status=UNMET if unmet else MET,
                            current=max_size, standard=limit, unit="人", op="<=", need=need,
                            detail=detail))
    return out


def _share_check(item: str, sections: list[Section], num: tuple[str, str], den: tuple[str, str],
                 target: float, label: str, need: tuple[str, str, str]) -> list[Finding]:
    """Per section: num / den ≥ ``target`` (shown in %); the need is ``target × den − num``.

    ``num``/``den`` are (field, Chinese label for "未提供…"); ``need`` is (unit, what, verb).
    """
    (num_field, num_label), (den_field, den_label) = num, den
    unit, what, verb = need
    out = []
    for sec in sections:
        n, d = sec.values.get(num_field), sec.values.get(den_field)
        if n is None or not d:
            missing = num_label if n is None else den_label
            out.append(_no_data(item, sec, "", label, "%", missing, standard=target * 100))
            continue
        exact = target * d - n
        unmet = gap_positive(exact)
        out.append(_finding(item, sec, part="", label=label, status=UNMET if unmet else MET,
                            current=n / d * 100, standard=target * 100, unit="%",
                            need=Need(round_up(exact), unit, what, verb) if unmet else None))
    return out


TEACHERS = ("full_time_teachers", "专任教师数")


def check_training_completion(item: str, sections: list[Section], std: Standard, **_) -> list[Finding]:
    """Item 17: 5年360学时 completion = trained / 专任教师 ≥ 100 %; need: teachers still to train."""
    return _share_check(item, sections, ("trained_teachers", "完成培训教师数"), TEACHERS,
                        std.checks.training_completion, "5年360学时培训完成率",
                        ("人", "完成5年360学时培训的教师", "尚缺"))


def check_certified_rate(item: str, sections: list[Section], std: Standard, **_) -> list[Finding]:
    """Item 20: 持证上岗率 = certified / 专任教师 ≥ 100 %; need: teachers without a certificate."""
    return _share_check(item, sections, ("certified_teachers", "持证教师数"), TEACHERS,
                        std.checks.certified_rate, "专任教师持证上岗率",
                        ("人", "持证专任教师", "尚缺"))


def check_training_funds(item: str, sections: list[Section], std: Standard, **_) -> list[Finding]:
    """Item 28: 教师培训经费 / 年度公用经费 ≥ share (8 % 大祥区, 5 % national); need in 元."""
    share = std.checks.training_funds_share
    return _share_check(item, sections, ("training_funds", "教师培训经费"), ("public_funds", "年度公用经费"),
                        share, f"教师培训经费占年度公用经费比例（≥{share * 100:g}%）",
                        ("元", "教师培训经费", "需增加"))


SCHOOL_CHECK_FUNCS = {
    "staff_ratio": check_staff_ratio,
    "special_rooms": check_special_rooms,
    "school_size": check_school_size,
    "class_size": check_class_size,
    "training_completion": check_training_completion,
    "certified_rate": check_certified_rate,
    "training_funds": check_training_funds,
}
assert set(SCHOOL_CHECK_FUNCS) == set(SCHOOL_CHECKS)


# ------------------------------------------------------------------ county figures
def check_county(item: str, ref: str, data: CountyData, std: Standard,
                 aliases: Aliases) -> tuple[list[Finding], str]:
    """County ratios (items 19, 21, 22, 24, 25, 26, 31, 36) from ``data.county_figures``.

    Figures are fractions (0.96); a value above 1 contradicts that and is not used.
    Need: percentage points (the denominators are not in the data).
    """
    spec = std.county_check(ref)
    if spec is None:
        return [], f"标准 {std.name} 未设定第 {ref} 项的阈值"
    out = []
    for part in spec.parts:
        fname = part.field
        label = aliases.county_fields[fname].label if fname in aliases.county_fields else fname
        op, bound = (">=", part.min) if part.min is not None else ("<=", part.max)
        word = "≥" if op == ">=" else "<"
        full_label = f"{label}（{word}{bound * 100:g}%）" if bound <= 1 else label
        value = data.county_figures.get(fname)
        common = dict(part=fname, label=full_label, school=data.county_id.area_word, code="", stage="", unit="%",
                      op=op, level="county", standard=bound * 100)
        if value is None:
            out.append(Finding(item=item, status=NO_DATA, current=None, note=f"未提供{label}", **common))
            continue
        if value > 1:
            out.append(Finding(item=item, status=NO_DATA, current=None,
                               note=f"{label}为 {value:g}，大于 1，疑为百分数未换算为比例，未使用", **common))
            continue
        gap = (bound - value) if op == ">=" else (value - bound)
        # 31's 差异率 must be *below* 0.15: reaching it exactly is not enough.
        unmet = gap_positive(gap) or (op == "<=" and round(gap, 9) == 0)
        out.append(Finding(item=item, status=UNMET if unmet else MET, current=value * 100,
                           need=Need(max(round_up(gap * 100, 0.01), 0.01), "个百分点", "", "差")
                           if unmet else None, **common))
    return out, ""


# ------------------------------------------------------------------ resource indicators 1–7
def split_share(splits: list[Split], sec: Section, fields: set[str]) -> Share | None:
    """The share of a whole-school amount that reaches ``sec`` when one of ``fields`` (an
    indicator's numerator or its parts) was given for the whole school and split: w·P / Σ w·P."""
    for sp in splits:
        if sp.school != sec.school or sp.field not in fields:
            continue
        weights = dict(sp.weights)
        students = {stage: p for stage, p, _ in sp.shares}
        if sec.stage not in students or sum(weights[s] * p for s, p in students.items()) <= 0:
            continue
        share = split_amount(1.0, students, weights)[sec.stage]
        return Share(share, STAGE_LABEL.get(sec.stage, sec.stage), weights_text(weights))
    return None


def _school_value(r: ind_mod.SectionResult, ind, share: Share | None = None) -> SchoolValue:
    sec, value = r.section, r.values[ind.id]
    numerator = sec.values.get(ind.numerator, value * sec.students / ind.scale)
    return SchoolValue(sec.school, sec.code, sec.stage, sec.students, value, numerator, share)


def check_resource(item: str, ind_id: int, evaluation: ind_mod.Evaluation | None,
                   aliases: Aliases | None = None) -> list[Finding]:
    """Items 1–7 from the evaluation: every section, the county value and the CV per stage.

    A section short of the standard is unmet even when it is ≥ 85 % (the task list asks
    "全区和所有小学…达到"); the 85 % floor only matters for 第六条 and is in ``note``.
    """
    if evaluation is None:
        return []
    std = evaluation.standard
    ind = std.indicator(ind_id)
    fields = {ind.numerator} | {p for opt in (aliases.composites.get(ind.numerator, ()) if aliases else ())
                                for p in opt}
    splits = evaluation.data.splits

    def value_of(r: ind_mod.SectionResult) -> SchoolValue:
        return _school_value(r, ind, split_share(splits, r.section, fields))

    out = []
    for stage, st in evaluation.stages.items():
        summary = next(s for s in st.indicators if s.indicator.id == ind_id)
        standard = summary.standard
        for r in st.sections:
            sec, status, value = r.section, r.statuses[ind_id], r.values[ind_id]
            if status == ind_mod.NO_DATA:
                out.append(_no_data(item, sec, "", ind.name, ind.unit, ind.short + "数据",
                                    standard=standard))
                continue
            unmet = status != ind_mod.MET
            sv = value_of(r)
            out.append(_finding(
                item, sec, part="", label=ind.name, status=UNMET if unmet else MET, current=value,
                standard=standard, unit=ind.unit, note=ind_mod.status_label(status, evaluation.standard.pass_rule.floor_ratio) if unmet else "",
                need=resource_need(ind, standard, sec.students, sv.numerator, sv.share) if unmet else None))
        with_data = [value_of(r) for r in st.sections if r.values[ind_id] is not None]
        area = evaluation.data.county_id.area_word
        county_common = dict(school=area, code="", stage=stage, level="county")
        if summary.county_value is None:
            out.append(Finding(item=item, part="county", label=f"{ind.name}（{area}）", status=NO_DATA,
                               current=None, standard=standard, unit=ind.unit, **county_common))
            continue
        ok = summary.county_ok
        total_students = sum(s.students for s in with_data)
        total_numerator = sum(s.numerator for s in with_data)
        out.append(Finding(
            item=item, part="county", label=f"{ind.name}（{area}{STAGE_LABEL[stage]}）",
            status=MET if ok else UNMET, current=summary.county_value, standard=standard,
            unit=ind.unit,
            need=None if ok else resource_need(ind, standard, total_students, total_numerator),
            note="" if summary.complete else "部分学校未提供数据，按已有数据计算", **county_common))
        cv = summary.cv_value
        plan = None
        if cv is not None and not summary.cv_ok:
            plan = cv_fix_plan(ind, stage, with_data, summary.cv_limit)
        note = "临界（与限值相差不超过 %g）" % std.cv.critical_margin if summary.critical(std.cv.critical_margin) else ""
        detail = ""
        if plan is not None:
            detail = plan.summary_text() + "\n" + plan.detail_text()
        out.append(Finding(
            item=item, part="cv", label=f"{ind.name}差异系数（{STAGE_LABEL[stage]}≤{summary.cv_limit:g}）",
            status=NO_DATA if cv is None else (MET if summary.cv_ok else UNMET), current=cv,
            standard=summary.cv_limit, unit="", op="<=", need=plan.total if plan else None,
            note=note, detail=detail, plan=plan, **county_common))
    return out


# ------------------------------------------------------------------ all items
def run_checks(data: CountyData, rules: Rules, evaluation: ind_mod.Evaluation | None = None) -> ChecksResult:
    """Status and findings of every task-list item of ``rules.tasks`` for one county.

    Sections checked: those with students > 0 (as in ``indicators.evaluate``). Items 1–7
    need ``evaluation``; without it they are no_data. Manual items are no_data (人工核查);
    B items are to_score.
    """
    std, tasks, aliases = rules.standard, rules.tasks, rules.aliases
    sections = [s for s in data.sections if s.students > 0 and s.stage in STAGES]
    items: dict[str, ItemCheck] = {}
    for task in tasks.items:
        kind, ref = task.check.kind, task.check.ref
        note = ""
        if kind == "scored":
            items[task.id] = ItemCheck(task, TO_SCORE, note="B类指标，待评分")
            continue
        if kind == "manual":
            items[task.id] = ItemCheck(task, NO_DATA, note="无可计算的数据，需人工核查")
            continue
        if kind == "indicator":
            findings = check_resource(task.id, int(ref), evaluation, aliases)
        elif kind == "school":
            findings = SCHOOL_CHECK_FUNCS[ref](task.id, sections, std, splits=data.splits,
                                               aliases=aliases)
        else:
            findings, note = check_county(task.id, ref, data, std, aliases)
        status = _item_status(findings)
        if status == NO_DATA and findings and not note:
            note = "部分学校或项目未提供数据" if any(f.status != NO_DATA for f in findings) else "未提供数据"
        items[task.id] = ItemCheck(task, status, findings, note)
    return ChecksResult(items, std.name)


def checks_summary(result: ChecksResult) -> dict[str, dict]:
    """summary.json ``checks``: {"<item id>": {"status": …, "schools_unmet": int}} for every item."""
    return {item_id: {"status": chk.status, "schools_unmet": chk.schools_unmet}
            for item_id, chk in result.items.items()}
