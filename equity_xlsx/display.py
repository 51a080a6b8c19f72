"""Pure: how many decimals a number needs so that what people read matches the verdict.

A value is judged unrounded, but shown rounded: 5.797 m² fails 5.8, yet "5.80" beside "5.8"
reads as passing; a CV of 0.5004 fails 0.50, yet "0.500" reads as within it. Wherever a
value is shown beside the bound it is judged against (学校指标, 概览, 整改台账, the brief),
it gets the usual decimals, or more — as many as it takes for the rounded value to fall on
the failing side of the bound.

Rounding is as a spreadsheet displays it: half away from zero on the value's first 15
significant digits (so 5.795 shows as 5.80, not 5.79 as Python's binary ``round`` gives).
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal

MOST_DECIMALS = 9
HUGE = 1e15  # beyond this, a float has no decimals left to show


def shown(value: float, decimals: int) -> Decimal:
    """``value`` as a spreadsheet shows it with ``decimals`` decimals."""
    return Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def honest_decimals(value: float | None, bound: float | None, decimals: int, *, at_least: bool = True) -> int:
    """The fewest decimals, from ``decimals`` up, at which a failing ``value`` still reads as
    failing ``bound``.

    ``at_least``: the value must be ≥ the bound (an indicator against its standard);
    False: ≤ (a CV against its limit). A value that passes, or None, keeps ``decimals``.
    At most ``MOST_DECIMALS``: the verdicts compare ratios at 9 decimals, so a value that
    fails differs from its bound within that many.
    """
    if value is None or bound is None or not (abs(value) < HUGE and abs(bound) < HUGE):
        return decimals  # no real indicator comes near; nothing to tell apart (and NaN is no number)
    fails = value < bound if at_least else value > bound
    if not fails:
        return decimals
    limit = Decimal(f"{bound:.15g}")
    for d in range(decimals, MOST_DECIMALS + 1):
        rounded = shown(value, d)
        if (rounded < limit) if at_least else (rounded > limit):
            return d
    return MOST_DECIMALS


def gap_decimals(value: float | None, bound: float | None, decimals: int) -> int:
    """``honest_decimals`` for a value on a gap line (整改台账, 未达标学校), whose side of its
    bound says which way it fails: under its bound it fails a standard to be met (5.7993
    beside 5.8), over it a limit not to exceed (a CV of 0.50004 beside 0.5)."""
    if value is None or bound is None:
        return decimals
    return honest_decimals(value, bound, decimals, at_least=value < bound)


def gap_above_zero_decimals(shortfall: float | None, decimals: int) -> int:
    """The fewest decimals, from ``decimals`` up, at which a gap above 0 never reads as 0."""
    return honest_decimals(shortfall, 0.0, decimals, at_least=False)


def honest_text(value: float, bound: float | None, decimals: int, *, at_least: bool = True,
                thousands: bool = True) -> str:
    """``value`` as text with ``honest_decimals`` decimals (thousands separated)."""
    d = honest_decimals(value, bound, decimals, at_least=at_least)
    text = f"{shown(value, d):,.{d}f}" if thousands else f"{shown(value, d):.{d}f}"
    return text


def text_width(text: object) -> int:
    """Display width of ``text`` in Excel character units: CJK (wide) characters count 2.

    For a multi-line text the widest line counts.
    """
    if text is None:
        return 0
    best = 0
    for line in str(text).split("\n"):
        w = 0
        for ch in line:
            w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        best = max(best, w)
    return best
