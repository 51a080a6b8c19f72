"""The view across counties: 市级汇总.xlsx and 市级简报.html, from the counties' results.

Written at the end of a run that covers two or more counties (from that run's summary.json
entries), and by ``equity-xlsx rollup`` from the ledger store alone (each county's last run),
so a city sharing one PostgreSQL ledger sees every county without re-reading their files.
The trend (one point per county and data year) always comes from the store.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .brief import render_city_brief, write_brief
from .outputs import CITY_BRIEF, ROLLUP, atomic_write
from .identity import CountyId
from .rollup import write_rollup
from .rulebook import Rules
from .store import LedgerStore
from .trend import county_brief_data, indicators_view, rows_from_runs


def write_city(out_dir: Path, entries: list[dict], rules: Rules, store: LedgerStore, *,
               rollup_name: str = ROLLUP, generated: str | None = None) -> dict[str, str]:
    """Write the roll-up workbook and the city brief into ``out_dir``; returns their names
    (summary.json ``city``)."""
    generated = generated or datetime.now().strftime("%Y-%m-%d %H:%M")
    std = rules.standard
    trend = rows_from_runs(store.year_runs())
    atomic_write(out_dir / rollup_name, lambda tmp: write_rollup(tmp, entries, std, trend, generated))
    ok = [e for e in entries if e.get("status") == "ok"]
    years = sorted({e.get("data_year") for e in ok if e.get("data_year")})
    counties = []
    for e in ok:
        county = CountyId(e.get("county") or "", e.get("county_code"))
        mine = [r for r in trend if r.get("county") == county.name]
        counties.append(county_brief_data(e, std, county, data_year=e.get("data_year"), generated=generated,
                                          trend=mine, ledger=e.get("ledger") or []))
    data = {"city": city_of(ok, rules), "generated": generated, "standard_title": std.title,
            "data_year": years[-1] if years else None, "indicators": indicators_view(std), "counties": counties}
    write_brief(out_dir / CITY_BRIEF, render_city_brief(data))
    return {"rollup": rollup_name, "brief": CITY_BRIEF}


def city_of(entries: list[dict], rules: Rules) -> str:
    """The city the counties share (rules/counties.toml), else 全市."""
    known = [rules.counties.by_code(e.get("county_code") or "") for e in entries]
    cities = {k.city if k else "" for k in known}
    return cities.pop() if len(cities) == 1 and "" not in cities else "全市"


def entries_from_store(store: LedgerStore) -> list[dict]:
    """Each county's last result, as its summary.json entry."""
    out = []
    for record in store.last_runs():
        try:
            out.append(json.loads(record.outcome))
        except ValueError:
            continue
    return out

