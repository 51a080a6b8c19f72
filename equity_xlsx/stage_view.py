"""One stage's 资源配置 verdict and its reasons, read one way for every output (pure).

概览 (its cached values beside the formulas), the county brief, the city brief, 市级汇总 (汇总 and
趋势) and the county's 趋势 sheet all show a stage's verdict; they take it from ``StageView``,
so one stage can never read 未达标 in one place and 数据不全 in another.

The verdict follows 办法 第六条 as the 概览 formula computes it:

* 达标 — the stage passed (every school section passes and every CV is within its limit);
* 未达标 — a school section fails, or a CV is over its limit;
* 数据不全 — neither, yet it did not pass (a CV could not be computed);
* 未提供数据 — no such stage, or nothing known of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Verdict
from .outcome import StageOutcome

# How each verdict is coloured in the briefs (their CSS classes).
CSS = {Verdict.MET: "ok", Verdict.UNMET: "bad", Verdict.INCOMPLETE: "bad", Verdict.NO_DATA: "na"}


@dataclass(frozen=True)
class StageView:
    """A stage's verdict and the facts behind it: schools and students, schools passing and
    failing (None: not known), the indicator ids whose CV is over its limit, and how many of
    the stage's indicators have no CV."""

    verdict: Verdict
    present: bool = False
    schools: int | None = None
    students: int | None = None
    passing: int | None = None
    failing: int | None = None
    cv_over: tuple[str, ...] = ()
    cv_missing: int = 0

    @classmethod
    def of(cls, stage: StageOutcome | None) -> StageView:
        """The view of ``stage`` (None: the county has no such stage)."""
        if stage is None:
            return cls(Verdict.NO_DATA)
        over = tuple(stage.cv_over_limit)
        failing = stage.schools_failing
        if stage.resource_pass is True:
            verdict = Verdict.MET
        elif failing or over:
            verdict = Verdict.UNMET
        elif stage.resource_pass is None:
            verdict = Verdict.NO_DATA
        else:
            verdict = Verdict.INCOMPLETE
        missing = sum(1 for ind in stage.indicators.values() if ind.cv is None)
        return cls(verdict, True, stage.schools, stage.students, stage.schools_passing, failing, over, missing)

    @property
    def css(self) -> str:
        """ok / bad / na: how the briefs colour the verdict."""
        return CSS.get(self.verdict, "na")

    @property
    def failing_text(self) -> str:
        """未达标学校 N 所 (0 when none or unknown)."""
        return f"未达标学校 {self.failing or 0} 所"

    @property
    def cv_over_text(self) -> str:
        """超限差异系数 N 项."""
        return f"超限差异系数 {len(self.cv_over)} 项"

    def reasons(self) -> list[str]:
        """Why the stage has not passed, each reason that applies: 未达标学校 N 所, 超限差异系数 N
        项, 差异系数未提供数据 N 项. Empty when it passed (or nothing is known of it)."""
        if self.verdict is Verdict.MET or not self.present:
            return []
        parts = []
        if self.failing:
            parts.append(self.failing_text)
        if self.cv_over:
            parts.append(self.cv_over_text)
        if self.cv_missing:
            parts.append(f"差异系数未提供数据 {self.cv_missing} 项")
        return parts
