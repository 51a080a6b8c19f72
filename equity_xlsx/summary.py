"""summary.json: the per-run contract (schema ``equity-xlsx/summary/1``).

Names here are a contract with the counties' own scripts: add keys, never rename them.
Values are unrounded floats (per-100 indicators ×100, equipment in 元).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .indicators import Evaluation
from .problems import Problem, count_codes

SCHEMA = "equity-xlsx/summary/1"


def _num(value: float | None) -> float | None:
    return None if value is None else float(value)


def stages_summary(ev: Evaluation) -> dict:
    out = {}
    for stage, st in ev.stages.items():
        out[stage] = {
            "schools": len(st.sections),
            "students": int(round(st.students)),
            "schools_passing": st.schools_passing,
            "indicators": {
                str(s.indicator.id): {
                    "county_value": _num(s.county_value),
                    "standard": s.standard,
                    "cv": _num(s.cv_value),
                    "cv_limit": s.cv_limit,
                    "cv_ok": s.cv_ok,
                    "schools_meeting": s.schools_meeting,
                }
                for s in st.indicators
            },
        }
    return out


def schools_summary(ev: Evaluation) -> list[dict]:
    return [
        {
            "name": r.section.school,
            "stage": r.section.stage,
            "students": int(round(r.section.students)),
            "values": {str(k): _num(v) for k, v in r.values.items()},
            "met": r.met,
            "passes": r.passes,
        }
        for r in ev.sections
    ]


def workbook_entry(*, input_name: str, output: str | None, status: str, county: str | None,
                   errors: list[Problem], warnings: list[Problem], ev: Evaluation | None = None,
                   extra: dict | None = None) -> dict:
    """One element of ``workbooks``; ``ev`` is None when the workbook could not be evaluated.

    ``errors``/``warnings`` are serialised with their code and rendered message; ``problems``
    counts them by code.
    """
    entry = {
        "input": input_name,
        "output": output,
        "status": status,
        "county": county,
        "errors": [p.as_dict() for p in errors],
        "warnings": [p.as_dict() for p in warnings],
        "problems": count_codes([*errors, *warnings]),
        "stages": stages_summary(ev) if ev else {},
        "schools": schools_summary(ev) if ev else [],
    }
    if extra:
        entry.update(extra)
    return entry


def write_summary(path: Path, standard: str, workbooks: list[dict], extra: dict | None = None) -> None:
    """Write summary.json atomically (temp file in the same folder, then rename)."""
    doc = {"schema": SCHEMA, "standard": standard, "workbooks": workbooks}
    if extra:
        doc.update(extra)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    os.replace(tmp, path)
