"""Pure: the seven 资源配置 indicators per school section, the pass rule, county values and CVs.

Nothing here opens a file or knows about Excel. The report writes the same arithmetic as
formulas; keep the two in step (value = numerator × scale / students, ratios compared
after rounding to ``RATIO_DECIMALS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cv import WeightedCV, weighted_cv
from .model import STAGES, CountyData, Section, Verdict
from .standards import Indicator, Standard

# Ratios value/standard are compared after rounding to this many decimals, so a value
# exactly at a standard (or at exactly 85 %) is not lost to binary floating point. The
# report's formulas use ROUND(…, RATIO_DECIMALS) the same way.
RATIO_DECIMALS = 9

MET, NEAR, BELOW, NO_DATA = "met", "near", "below", "no_data"
def status_label(status: str, floor_ratio: float) -> str:
    """A section status in words, the floor worded from the pass rule: 未达标（≥85%）."""
    floor = f"{floor_ratio * 100:g}%"
    return {MET: Verdict.MET.value, NEAR: f"{Verdict.UNMET}（≥{floor}）", BELOW: f"{Verdict.UNMET}（<{floor}）",
            NO_DATA: Verdict.NO_DATA.value}[status]


def indicator_value(section: Section, ind: Indicator) -> float | None:
    """The indicator for one section in its own unit (per 100 students, m², 元), or None.

    None when the numerator was not provided or students is not positive.
    """
    num = section.values.get(ind.numerator)
    students = section.values.get("students")
    if num is None or not students or students <= 0:
        return None
    return num * ind.scale / students


def ratio_to_standard(value: float, standard: float) -> float:
    return round(value / standard, RATIO_DECIMALS)


def status(value: float | None, standard: float, floor_ratio: float) -> str:
    if value is None:
        return NO_DATA
    r = ratio_to_standard(value, standard)
    if r >= 1:
        return MET
    return NEAR if r >= floor_ratio else BELOW


def passes(statuses: list[str], min_met: int) -> bool:
    """办法 第六条: ≥ ``min_met`` met and every other one at least the floor ratio (NEAR)."""
    met = statuses.count(MET)
    return met >= min_met and all(s in (MET, NEAR) for s in statuses)


@dataclass
class SectionResult:
    section: Section
    values: dict[int, float | None]
    statuses: dict[int, str]
    met: int
    passes: bool


@dataclass
class IndicatorSummary:
    indicator: Indicator
    standard: float
    county_value: float | None
    cv: WeightedCV | None
    cv_limit: float
    schools_meeting: int
    schools_with_data: int
    schools: int

    @property
    def complete(self) -> bool:
        return self.schools_with_data == self.schools and self.schools > 0

    @property
    def cv_value(self) -> float | None:
        return self.cv.cv if self.cv else None

    @property
    def cv_ok(self) -> bool | None:
        if self.cv_value is None:
            return None
        return self.cv_value <= self.cv_limit

    @property
    def county_ok(self) -> bool | None:
        if self.county_value is None:
            return None
        return ratio_to_standard(self.county_value, self.standard) >= 1

    def critical(self, margin: float) -> bool:
        return self.cv_value is not None and abs(self.cv_value - self.cv_limit) <= margin

    @property
    def verdict(self) -> str:
        """达标 / 未达标 / 未提供数据 / 数据不全 for the county on this indicator."""
        if self.schools_with_data == 0:
            return Verdict.NO_DATA.value
        if self.cv_ok is False or self.county_ok is False:
            return Verdict.UNMET.value
        if not self.complete:
            return Verdict.INCOMPLETE.value
        return Verdict.MET.value

    def conclusion(self, area_word: str) -> str:
        """The 结论 shown for the county on this indicator: ``verdict``, except that a county
        whose value and CV pass while some schools fall short is never called plain 达标 —
        it reads 全县值达标（5/7 校达标） (``area_word``: 全县 / 全区 …)."""
        verdict = self.verdict
        if verdict == Verdict.MET and self.schools_meeting < self.schools:
            return f"{area_word}值达标（{self.schools_meeting}/{self.schools} 校达标）"
        return verdict


@dataclass
class StageResult:
    stage: str
    sections: list[SectionResult]
    indicators: list[IndicatorSummary]

    @property
    def students(self) -> float:
        return sum(r.section.students for r in self.sections)

    @property
    def schools_passing(self) -> int:
        return sum(1 for r in self.sections if r.passes)

    @property
    def schools_failing(self) -> list[SectionResult]:
        """Sections that fail 第六条 (a section missing a value fails: it cannot be shown to pass)."""
        return [r for r in self.sections if not r.passes]

    @property
    def cv_over_limit(self) -> list[int]:
        """Indicator ids whose CV is above its limit."""
        return [s.indicator.id for s in self.indicators if s.cv_ok is False]

    @property
    def resource_pass(self) -> bool:
        """办法 第六条 for the stage: every school section passes and every CV is within its limit.

        A CV that cannot be computed (no school has the data) is not within its limit.
        """
        return bool(self.sections) and not self.schools_failing and all(s.cv_ok is True for s in self.indicators)


@dataclass
class Evaluation:
    data: CountyData
    standard: Standard
    stages: dict[str, StageResult] = field(default_factory=dict)

    @property
    def sections(self) -> list[SectionResult]:
        return [r for st in self.stages.values() for r in st.sections]


def evaluate_section(section: Section, std: Standard) -> SectionResult:
    values, statuses = {}, {}
    for ind in std.indicators:
        value = indicator_value(section, ind)
        values[ind.id] = value
        statuses[ind.id] = status(value, ind.standard[section.stage], std.pass_rule.floor_ratio)
    ordered = list(statuses.values())
    return SectionResult(section, values, statuses, ordered.count(MET), passes(ordered, std.pass_rule.min_met))


def summarise_indicator(results: list[SectionResult], ind: Indicator, stage: str,
                        std: Standard) -> IndicatorSummary:
    with_data = [r for r in results if r.values[ind.id] is not None]
    weights = [r.section.students for r in with_data]
    values = [r.values[ind.id] for r in with_data]
    wcv = weighted_cv(weights, values) if with_data else None
    return IndicatorSummary(
        indicator=ind,
        standard=ind.standard[stage],
        county_value=wcv.mean if wcv else None,
        cv=wcv,
        cv_limit=std.cv.limit[stage],
        schools_meeting=sum(1 for r in results if r.statuses[ind.id] == MET),
        schools_with_data=len(with_data),
        schools=len(results),
    )


def evaluate(data: CountyData, std: Standard) -> Evaluation:
    """Evaluate every included section of a county against ``std``, stage by stage.

    The county value of an indicator is the enrolment-weighted mean X̄, which equals the
    county's total resource over its total students (× scale).
    """
    ev = Evaluation(data, std)
    for stage in STAGES:
        sections = [s for s in data.sections if s.stage == stage and s.students > 0]
        if not sections:
            continue
        results = [evaluate_section(s, std) for s in sections]
        summaries = [summarise_indicator(results, ind, stage, std) for ind in std.indicators]
        ev.stages[stage] = StageResult(stage, results, summaries)
    return ev
