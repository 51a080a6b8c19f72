"""Write sample briefs (简报) from a run's summary.json, and optionally the README screenshot.

Run ``make run`` first, then:

    .venv/bin/python scripts/brief_sample.py [--summary out/summary.json] [--out out/简报]
                                             [--png docs/brief_sample.png]

The county data is what summary.json holds for each evaluated workbook, plus the standard's
indicator names. A stage passes when all its schools pass and no CV is over its limit. As
this is a single run, the trend has one point (this run). ``--png`` screenshots the first
county's brief with headless Chromium (A4 at 96 dpi: 794 × 1123 px).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from equity_xlsx.brief import render_city_brief, render_county_brief, write_brief  # noqa: E402
from equity_xlsx.standards import load_standard  # noqa: E402


def stage_data(stage: dict) -> dict:
    over = [k for k, e in stage["indicators"].items() if e["cv_ok"] is False]
    failing = stage["schools"] - stage["schools_passing"]
    return {**stage, "schools_failing": failing, "cv_over_limit": over, "resource_pass": not failing and not over}


def county_data(entry: dict, standard, indicators: list[dict], generated: str) -> dict:
    stages = {k: stage_data(v) for k, v in entry["stages"].items()}
    point = {"data_year": None, "run_date": generated[:10],
             "cv": {k: {i: e["cv"] for i, e in s["indicators"].items()} for k, s in stages.items()},
             "schools_passing": {k: s["schools_passing"] for k, s in stages.items()},
             "schools": {k: s["schools"] for k, s in stages.items()},
             "ledger_open": (entry.get("ledger_changes") or {}).get("open"), "ledger_closed": None}
    return {"county": entry["county"], "standard_title": standard.title, "data_year": None,
            "generated": generated.replace("T", " ")[:16], "indicators": indicators, "stages": stages,
            "schools": entry["schools"], "ledger": entry.get("ledger", []), "trend": [point]}


def screenshot(html: Path, png: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is not on PATH")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=794,1123",
                        "--hide-scrollbars", html.resolve().as_uri()], check=True, capture_output=True, timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--summary", type=Path, default=ROOT / "out" / "summary.json")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "简报")
    ap.add_argument("--png", type=Path, help="also screenshot the first county's brief to this PNG")
    args = ap.parse_args()
    doc = json.loads(args.summary.read_text(encoding="utf-8"))
    standard = load_standard(doc["standard"])
    indicators = [{"id": i.id, "name": i.name, "short": i.short, "unit": i.unit, "standard": dict(i.standard)}
                  for i in standard.indicators]
    generated = doc.get("generated", "")
    counties = [county_data(e, standard, indicators, generated) for e in doc["workbooks"] if e["status"] == "ok"]
    args.out.mkdir(parents=True, exist_ok=True)
    pages = [write_brief(args.out / f"{c['county']}_简报.html", render_county_brief(c)) for c in counties]
    write_brief(args.out / "全市_简报.html", render_city_brief(
        {"city": None, "generated": counties[0]["generated"] if counties else None,
         "standard_title": standard.title, "indicators": indicators, "counties": counties}))
    print(f"{len(pages) + 1} 份简报 → {args.out}")
    if args.png and pages:
        screenshot(pages[0], args.png)
        print(f"截图 → {args.png}")


if __name__ == "__main__":
    main()
