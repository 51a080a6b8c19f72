"""One county after evaluation: checks, ledger, ledger memory, and the output workbook.

Order matters for what staff typed: last night's workbook is read back and backed up
before anything replaces it, the ledger store is reconciled with it, and only then is
tonight's workbook written (atomically) over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from . import __version__
from .checks import checks_summary, run_checks
from .files import OUTPUT_SUFFIX, OUTPUT_SUFFIX_BUSY, atomic_write, lock_exists
from .indicators import Evaluation
from .model import CLOSED
from .problems import Code, Problem
from .ledger import build_ledger, ledger_summary
from .readback import UnreadableWorkbookError, backup_previous, read_staff_entries
from .reconcile import reconcile
from .report import write_report
from .rulebook import Rules
from .store import LedgerStore

@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str  # relative to its INPUT folder (summary.json "input")
    stem: str  # output file stem, unique in the run


@dataclass(frozen=True)
class Job:
    """Everything one worker needs, as plain picklable values."""

    input: InputFile
    out_dir: Path
    rules: Rules
    state: str | None
    force: bool
    today: str  # ISO date of the run
    fingerprint: dict = field(default_factory=dict)  # what the output depends on (batch._fingerprint)


def build_outputs(ev: Evaluation, target: Path, *, job: Job, warnings: list[Problem],
                  input_hash: str = "") -> dict:
    """Write ``target`` for ``ev`` and return the summary.json additions (checks, ledger).

    ``warnings`` is extended in place with anything staff should know (e.g. an unreadable
    previous workbook whose typed values could not be read back).
    """
    stale_busy_copies: list[Path] = []

    std, tasks = ev.standard, job.rules.tasks
    checks = run_checks(ev.data, job.rules, evaluation=ev)
    lines = build_ledger(ev, checks, tasks, today=job.today)

    # Staff type into the regular output, or into the "(新)" copy written while it was
    # locked; read both (the copy is newer) so nothing typed in either is lost.
    typed: dict = {}
    for previous in (job.out_dir / f"{job.input.stem}{OUTPUT_SUFFIX}.xlsx",
                     job.out_dir / f"{job.input.stem}{OUTPUT_SUFFIX_BUSY}.xlsx"):
        if not previous.exists():
            continue
        try:
            for line_id, entry in read_staff_entries(previous).items():
                merged = typed.setdefault(line_id, {})
                merged.update({k: v for k, v in entry.items() if v not in ("", None)})
        except UnreadableWorkbookError as exc:
            warnings.append(Problem(Code.PREVIOUS_UNREADABLE, job.input.name,
                                    params={"name": exc.path.name, "reason": exc.reason}))
        backup_previous(previous, keep=std.ledger.backups_kept)
        if previous != target and OUTPUT_SUFFIX_BUSY in previous.stem and not lock_exists(previous):
            stale_busy_copies.append(previous)

    county = ev.data.county or job.input.stem
    with LedgerStore(job.state or job.out_dir, directory=job.out_dir) as store:
        before = store.get_last_run(county)
        rec = reconcile(lines, county, store, typed, date.fromisoformat(job.today), grey_days=std.ledger.grey_days)
        warnings.extend(w.at_file(job.input.name) for w in rec.warnings)
        run_info = {
            "generated": datetime.now().isoformat(timespec="seconds"),
            "tool_version": __version__,
            "input": job.input.name,
            "last_run": before.run_at.isoformat(sep=" ") if before else None,
            "opened_since_last": len(rec.opened),
            "closed_since_last": len(rec.closed),
            "reopened_since_last": len(rec.reopened),
            "state": store.url,
        }
        atomic_write(target, lambda tmp: write_report(ev, tmp, ledger=rec.lines, closed=rec.archived,
                                                      tasks=tasks, checks=checks, run_info=run_info))
        for copy in stale_busy_copies:  # merged above and backed up: the main output replaces it
            copy.unlink(missing_ok=True)
        store.record_run(county, input_name=job.input.name, input_hash=input_hash,
                         standard=std.name, tool_version=__version__,
                         opened=len(rec.opened), closed=len(rec.closed), reopened=len(rec.reopened),
                         open_lines=rec.open_count)
    return {
        "checks": checks_summary(checks),
        "ledger": ledger_summary([ln for ln in rec.lines if ln.status != CLOSED]),
        "recheck_on": _recheck_on(rec.lines, std.ledger.grey_days),
        "ledger_changes": {"opened": len(rec.opened), "closed": len(rec.closed),
                           "reopened": len(rec.reopened), "open": rec.open_count},
    }


def _recheck_on(lines, grey_days: int) -> str | None:
    """The first day a greyed 已销号 line is due to move to the 已销号 sheet.

    An unchanged input may be skipped until then; from that day on it must be re-run so
    the ageing happens even when nobody touches the data.
    """
    days = [date.fromisoformat(ln.closed_on) + timedelta(days=grey_days + 1)
            for ln in lines if ln.status == CLOSED and ln.closed_on]
    return min(days).isoformat() if days else None
