"""The weighted 差异系数 against the published example and hand calculation (domain.md §2)."""

import math

import pytest

from equity_xlsx.cv import cv_fix, weighted_cv

# Published worked example: 5 小学, students and books.
STUDENTS = [45, 37, 89, 76, 55]
BOOKS = [279, 137, 935, 160, 402]


def test_cv_matches_published_example():
    values = [b / p for b, p in zip(BOOKS, STUDENTS)]
    result = weighted_cv(STUDENTS, values)
    # X̄ = Σbooks / Σstudents = 1913 / 302
    assert result.mean == pytest.approx(1913 / 302)
    assert result.cv == pytest.approx(0.5153, abs=5e-5)
    assert round(result.cv, 2) == 0.52


def test_unweighted_forms_are_not_what_we_compute():
    values = [b / p for b, p in zip(BOOKS, STUDENTS)]
    cv = weighted_cv(STUDENTS, values).cv
    # The two wrong (unweighted) forms quoted in domain.md.
    assert abs(cv - 0.489) > 0.02 and abs(cv - 0.546) > 0.02


def test_cv_by_hand_three_schools():
    # X = 8, 6, 8 m² with P = 500, 300, 200: X̄ = 7.4, Σ P(X−X̄)² = 180 + 588 + 72 = 840,
    # S = sqrt(0.84), CV = sqrt(0.84) / 7.4.
    result = weighted_cv([500, 300, 200], [8.0, 6.0, 8.0])
    assert result.total_weight == 1000
    assert result.weighted_sum == pytest.approx(7400)
    assert result.sum_sq == pytest.approx(840)
    assert result.cv == pytest.approx(math.sqrt(0.84) / 7.4)


def test_equal_values_give_zero_cv():
    assert weighted_cv([10, 20], [3.0, 3.0]).cv == 0


def test_cv_fix_brings_cv_to_limit_and_not_less_is_enough():
    values = [b / p for b, p in zip(BOOKS, STUDENTS)]
    fix = cv_fix(STUDENTS, values, 0.45)
    assert fix is not None
    raised = [max(x, fix.floor) for x in values]
    assert weighted_cv(STUDENTS, raised).cv <= 0.45
    # A floor 1 % lower is not enough: the floor is the smallest that works.
    lower = [max(x, fix.floor * 0.99) for x in values]
    assert weighted_cv(STUDENTS, lower).cv > 0.45
    # Only schools below the floor are raised, each to the floor.
    assert all(r.before < fix.floor and r.after == fix.floor for r in fix.raises)
    assert {r.index for r in fix.raises} == {i for i, x in enumerate(values) if x < fix.floor}


def test_cv_fix_none_when_within_limit():
    assert cv_fix([500, 300, 200], [8.0, 6.0, 8.0], 0.5) is None
