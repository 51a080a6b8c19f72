"""Pure: the 整改台账 — one line per unmet finding, with a stable number and who acts.

Lines come from ``checks.run_checks``: every school section × unmet item part, plus the
county-level shortfalls (a CV over its limit with its fix plan, a county value under its
standard, a county ratio under its minimum). Measures, departments and offices default
from the task list's 推进措施 / 责任部门 / 责任股室 for the item.

台账编号: ``TZ-<item, 2 digits>-<6 hex>``, the hex from SHA-1 of the gap's identity
(county, school code or name, stage, item, part). The same gap gets the same number on
every run, and adding or removing other schools changes nothing.

Order (``sort_key``), what a county statistician works down:
1. county-level lines first — they decide the county verdict — by item, stage, part;
2. then school lines grouped by item, the items that affect the most schools first;
3. within an item, the lines closest to being met first (smallest shortfall relative to
   the standard: the cheapest fixes), then by school name.
"""

from __future__ import annotations

import hashlib

from .checks import COUNTY_KEY, UNMET, ChecksResult, Finding
from .indicators import Evaluation
from .model import OPEN, STAGES, LedgerLine
from .tasks import TaskList

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
        status=OPEN,
        detail=detail,
        sort_key=key_sort,
    )


def build_ledger(evaluation: Evaluation | None, checks_result: ChecksResult, tasks: TaskList,
                 today: str) -> list[LedgerLine]:
    """The 整改台账 lines of one county, sorted by ``sort_key``; ``today`` is an ISO date.

    ``first_seen`` is ``today`` for every line: the ledger store (issue 4) replaces it with
    the date a line was first seen, keyed by ``LedgerLine.id``.
    """
    county = evaluation.data.county if evaluation is not None else None
    lines = []
    for chk in checks_result.items.values():
        n_schools = chk.schools_unmet
        for f in chk.findings:
            if f.status == UNMET:
                lines.append(_line(f, county, tasks, today, sort_key(f, n_schools)))
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
