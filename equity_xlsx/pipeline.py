"""One county after evaluation: checks, ledger, ledger memory, and the output workbook.

Order matters for what staff typed: last night's workbook is read back and backed up
before anything replaces it, the ledger store is reconciled with it, and only then is
tonight's workbook written (atomically) over it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .checks import checks_summary, run_checks
from .indicators import Evaluation
from .ledger import build_ledger, ledger_summary
from .readback import UnreadableWorkbookError, backup_previous, read_staff_entries
from .reconcile import reconcile
from .report import write_report
from .store import LedgerStore
from .tasks import load_tasks

if TYPE_CHECKING:
    from .batch import Job


def _warning(job: Job, message: str) -> dict:
    return {"file": job.input.name, "sheet": None, "row": None, "column": None, "message": message}


def build_outputs(ev: Evaluation, target: Path, *, job: Job, warnings: list[dict]) -> dict:
    """Write ``target`` for ``ev`` and return the summary.json additions (checks, ledger).

    ``warnings`` is extended in place with anything staff should know (e.g. an unreadable
    previous workbook whose typed values could not be read back).
    """
    from .batch import OUTPUT_SUFFIX, atomic_write

    std = ev.standard
    tasks = load_tasks(job.tasks)
    checks = run_checks(ev.data, std, tasks, evaluation=ev)
    lines = build_ledger(ev, checks, tasks, today=job.today)

    # Staff type into the regular output; a "(新)" copy exists only while it was locked.
    previous = job.out_dir / f"{job.input.stem}{OUTPUT_SUFFIX}.xlsx"
    typed: dict = {}
    if previous.exists():
        try:
            typed = read_staff_entries(previous)
        except UnreadableWorkbookError as exc:
            warnings.append(_warning(job, f"上次的结果 {previous.name} 无法读取（{exc}），"
                                          "台账中手工填写的内容改用台账库中保存的值。"))
        backup_previous(previous)

    county = ev.data.county or job.input.stem
    with LedgerStore(job.state or job.out_dir, directory=job.out_dir) as store:
        before = store.get_last_run(county)
        rec = reconcile(lines, county, store, typed, date.fromisoformat(job.today))
        warnings.extend(_warning(job, w) for w in rec.warnings)
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
        store.record_run(county, input_name=job.input.name, standard=std.name, tool_version=__version__,
                         opened=len(rec.opened), closed=len(rec.closed), reopened=len(rec.reopened),
                         open_lines=rec.open_count)
    return {
        "checks": checks_summary(checks),
        "ledger": ledger_summary([ln for ln in rec.lines if ln.status != "已销号"]),
        "ledger_changes": {"opened": len(rec.opened), "closed": len(rec.closed),
                           "reopened": len(rec.reopened), "open": rec.open_count},
    }
