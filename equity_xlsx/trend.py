"""The trend over time, and the plain-dict views the roll-up and the brief are made from (pure).

Every run stores the county's result (summary.json's entry) with the year its data describes
(``runs.data_year``). The trend is one point per county and data year — the latest run of
that year, so re-running a year replaces its point — with per stage the 7 CVs, the county
values, schools passing, the verdict, and the ledger counts at that run.

A trend row (the roll-up's and the 趋势 sheet's contract)::

    {"county": "大祥区", "county_code": "430503" | None, "data_year": 2025,
     "run_at": "2026-11-23 22:30:00",
     "stages": {"primary": {"cv": {"1": 0.09, …}, "county_value": {"1": 5.5, …},
                            "schools": 16, "schools_passing": 4, "resource_pass": False}, …},
     "ledger_open": 40, "ledger_closed": 3}
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Iterable

from .identity import CountyId
from .indicators import Evaluation
from .outcome import CountyOutcome
from .standards import Standard


def evaluation_entry(ev: Evaluation, county: CountyId) -> dict:
    """The summary.json keys an evaluation gives (county, stages, schools), for a trend point."""
    outcome = CountyOutcome(input=ev.data.file, county=county.name, county_code=county.code)
    outcome.take_evaluation(ev)
    return outcome.to_json()


def trend_row(entry: dict, data_year: int, run_at: dt.datetime | str) -> dict:
    """One trend point from a county's summary.json entry."""
    stages = {}
    for stage, st in (entry.get("stages") or {}).items():
        inds = st.get("indicators") or {}
        stages[stage] = {
            "cv": {k: v.get("cv") for k, v in inds.items()},
            "county_value": {k: v.get("county_value") for k, v in inds.items()},
            "schools": st.get("schools"), "schools_passing": st.get("schools_passing"),
            "resource_pass": st.get("resource_pass"),
        }
    totals = entry.get("ledger_totals") or {}
    changes = entry.get("ledger_changes") or {}
    return {
        "county": entry.get("county"), "county_code": entry.get("county_code"), "data_year": data_year,
        "run_at": run_at if isinstance(run_at, str) else run_at.isoformat(sep=" ", timespec="seconds"),
        "stages": stages,
        "ledger_open": totals.get("open", changes.get("open")),
        "ledger_closed": totals.get("closed"),
    }


def rows_from_runs(records: Iterable) -> list[dict]:  # noqa: ANN001 - store.RunRecord
    """Trend rows from the store's year runs (one per county and data year)."""
    rows = []
    for rec in records:
        try:
            entry = json.loads(rec.outcome)
        except ValueError:
            continue
        rows.append(trend_row(entry, rec.data_year, rec.run_at))
    return rows


def with_point(rows: list[dict], point: dict) -> list[dict]:
    """``rows`` with ``point`` added, replacing the point of the same county and data year."""
    key = (point["county"], point["data_year"])
    kept = [r for r in rows if (r["county"], r["data_year"]) != key]
    return sorted([*kept, point], key=lambda r: (r["county"] or "", r["data_year"]))


def for_brief(rows: list[dict]) -> list[dict]:
    """The brief's trend contract (oldest first) from trend rows of one county."""
    return [{
        "data_year": r["data_year"], "run_date": (r.get("run_at") or "")[:10],
        "cv": {s: dict(v["cv"]) for s, v in r["stages"].items()},
        "schools_passing": {s: v.get("schools_passing") for s, v in r["stages"].items()},
        "schools": {s: v.get("schools") for s, v in r["stages"].items()},
        "ledger_open": r.get("ledger_open"), "ledger_closed": r.get("ledger_closed"),
    } for r in sorted(rows, key=lambda r: r["data_year"])]


def indicators_view(std: Standard) -> list[dict]:
    """The standard's 7 indicators as the brief and the roll-up list them."""
    return [{"id": ind.id, "name": ind.name, "short": ind.short, "unit": ind.unit, "standard": dict(ind.standard)}
            for ind in std.indicators]


def county_brief_data(entry: dict, std: Standard, county: CountyId, *, data_year: int | None, generated: str,
                      trend: list[dict], ledger: list[dict]) -> dict:
    """The county brief's input (``brief.render_county_brief``) from its summary.json entry,
    the open ledger lines (with ``need_text``) and its trend rows."""
    stages = {}
    for stage, st in (entry.get("stages") or {}).items():
        stages[stage] = {**{k: v for k, v in st.items() if k != "indicators"},
                         "indicators": {k: dict(v) for k, v in (st.get("indicators") or {}).items()}}
    return {
        "county": county.name, "county_code": county.code, "area_word": county.area_word,
        "standard_title": std.title, "data_year": data_year, "generated": generated,
        "indicators": indicators_view(std), "stages": stages, "schools": entry.get("schools") or [],
        "ledger": ledger, "trend": for_brief(trend),
    }
