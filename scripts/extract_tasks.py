"""Extract the 大祥区 36-item task list from the seed text into rules/tasks/daxiang.toml.

Usage::

    python scripts/extract_tasks.py [SEED] [OUT]

SEED defaults to ``../shared/seeds/002_956f970e9311ed85.txt`` (a copy lives in
``tests/data/seed_002_daxiang_tasks.txt``); OUT to ``equity_xlsx/rules/tasks/daxiang.toml``.
The TOML is committed; run this only when the seed changes.

The seed is a text extraction of a Word table. Every table cell starts a line with a tab,
text inside a cell never does, and a row has six cells (一级指标, 二级指标, 指标值或评估要点,
推进措施, 责任部门, 区教育局责任股室). A B类 item spans several rows: the first carries the
item, the rest have an empty 二级指标 cell and one more 评估要点 sub-row each.

Text rule (the same rule tests/test_tasks.py writes out on its own):

* prose cells (一级指标, 二级指标, 评估要点, 推进措施): the cell's lines, blank lines dropped
  and each line stripped, are joined by a line break when the line before ends a sentence
  (。；;：:！？!?) or the next line opens a numbered point ("2." not followed by a digit,
  or ①…⑳); otherwise they are joined with nothing, because Word broke a sentence in the
  middle ("13.小学、初中\\n\\n所有班级学生" is one sentence);
* list cells (责任部门, 责任股室): one entry per non-blank line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = ROOT.parent / "shared" / "seeds" / "002_956f970e9311ed85.txt"
DEFAULT_OUT = ROOT / "equity_xlsx" / "rules" / "tasks" / "daxiang.toml"

SENTENCE_END = "。；;：:！？!?"
POINT_START = re.compile(r"^(?:\d{1,2}\.(?!\d)|[①-⑳])")
POINTS_SCORE = re.compile(r"[（(](\d+)分[）)]$")
CELLS_PER_ROW = 6

# Which computation feeds each item's 当前状态 (see equity_xlsx/tasks.py, CHECK_KINDS).
CHECKS = {
    **{str(i): f"indicator:{i}" for i in range(1, 8)},
    "10": "school:staff_ratio",
    "11": "school:special_rooms",
    "12": "school:school_size",
    "13": "school:class_size",
    "14": "manual",
    "15": "manual",
    "16": "manual",
    "17": "school:training_completion",
    "18": "manual",
    "19": "county:19",
    "20": "school:certified_rate",
    "21": "county:21",
    "22": "county:22",
    "24": "county:24",
    "25": "county:25",
    "26": "county:26",
    "28": "school:training_funds",
    "31": "county:31",
    "36": "county:36",
}
B_SCORES = {"8": 10, "9": 5, "23": 5, "27": 10, "29": 10, "30": 10, "32": 20, "33": 10, "34": 10, "35": 10}


def prose(cell: str) -> str:
    lines = [line.strip() for line in cell.split("\n") if line.strip()]
    out = ""
    for line in lines:
        if not out:
            out = line
        elif out[-1] in SENTENCE_END or POINT_START.match(line):
            out += "\n" + line
        else:
            out += line
    return out


def entries(cell: str) -> list[str]:
    return [line.strip() for line in cell.split("\n") if line.strip()]


def split_cells(text: str) -> tuple[list[str], str]:
    """The table's cells in reading order, and the note under the table (说明：…)."""
    start = text.index("\n\t")
    body = text[start + 1:]
    note = ""
    at = body.find("\n说明：")
    if at >= 0:
        body, note = body[:at], body[at + 1:].strip()
    cells = re.split(r"(?:^|\n)\t", body)
    if cells and cells[0] == "":
        cells = cells[1:]
    return cells, note


def parse(text: str) -> dict:
    lines = text.split("\n")
    title_lines = [line.strip() for line in lines[:3] if line.strip()]
    cells, note = split_cells(text)
    if len(cells) % CELLS_PER_ROW:
        raise SystemExit(f"cell count {len(cells)} is not a multiple of {CELLS_PER_ROW}")
    rows = [cells[i:i + CELLS_PER_ROW] for i in range(0, len(cells), CELLS_PER_ROW)]
    header = [prose(c) for c in rows[0]]
    items: list[dict] = []
    group = ""
    for row in rows[1:]:
        g, text_cell, points, measures, departments, offices = row
        if prose(g):
            group = prose(g)
        if prose(text_cell):
            number = re.match(r"(\d+)\.", prose(text_cell))
            if not number:
                raise SystemExit(f"item without a number: {prose(text_cell)[:20]}")
            items.append({
                "id": number.group(1),
                "group": group,
                "text": prose(text_cell),
                "points": [prose(points)],
                "measures": prose(measures),
                "departments": entries(departments),
                "offices": entries(offices),
            })
        else:
            # A continuation row of a B item: only its 评估要点 sub-row has text.
            if prose(measures) or prose(departments) or prose(offices):
                raise SystemExit(f"continuation row with more than points: {row}")
            items[-1]["points"].append(prose(points))
    for item in items:
        score = B_SCORES.get(item["id"])
        item["category"] = "B" if score else "A"
        if score:
            item["score"] = score
            item["point_scores"] = [int(POINTS_SCORE.search(p).group(1)) for p in item["points"]]
        item["check"] = "scored" if score else CHECKS[item["id"]]
    return {"title": title_lines[-1], "label": title_lines[0], "header": header, "note": note,
            "items": items}


def toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if "\n" in value:
        return '"""\n' + escaped + '"""'
    return '"' + escaped + '"'


def toml_value(value) -> str:
    if isinstance(value, str):
        return toml_str(value)
    if isinstance(value, list):
        long = sum(len(str(v)) for v in value) > 60
        if long or any(isinstance(v, str) and "\n" in v for v in value):
            return "[\n" + "".join(f"  {toml_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def render(table: dict, seed_name: str) -> str:
    out = [
        "# 大祥区推进义务教育优质均衡发展工作任务清单 (36 项)。",
        f"# Generated by scripts/extract_tasks.py from seeds/{seed_name}; do not edit by hand,",
        "# re-run the script. Text rule: see the script's docstring. A county may copy this file,",
        "# change 推进措施/责任部门/责任股室 and pass it with --tasks FILE.",
        "#",
        "# check: what feeds 当前状态 — indicator:<1-7> (资源配置), school:<name> (school data),",
        "# county:<item> (县级指标, thresholds in the standard's [county_checks]), manual (no data;",
        "# 未提供数据 until checked by hand), scored (B类, 待评分).",
        "",
        "[meta]",
        f"name = {toml_str('daxiang')}",
        f"label = {toml_str(table['label'])}",
        f"title = {toml_str(table['title'])}",
        f"columns = {toml_value(table['header'])}",
        "items = 36",
        "b_total = 100",
        f"note = {toml_str(table['note'])}",
    ]
    keys = ("id", "group", "category", "score", "check", "text", "points", "point_scores",
            "measures", "departments", "offices")
    for item in table["items"]:
        out += ["", "[[item]]"]
        out += [f"{k} = {toml_value(item[k])}" for k in keys if k in item]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    seed = Path(argv[1]) if len(argv) > 1 else DEFAULT_SEED
    target = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    table = parse(seed.read_text(encoding="utf-8"))
    if len(table["items"]) != 36:
        raise SystemExit(f"expected 36 items, found {len(table['items'])}")
    target.write_text(render(table, seed.name), encoding="utf-8")
    print(f"wrote {target} ({len(table['items'])} items)")


if __name__ == "__main__":
    main(sys.argv)
