"""The trend over time: one point per county and data year (pure).

Every run stores the county's result (summary.json's entry) with the year its data describes
(``runs.data_year``). The trend is one ``outcome.TrendPoint`` per county and data year — the
latest run of that year, so re-running a year replaces its point — with the county's stages
(the 7 CVs, the county values, schools passing, the verdict) and the ledger counts at that run.
Older runs are read through ``CountyOutcome.from_json``, like every stored result.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Iterable

from .identity import CountyId
from .indicators import Evaluation
from .outcome import CountyOutcome, TrendPoint


def run_time(run_at: dt.datetime | str) -> str:
    """A run's time as the trend shows it: "YYYY-MM-DD HH:MM:SS"."""
    return run_at if isinstance(run_at, str) else run_at.isoformat(sep=" ", timespec="seconds")


def evaluation_point(ev: Evaluation, county: CountyId, data_year: int, run_at: dt.datetime | str) -> TrendPoint:
    """The point an evaluation alone gives (a workbook written outside a run: no ledger counts)."""
    outcome = CountyOutcome(input=ev.data.file, county=county.name, county_code=county.code)
    outcome.take_evaluation(ev)
    return outcome.trend_point(data_year, run_time(run_at))


def points_from_runs(records: Iterable) -> list[TrendPoint]:  # noqa: ANN001 - store.RunRecord
    """Trend points from the store's year runs (one per county and data year)."""
    points = []
    for rec in records:
        try:
            doc = json.loads(rec.outcome)
        except ValueError:
            continue
        points.append(CountyOutcome.from_json(doc).trend_point(rec.data_year, run_time(rec.run_at)))
    return points


def with_point(points: list[TrendPoint], point: TrendPoint) -> list[TrendPoint]:
    """``points`` with ``point`` added, replacing the point of the same county and data year."""
    key = (point.county, point.data_year)
    kept = [p for p in points if (p.county, p.data_year) != key]
    return sorted([*kept, point], key=lambda p: (p.county or "", p.data_year))
