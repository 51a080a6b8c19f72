"""Tonight's ledger against the remembered one: keep what people typed, 销号 what is fixed.

The rules (issue 4, "Ledger memory"):

* A line present tonight keeps its 台账编号 and 首次发现 from the store; its data (现值, 差距,
  需补足 …) is tonight's.
* Staff columns (责任人, 计划完成时间, 整改进展, 备注): a non-empty value typed in last night's
  workbook wins, because a person edited the workbook after the store was written. An empty
  or missing cell never erases a stored value (a blank can be an accident: a deleted column,
  a paste gone wrong, an unreadable file). When the workbook replaces a different non-empty
  value, the old value goes to the history table. To clear a value, type 无.
* 状态 typed by hand (整改中, 暂缓, …) is kept as the manual status while the gap exists; typing
  未整改 clears it; an empty cell keeps it. 已销号 cannot be typed: the data decides (the
  sheet shows 已销号 on greyed lines, so reading it back must not change anything).
* A gap absent tonight becomes 已销号 with ``closed_on = today`` (history: 数据已达标). It stays
  in ``lines`` (the sheet greys it) for ``grey_days`` days, then moves to ``archived``
  (the 已销号 sheet).
* A gap that returns is reopened with its old number, 首次发现, staff values and history;
  status back to the manual one or 未整改 (history: 重新出现).
* Running again on the same data and the same typed values writes nothing: same lines, same
  dates, no new history rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .model import DEFAULT_FIELDS, STAFF_FIELDS, STAFF_LABELS, LedgerLine
from .problems import Code, Problem
from .readback import EXTRA
from .standards import LedgerSettings
from .store import HistoryEntry, LedgerStore
from .vocabulary import LedgerStatus

GREY_DAYS = LedgerSettings().grey_days  # the setting's default, for callers without rules

REASON_NEW = "首次发现"
REASON_CLOSED = "数据已达标，自动销号"
REASON_REOPENED = "重新出现"
REASON_MANUAL = "人工设置状态"
REASON_EDITED = "工作簿中修改，原值保留于此"


@dataclass
class Reconciled:
    """The ledger to write tonight, and what changed since the last run.

    ``lines``: open lines (tonight's order) then lines closed within ``grey_days`` (greyed on
    the sheet), newest 销号 first. ``archived``: lines closed longer ago (已销号 sheet).
    ``opened`` / ``closed`` / ``reopened``: changes since the last run, for 概览.
    ``warnings``: problems for the run report (typed values that were not used).
    ``changed`` and ``history``: what the store must keep of tonight (lines that changed,
    their history rows), written by whoever holds the store.
    """

    lines: list[LedgerLine] = field(default_factory=list)
    archived: list[LedgerLine] = field(default_factory=list)
    opened: list[LedgerLine] = field(default_factory=list)
    closed: list[LedgerLine] = field(default_factory=list)
    reopened: list[LedgerLine] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changed: list[LedgerLine] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for line in self.lines if line.status != LedgerStatus.CLOSED)


def reconcile(
    tonight: list[LedgerLine],
    county: str,
    store: LedgerStore,
    typed: Mapping[str, Mapping[str, str]] | None,
    today: dt.date,
    grey_days: int = GREY_DAYS,
) -> Reconciled:
    """Merge tonight's ``tonight`` lines of ``county`` with the store and what staff ``typed``.

    ``typed`` is ``readback.read_staff_entries`` of last night's workbook (empty when there was
    none or it could not be read). Saves the new state and history to ``store`` in one
    transaction and returns what to write tonight. See the module docstring for the rules.
    """
    with store.begin() as conn:
        result = merge(tonight, county, store.load(county, conn), typed, today, grey_days)
        store.save(county, result.changed, result.history, conn)
    return result


def merge(
    tonight: list[LedgerLine],
    county: str,
    stored: Mapping[str, LedgerLine],
    typed: Mapping[str, Mapping[str, str]] | None,
    today: dt.date,
    grey_days: int = GREY_DAYS,
) -> Reconciled:
    """``reconcile`` without the store (pure): tonight's lines against the ``stored`` ones (by
    台账编号) and what staff ``typed``; what the store must keep is in ``changed`` and ``history``."""
    typed = typed or {}
    day = today.isoformat()
    result = Reconciled()
    history = result.history
    after: dict[str, LedgerLine] = {}

    seen: set[str] = set()
    present: list[tuple[LedgerLine, tuple]] = []
    for line in tonight:
        if line.id in seen:
            result.warnings.append(Problem(Code.LEDGER_DUPLICATE_ID, params={"line_id": line.id}))
            continue
        seen.add(line.id)
        entry = typed.get(line.id, {})
        old = stored.get(line.id)
        if old is None:
            new = replace(line, county=county)
            new.first_seen = _first_seen(entry.get("first_seen", ""), line.first_seen, day)
            kind = "opened"
        else:
            new = replace(old)
            new.take_data(line)
            kind = "reopened" if old.status == LedgerStatus.CLOSED else "kept"
        new.last_seen = day
        new.closed_on = ""
        _merge_staff(new, entry, history, day)
        _merge_defaults(new, line, entry, history, day)
        _merge_extras(new, entry, history, day)
        _merge_manual_status(new, old, entry, history, day, result.warnings)
        new.status = new.manual_status or LedgerStatus.OPEN
        after[line.id] = new
        present.append((new, line.sort_key))
        if kind == "opened":
            history.append(HistoryEntry(county, line.id, day, "", new.status, REASON_NEW))
            result.opened.append(replace(new, sort_key=line.sort_key))
        elif kind == "reopened":
            history.append(HistoryEntry(county, line.id, day, LedgerStatus.CLOSED, new.status, REASON_REOPENED))
            result.reopened.append(replace(new, sort_key=line.sort_key))

    gone: list[LedgerLine] = []
    for line_id, old in stored.items():
        if line_id in after:
            continue
        new = replace(old)
        entry = typed.get(line_id, {})
        _merge_staff(new, entry, history, day)
        _merge_defaults(new, None, entry, history, day)
        _merge_extras(new, entry, history, day)
        status = entry.get("status", "")
        if status and status not in (LedgerStatus.OPEN, LedgerStatus.CLOSED):
            result.warnings.append(Problem(Code.LEDGER_STATUS_NOT_TAKEN, params={
                "line_id": line_id, "school": old.school, "indicator": old.indicator, "status": status}))
        if old.status != LedgerStatus.CLOSED:
            new.status = LedgerStatus.CLOSED
            new.closed_on = day
            history.append(HistoryEntry(county, line_id, day, old.status, LedgerStatus.CLOSED, REASON_CLOSED))
            result.closed.append(replace(new))
        after[line_id] = new
        gone.append(new)

    for new, sort_key in present:
        result.lines.append(replace(new, sort_key=sort_key))
    # Newest 销号 first: what closed last night is what people look for.
    for new in sorted(gone, key=lambda s: (_neg_date(s.closed_on), s.id)):
        target = result.archived if _age(new.closed_on, today) > grey_days else result.lines
        target.append(replace(new))

    result.changed = [new for line_id, new in after.items() if stored.get(line_id) != new]
    return result


def _merge_staff(new: LedgerLine, entry: Mapping[str, str], history: list[HistoryEntry], day: str) -> None:
    """Typed non-empty values win; blanks keep the stored value; a replaced value goes to history."""
    for name in STAFF_FIELDS:
        typed = (entry.get(name) or "").strip()
        if not typed:
            continue
        before = getattr(new, name)
        if typed == before:
            continue
        if before:
            reason = f"{STAFF_LABELS[name]}{REASON_EDITED}"
            history.append(HistoryEntry(new.county, new.id, day, before, typed, reason, field=name))
        setattr(new, name, typed)


def _merge_extras(new: LedgerLine, entry: Mapping[str, str], history: list[HistoryEntry], day: str) -> None:
    """Columns staff inserted (``extra:<header>``): kept by header like their other typing."""
    for key, value in entry.items():
        if not key.startswith(EXTRA) or not (value or "").strip():
            continue
        header, typed = key[len(EXTRA):], value.strip()
        before = new.extras.get(header, "")
        if typed != before:
            if before:
                history.append(HistoryEntry(new.county, new.id, day, before, typed, f"{header}{REASON_EDITED}",
                                            field=key))
            new.set_extra(header, typed)


def _merge_defaults(new: LedgerLine, tonight: LedgerLine | None, entry: Mapping[str, str],
                    history: list[HistoryEntry], day: str) -> None:
    """整改措施 / 责任部门 / 责任股室 typed over the task-list default: kept from now on (marked
    edited, never reset by a later run); typing the default back makes it follow the list again."""
    for name in DEFAULT_FIELDS:
        typed = (entry.get(name) or "").strip()
        if not typed:
            continue
        default = getattr(tonight, name).strip() if tonight is not None else None
        if typed == default:
            new.mark_edited(name, False)
            setattr(new, name, getattr(tonight, name))
            continue
        before = getattr(new, name)
        if typed != before.strip():
            if before:
                history.append(HistoryEntry(new.county, new.id, day, before, typed,
                                            f"{STAFF_LABELS[name]}{REASON_EDITED}", field=name))
            setattr(new, name, typed)
        new.mark_edited(name, True)


def _merge_manual_status(
    new: LedgerLine,
    old: LedgerLine | None,
    entry: Mapping[str, str],
    history: list[HistoryEntry],
    day: str,
    warnings: list[Problem],
) -> None:
    """A 状态 typed by hand becomes the manual status of a line whose gap exists tonight."""
    typed = (entry.get("status") or "").strip()
    if not typed:
        return  # blank keeps whatever was set before
    if typed == LedgerStatus.CLOSED:
        # The sheet itself shows 已销号 on greyed lines; only an open line typed so is news.
        if old is not None and old.status != LedgerStatus.CLOSED:
            warnings.append(Problem(Code.LEDGER_CLOSED_TYPED, params={
                "line_id": new.id, "school": new.school, "indicator": new.indicator,
                "status": new.manual_status or LedgerStatus.OPEN}))
        return
    manual = "" if typed == LedgerStatus.OPEN else typed
    if manual == new.manual_status:
        return
    if old is not None and old.status != LedgerStatus.CLOSED:
        # Only a change visible on an open line is a status change worth a history row;
        # a reopened line gets its "重新出现" row with the resulting status instead.
        history.append(HistoryEntry(new.county, new.id, day, old.status, manual or LedgerStatus.OPEN, REASON_MANUAL))
    new.manual_status = manual


def _first_seen(from_workbook: str, from_line: str, day: str) -> str:
    """首次发现 of a line the store does not know: the workbook's (store lost) or today."""
    for candidate in (from_workbook, from_line):
        try:
            if candidate and dt.date.fromisoformat(candidate[:10]).isoformat() <= day:
                return candidate[:10]
        except ValueError:
            continue
    return day


def _age(closed_on: str, today: dt.date) -> int:
    try:
        return (today - dt.date.fromisoformat(closed_on)).days
    except ValueError:
        return 0  # no usable date: keep it visible rather than hide it


def _neg_date(iso: str) -> int:
    try:
        return -dt.date.fromisoformat(iso).toordinal()
    except ValueError:
        return 0
