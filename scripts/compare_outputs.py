"""Compare two output folders of `equity-xlsx run`, cell by cell: the proof that a refactor
changed nothing a user sees.

    python scripts/compare_outputs.py OUT_BEFORE OUT_AFTER

Compares summary.json (as JSON, run times masked), every workbook (sheet names, each cell's
formula or value, merged ranges, defined names, print settings) and every HTML brief (text
with run times masked). Prints each difference (at most 20 per file) and exits 1 if any.
Times of day differ between two runs by nature, so ISO date-times and "HH:MM:SS" are masked;
dates are kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from openpyxl import load_workbook

TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?|\b\d{2}:\d{2}:\d{2}\b")
STATE_PATH = re.compile(r"sqlite:///\S+")
LIMIT = 20


def _mask(text: str, roots: tuple[str, ...] = ()) -> str:
    text = TIME.sub("<time>", text)
    text = STATE_PATH.sub("sqlite:///<state>", text)
    for root in roots:
        text = text.replace(root, "<out>")
    return text


def _masked_json(value, roots):
    if isinstance(value, dict):
        return {k: _masked_json(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_json(v, roots) for v in value]
    if isinstance(value, str):
        return _mask(value, roots)
    return value


def _json_diffs(a, b, where="") -> list[str]:
    if type(a) is not type(b):
        return [f"{where}: {a!r} ≠ {b!r}"]
    if isinstance(a, dict):
        out = [f"{where}.{k}: only in {'before' if k in a else 'after'}" for k in sorted(set(a) ^ set(b))]
        for k in a.keys() & b.keys():
            out += _json_diffs(a[k], b[k], f"{where}.{k}")
        return out
    if isinstance(a, list):
        out = [f"{where}: {len(a)} items ≠ {len(b)}"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b)):
            out += _json_diffs(x, y, f"{where}[{i}]")
        return out
    return [] if a == b else [f"{where}: {a!r} ≠ {b!r}"]


def _cell_value(cell, roots):
    v = cell.value
    return _mask(v, roots) if isinstance(v, str) else v


def _workbook_facts(path: Path, roots) -> dict[str, object]:
    """Everything a user sees of a workbook, keyed by where it is."""
    facts: dict[str, object] = {}
    for data_only in (False, True):
        wb = load_workbook(path, data_only=data_only)
        kind = "value" if data_only else "formula"
        facts["sheets"] = wb.sheetnames
        facts["names"] = sorted((n, str(d.attr_text)) for n, d in wb.defined_names.items())
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        facts[f"{ws.title}!{cell.coordinate} {kind}"] = _cell_value(cell, roots)
            if not data_only:
                facts[f"{ws.title} merged"] = sorted(str(r) for r in ws.merged_cells.ranges)
                facts[f"{ws.title} print"] = (ws.page_setup.orientation, ws.page_setup.paperSize,
                                              ws.page_setup.fitToWidth, ws.page_setup.fitToHeight,
                                              str(ws.print_title_rows), str(ws.print_area))
    return facts


def compare(before: Path, after: Path) -> list[str]:
    roots = (str(before), str(after))
    problems: list[str] = []
    names_a = {p.relative_to(before) for p in before.rglob("*") if p.is_file() and _compared(p)}
    names_b = {p.relative_to(after) for p in after.rglob("*") if p.is_file() and _compared(p)}
    for name in sorted(names_a ^ names_b):
        problems.append(f"{name}: only in {'before' if name in names_a else 'after'}")
    for name in sorted(names_a & names_b):
        a, b = before / name, after / name
        if name.suffix == ".json":
            diffs = _json_diffs(_masked_json(json.loads(a.read_text("utf-8")), roots),
                                _masked_json(json.loads(b.read_text("utf-8")), roots))
        elif name.suffix == ".xlsx":
            fa, fb = _workbook_facts(a, roots), _workbook_facts(b, roots)
            diffs = [f"{k}: {fa.get(k)!r} ≠ {fb.get(k)!r}" for k in sorted(fa.keys() | fb.keys())
                     if fa.get(k) != fb.get(k)]
        else:
            ta, tb = _mask(a.read_text("utf-8"), roots), _mask(b.read_text("utf-8"), roots)
            diffs = [] if ta == tb else [_first_text_difference(ta, tb)]
        problems += [f"{name}: {d}" for d in diffs[:LIMIT]]
        if len(diffs) > LIMIT:
            problems.append(f"{name}: … {len(diffs) - LIMIT} more")
    return problems


def _compared(path: Path) -> bool:
    return path.suffix in {".json", ".xlsx", ".html"} and not any(
        part.startswith(".") or part == "备份" for part in path.parts)


def _first_text_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"text differs at {i}: …{a[max(0, i - 40):i + 40]!r} ≠ …{b[max(0, i - 40):i + 40]!r}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    problems = compare(Path(argv[0]), Path(argv[1]))
    for p in problems:
        print(p)
    print(f"{len(problems)} differences" if problems else "identical")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
