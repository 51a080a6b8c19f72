"""Pure: the 整改台账 — one line per unmet finding, with a stable number and who acts.

Lines come from ``checks.run_checks``: every school section × unmet item part, plus the
county-level shortfalls (a CV over its limit with its fix plan, a county value under its
standard, a county ratio under its minimum). Measures, departments and offices default
from the task list's 推进措施 / 责任部门 / 责任股室 for the item.

台账编号: ``TZ-<item, 2 digits>-<6 hex>``, the hex from SHA-1 of the gap's identity
(county, school code or name, stage, item, part). The same gap gets the same number on
every run, and adding or removing other schools changes nothing.

A school section without data on a 资源配置 indicator that other schools of its stage do have
(a blank cell, an unusable value, a missing form) cannot be shown to meet it and fails the
school: it gets a line too — "补填数据", naming the empty cell when the data says where it
is — so someone is responsible for filling it in. It closes (销号) when the data arrives, and
the gap line, if any, opens in its place. An indicator no school has is a collection gap the
county fixes once (数据问题 names the missing column or form), not a line per school.

Order (``sort_key``), what a county statistician works down:
1. county-level lines first — they decide the county verdict — by item, stage, part;
2. then school lines grouped by item, the items that affect the most schools first;
3. within an item, the lines closest to being met first (smallest shortfall relative to
   the standard: the cheapest fixes), then by school name.
"""

from __future__ import annotations

import hashlib

from .checks import COUNTY_KEY, NO_DATA, UNMET, ChecksResult, Finding
from .indicators import Evaluation
from .model import STAGE_LABEL, STAGES, LedgerLine
from .problems import Code, Problem
from .tasks import TaskList
from .vocabulary import LedgerStatus

MISSING_PART = "补填数据"  # the key part of a 补填数据 line: its own number, apart from the gap's
FILL_IN = "补填数据"

STAGE_ORDER = {s: i for i, s in enumerate(("",) + STAGES)}


def ledger_key(county: str | None, school: str, stage: str, item: str, part: str = "") -> str:
    """The gap's identity; ``school`` is the 学校标识码 when known, else the name."""
    return "|".join((county or "", school, stage, item, part))


def ledger_id(key: str, item: str) -> str:
    """台账编号 from the key: "TZ-01-3F9A2C"."""
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6].upper()
    return f"TZ-{item.zfill(2)}-{digest}"


def sort_key(finding: Finding, schools_in_item: int) -> tuple:
    """See the module docstring. ``schools_in_item``: unmet school sections of the item."""
    item_no = int(finding.item) if finding.item.isdigit() else 999
    if finding.level == "county":
        return (0, item_no, STAGE_ORDER.get(finding.stage, 9), finding.part, 0.0, "")
    return (1, -schools_in_item, item_no, round(finding.relative_gap, 9), finding.school,
            STAGE_ORDER.get(finding.stage, 9), finding.part)


def _line(f: Finding, county: str | None, tasks: TaskList, today: str, key_sort: tuple) -> LedgerLine:
    ident = COUNTY_KEY if f.level == "county" else (f.code or f.school)
    key = ledger_key(county, ident, f.stage, f.item, f.part)
    try:
        task = tasks.item(f.item)
        measure, department, office = task.measures, "、".join(task.departments), "、".join(task.offices)
    except KeyError:
        measure = department = office = ""
    detail = "；".join(x for x in (f.note, f.detail) if x)
    return LedgerLine(
        id=ledger_id(key, f.item),
        key=key,
        school=f.school,
        stage=f.stage,
        item=f.item,
        indicator=f.label,
        current=f.current,
        standard=f.standard,
        shortfall=f.shortfall,
        unit=f.unit,
        need=f.need.amount if f.need else None,
        need_unit=f.need.unit if f.need else "",
        need_text=f.need.text if f.need else "",
        measure=measure,
        department=department,
        office=office,
        first_seen=today,
        status=LedgerStatus.OPEN,
        detail=detail,
        sort_key=key_sort,
    )


def _blank_cells(problems: list[Problem]) -> dict[tuple[str, str, int], list[str]]:
    """(school, stage label, indicator id) -> where its empty cells are ("文件 / 工作表 / E7（…）")."""
    out: dict[tuple[str, str, int], list[str]] = {}
    for p in problems:
        if p.code != Code.BLANK_VALUE:
            continue
        where = f"{p.file} / {p.sheet} / {p.column or ''}{p.row or ''}（{p.params.get('header', '')}）"
        for ind_id in p.params.get("indicator_ids", ()):
            out.setdefault((p.params.get("school", ""), p.params.get("stage", ""), int(ind_id)), []).append(where)
    return out


def _fill_in_line(f: Finding, county: str | None, tasks: TaskList, today: str, key_sort: tuple,
                  cells: list[str], bureau: str) -> LedgerLine:
    """The 补填数据 line of a school section without data on indicator ``f.item``."""
    line = _line(f, county, tasks, today, key_sort)
    key = ledger_key(county, f.code or f.school, f.stage, f.item, MISSING_PART)
    where = "空白单元格：" + "；".join(cells) if cells else (f.note or "未提供数据")
    line.id, line.key = ledger_id(key, f.item), key
    line.need_text = f"{FILL_IN}：{f.label}（{STAGE_LABEL.get(f.stage, f.stage)}）"
    line.detail = f"{where}。没有这项数据，该学段不能判定达标，差异系数也未计入该校"
    line.measure = "学校补填该项数据（确实为 0 请填 0）报送；改正原始表后重新运行，本条自动销号"
    line.department = f"{bureau}、学校"
    return line


def build_ledger(evaluation: Evaluation | None, checks_result: ChecksResult, tasks: TaskList,
                 today: str) -> list[LedgerLine]:
    """The 整改台账 lines of one county, sorted by ``sort_key``; ``today`` is an ISO date.

    Unmet findings, and a 补填数据 line for every school section without data on a 资源配置
    indicator. ``first_seen`` is ``today`` for every line: the ledger store replaces it with
    the date a line was first seen, keyed by ``LedgerLine.id``.
    """
    county = evaluation.data.county if evaluation is not None else None
    blanks = _blank_cells(evaluation.data.problems) if evaluation is not None else {}
    bureau = evaluation.data.county_id.bureau if evaluation is not None else "县教育局"
    lines = []
    for chk in checks_result.items.values():
        n_schools = chk.schools_unmet
        collected = {f.stage for f in chk.findings if f.level == "school" and f.status != NO_DATA}
        for f in chk.findings:
            if f.status == UNMET:
                lines.append(_line(f, county, tasks, today, sort_key(f, n_schools)))
            elif (f.status == NO_DATA and f.level == "school" and chk.item.check.kind == "indicator"
                  and f.stage in collected):
                cells = blanks.get((f.school, STAGE_LABEL.get(f.stage, f.stage), int(chk.item.check.ref)), [])
                lines.append(_fill_in_line(f, county, tasks, today, sort_key(f, n_schools), cells, bureau))
    lines.sort(key=lambda ln: ln.sort_key)
    return lines


def ledger_summary(lines: list[LedgerLine]) -> list[dict]:
    """summary.json ``ledger``: id, school, stage, indicator, current, standard, shortfall, unit.

    ``shortfall``/``unit`` are the gap in the indicator's unit (差距); ``need``/``need_unit``
    (需补足, real units, and ``need_text`` in words) and ``item`` are added alongside.
    """
    return [
        {
            "id": ln.id,
            "school": ln.school,
            "stage": ln.stage,
            "indicator": ln.indicator,
            "current": ln.current,
            "standard": ln.standard,
            "shortfall": ln.shortfall,
            "unit": ln.unit,
            "item": ln.item,
            "need": ln.need,
            "need_unit": ln.need_unit,
            "need_text": ln.need_text,
        }
        for ln in lines
    ]
