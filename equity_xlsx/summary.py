"""summary.json: the per-run contract (schema ``equity-xlsx/summary/1``).

Names here are a contract with the counties' own scripts: add keys, never rename them.
Values are unrounded floats (per-100 indicators ×100, equipment in 元). Each element of
``workbooks`` is one county's ``outcome.CountyOutcome.to_json()``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .outputs import atomic_write

SCHEMA = "equity-xlsx/summary/1"


def write_summary(path: Path, standard: str, workbooks: list[dict], extra: dict | None = None) -> None:
    """Write summary.json atomically (a temporary file of this process, then rename)."""
    doc = {"schema": SCHEMA, "standard": standard, "workbooks": workbooks}
    if extra:
        doc.update(extra)
    text = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
