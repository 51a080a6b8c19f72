"""Pure: how much must be added to close a gap, in real units, and the CV-fix plan.

Rounding, decided once here and used by every check and the 整改台账:

* Every amount is rounded **up**, so the listed amount is always enough to meet the standard.
* 人, 间, 班 are whole by nature. m² and 元 are also rounded up to a whole m² / 元: building
  plans and budgets are written in whole units, and less than 1 m² or 1 元 never decides a
  verdict. Percentage points (county ratios) are rounded up to 0.01.
* Before rounding up, the exact amount is rounded to 6 decimals, so binary noise
  (4.2 × 500 / 100 = 21.000000000000004) does not add a teacher.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .cv import cv_fix, weighted_cv
from .display import honest_text
from .indicators import ratio_to_standard
from .standards import Indicator

NOISE_DECIMALS = 6


def round_up(amount: float, step: float = 1.0) -> float:
    """``amount`` rounded up to a multiple of ``step`` (never below 0)."""
    if amount <= 0:
        return 0.0
    units = math.ceil(round(amount / step, NOISE_DECIMALS))
    return round(units * step, NOISE_DECIMALS)


def gap_positive(amount: float) -> bool:
    """True when an exact shortfall is really above zero, not float noise."""
    return round(amount, NOISE_DECIMALS) > 0


def fmt_number(value: float, decimals: int = 0) -> str:
    if decimals == 0 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")


def wan_yuan(yuan: float) -> float:
    """元 → 万元, rounded up to 0.01 万元 (so it is never less than the 元 amount)."""
    return round_up(yuan / 10000, 0.01)


@dataclass(frozen=True)
class Need:
    """What must be added: ``amount`` (≥ 0, rounded up) of ``unit`` (人, m², 元, 间, 班, 个百分点).

    ``text`` is the Chinese phrase for the 需补足 column, e.g. "需补足教师 3 人",
    "需补足教学仪器设备值 12,345 元（约 1.24 万元）", "需分流学生 40 人".
    """

    amount: float
    unit: str
    what: str
    verb: str = "需补足"
    note: str = ""  # how the amount reaches the section, e.g. through a 一贯制 school's split

    @property
    def text(self) -> str:
        decimals = 2 if self.unit == "个百分点" else 0
        out = f"{self.verb}{self.what} {fmt_number(self.amount, decimals)} {self.unit}"
        if self.unit == "元":
            out += f"（约 {wan_yuan(self.amount):,.2f} 万元）"
        return out + (f"（{self.note}）" if self.note else "")


def amount_to_reach(target: float, students: float, scale: float, numerator: float) -> float:
    """Exact amount of the numerator to add so numerator × scale / students reaches ``target``."""
    return target * students / scale - numerator


@dataclass(frozen=True)
class Share:
    """The part of an amount added to a whole school that reaches one of its sections: a
    一贯制 school's facilities are given once and split by weighted students (domain §3), so
    adding x m² to the school adds ``fraction`` · x to this section. ``fraction`` =
    w·P / Σ w·P; ``text`` says how, e.g. "小学:初中 = 1:1.1"."""

    fraction: float
    stage_label: str
    text: str


def reaches(ind: Indicator, target: float, students: float, numerator: float) -> bool:
    """True when ``numerator`` × scale / students meets ``target`` by the verdicts' own rule
    (the ratio to the standard rounded to ``indicators.RATIO_DECIMALS``)."""
    return students > 0 and ratio_to_standard(numerator * ind.scale / students, target) >= 1


def resource_need(ind: Indicator, target: float, students: float, numerator: float,
                  share: Share | None = None) -> Need:
    """Real-unit need for a 资源配置 indicator: teachers 人, m², 元, 多媒体教室 间.

    Per-100 indicators: need = ceil(target × students / 100 − current), e.g. 4.2 人/百生,
    500 students, 18 teachers → 21 − 18 = 3 人. Per-student ones: target × students − amount.
    With a ``share`` (a split whole-school amount) the need is what the whole school must add:
    the section's need ÷ its share, rounded up. Either way the amount is checked the way the
    verdict is made, and raised by whole units until the section really meets ``target``.
    """
    fraction = share.fraction if share is not None else 1.0
    amount = round_up(amount_to_reach(target, students, ind.scale, numerator) / fraction)
    while amount > 0 and not reaches(ind, target, students, numerator + amount * fraction):
        amount += 1
    note = ""
    if share is not None:
        note = (f"为全校数：按{share.text}拆分，{share.stage_label}部得 "
                f"{fmt_number(amount * fraction, 2)} {ind.shortfall.unit}")
    return Need(amount, ind.shortfall.unit, ind.shortfall.what, note=note)


@dataclass(frozen=True)
class CVRaise:
    """One school raised in a CV-fix plan. Values in the indicator's unit; need in real units."""

    school: str
    code: str
    stage: str
    students: float
    before: float  # indicator value now
    target: float  # the floor L
    need: Need  # amount to add to reach L, rounded up
    after: float  # value after adding ``need`` (≥ target)


@dataclass(frozen=True)
class CVFixPlan:
    """Raise every school below the floor L to L (L the smallest that brings the CV ≤ limit).

    ``cv_at_floor`` is the CV with values raised exactly to L; ``cv_after`` the CV after the
    whole-unit amounts actually listed (those are what a county would do).
    """

    indicator: int
    stage: str
    limit: float
    cv_before: float
    floor: float
    cv_at_floor: float
    cv_after: float
    raises: tuple[CVRaise, ...]
    total: Need

    def detail_text(self, decimals: int = 3) -> str:
        """One line per raised school: "学校：现值 → L，需补足教师 2 人"; a 现值 below L never
        reads as L (5.7996 → 5.8 shows "5.7996 → 5.800", not "5.800 → 5.800")."""
        return "\n".join(
            f"{r.school}：{honest_text(r.before, r.target, decimals, thousands=False)} → "
            f"{r.target:.{decimals}f}，{r.need.text}"
            for r in self.raises
        )

    def summary_text(self, decimals: int = 3) -> str:
        """"将低于 L 的 n 所学校提高到 L，差异系数由 0.5004 降到 0.478："; the CV before, over
        its limit, never reads as within it (0.5004, not "0.500" beside 0.50)."""
        before = honest_text(self.cv_before, self.limit, decimals, at_least=False, thousands=False)
        return (f"将低于 {self.floor:.{decimals}f} 的 {len(self.raises)} 所学校提高到 {self.floor:.{decimals}f}，"
                f"差异系数由 {before} 降到 {self.cv_after:.{decimals}f}：")


@dataclass(frozen=True)
class SchoolValue:
    """Input to the CV-fix plan: one school section with data on the indicator."""

    school: str
    code: str
    stage: str
    students: float
    value: float  # indicator value (per 100 students, m², 元 per student)
    numerator: float  # the resource itself (teachers, m², 元, rooms)
    share: Share | None = None  # a whole-school amount split between sections (一贯制)


def cv_fix_plan(ind: Indicator, stage: str, schools: Sequence[SchoolValue],
                limit: float) -> CVFixPlan | None:
    """The CV-fix plan of one indicator and stage, or None when the CV is within ``limit``.

    Uses ``cv.cv_fix`` for the floor L (bisection), then turns each raise into real units.
    """
    weights = [s.students for s in schools]
    values = [s.value for s in schools]
    fix = cv_fix(weights, values, limit)
    if fix is None:
        return None
    raises = []
    after = list(values)
    for r in fix.raises:
        s = schools[r.index]
        need = resource_need(ind, fix.floor, s.students, s.numerator, s.share)
        fraction = s.share.fraction if s.share is not None else 1.0
        value_after = (s.numerator + need.amount * fraction) * ind.scale / s.students
        after[r.index] = value_after
        raises.append(CVRaise(s.school, s.code, s.stage, s.students, s.value, fix.floor, need,
                              value_after))
    raises.sort(key=lambda r: (r.before, r.school))
    total = Need(sum(r.need.amount for r in raises), ind.shortfall.unit, ind.shortfall.what)
    return CVFixPlan(
        indicator=ind.id,
        stage=stage,
        limit=limit,
        cv_before=weighted_cv(weights, values).cv or 0.0,
        floor=fix.floor,
        cv_at_floor=fix.cv_after,
        cv_after=weighted_cv(weights, after).cv or 0.0,
        raises=tuple(raises),
        total=total,
    )
