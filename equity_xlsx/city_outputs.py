"""The cross-county outputs: 市级汇总.xlsx and 市级简报.html, from the counties' results.

Written at the end of a run that covers two or more counties (from that run's outcomes), and
by ``equity-xlsx rollup`` from the ledger store alone (each county's last run), so a city
sharing one PostgreSQL ledger sees every county without re-reading their files. The trend
(one point per county and data year) always comes from the store. The workbook itself is
``rollup_workbook``; the brief is ``brief``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .brief import CityBrief, CountyBrief, indicators_of, render_city_brief, write_brief
from .outputs import CITY_BRIEF, ROLLUP, atomic_write
from .identity import CountyId
from .outcome import CountyOutcome
from .rollup_workbook import write_rollup
from .rulebook import Rules
from .store import LedgerStore
from .trend import points_from_runs


def write_city_outputs(out_dir: Path, outcomes: list[CountyOutcome], rules: Rules, store: LedgerStore, *,
                       rollup_name: str = ROLLUP, generated: str | None = None) -> dict[str, str]:
    """Write the roll-up workbook and the city brief into ``out_dir``; returns their names
    (summary.json ``city``)."""
    generated = generated or datetime.now().strftime("%Y-%m-%d %H:%M")
    std = rules.standard
    trend = points_from_runs(store.year_runs())
    atomic_write(out_dir / rollup_name, lambda tmp: write_rollup(tmp, outcomes, std, trend, generated))
    ok = [o for o in outcomes if o.ok]
    years = sorted({o.data_year for o in ok if o.data_year})
    counties = []
    for o in ok:
        county = CountyId(o.county or "", o.county_code)
        mine = [p for p in trend if p.county == county.name]
        counties.append(CountyBrief.of(o, std, county, generated=generated, trend=mine))
    brief = CityBrief(city_of(ok, rules), generated, std.title, years[-1] if years else None, indicators_of(std),
                      counties)
    write_brief(out_dir / CITY_BRIEF, render_city_brief(brief))
    return {"rollup": rollup_name, "brief": CITY_BRIEF}


def city_of(outcomes: list[CountyOutcome], rules: Rules) -> str:
    """The city the counties share (rules/counties.toml), else 全市."""
    known = [rules.counties.by_code(o.county_code or "") for o in outcomes]
    cities = {k.city if k else "" for k in known}
    return cities.pop() if len(cities) == 1 and "" not in cities else "全市"


def outcomes_from_store(store: LedgerStore) -> list[CountyOutcome]:
    """Each county's last result, as the run stored it (read by ``CountyOutcome.from_json``)."""
    out = []
    for record in store.last_runs():
        try:
            out.append(CountyOutcome.from_json(json.loads(record.outcome)))
        except ValueError:
            continue
    return out
