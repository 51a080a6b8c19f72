"""Pure: the enrolment-weighted coefficient of variation (差异系数) and the CV-fix plan.

The published method (domain.md §2), population form::

    X̄ = Σ P_i·X_i / Σ P_i        S = sqrt(Σ P_i·(X_i − X̄)² / Σ P_i)        CV = S / X̄
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class WeightedCV:
    total_weight: float  # Σ P_i (students)
    weighted_sum: float  # Σ P_i·X_i
    mean: float  # X̄
    sum_sq: float  # Σ P_i·(X_i − X̄)²
    sd: float  # S
    cv: float | None  # None when X̄ is 0 (CV undefined)


def weighted_cv(weights: Sequence[float], values: Sequence[float]) -> WeightedCV:
    """CV of ``values`` weighted by ``weights`` (students); every weight must be > 0."""
    if len(weights) != len(values) or not weights:
        raise ValueError("weights and values must be non-empty and of equal length")
    total = math.fsum(weights)
    wsum = math.fsum(p * x for p, x in zip(weights, values))
    mean = wsum / total
    sum_sq = math.fsum(p * (x - mean) ** 2 for p, x in zip(weights, values))
    sd = math.sqrt(sum_sq / total)
    return WeightedCV(total, wsum, mean, sum_sq, sd, sd / mean if mean else None)


@dataclass(frozen=True)
class Raise:
    """One school's raise in a CV-fix plan: value ``before`` → ``after`` (indicator units)."""

    index: int
    before: float
    after: float


@dataclass(frozen=True)
class CVFix:
    floor: float  # L: every school below it is raised to it
    cv_after: float
    raises: tuple[Raise, ...]


def cv_fix(weights: Sequence[float], values: Sequence[float], limit: float,
           tolerance: float = 1e-9) -> CVFix | None:
    """Smallest floor L such that raising every value below L to L brings the CV ≤ ``limit``.

    Returns None when the CV is already within the limit. Raising the weakest schools to a
    common floor lowers the spread monotonically as L grows (up to the top value, where
    the CV is 0), so L is found by bisection on [min value, max value]. The returned L is
    the upper end of the final bracket, so the CV after the raise is at or under the limit.
    """
    current = weighted_cv(weights, values).cv
    if current is None or current <= limit:
        return None

    def cv_at(floor: float) -> float:
        raised = [max(x, floor) for x in values]
        result = weighted_cv(weights, raised).cv
        return 0.0 if result is None else result

    lo, hi = min(values), max(values)
    while hi - lo > tolerance * max(1.0, abs(hi)):
        mid = (lo + hi) / 2
        if cv_at(mid) <= limit:
            hi = mid
        else:
            lo = mid
    raises = tuple(Raise(i, x, hi) for i, x in enumerate(values) if x < hi)
    return CVFix(floor=hi, cv_after=cv_at(hi), raises=raises)
