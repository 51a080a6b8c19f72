"""One county: read its inputs (unless already read), evaluate, check, keep the ledger, write.

Order matters for what staff typed: last night's workbook is read back and backed up
before anything replaces it, the ledger store is reconciled with it, and only then is
tonight's workbook written (atomically) over it.
"""

from __future__ import annotations

import json
import pickle
import traceback
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from . import __version__
from .checks import checks_summary, run_checks
from .outputs import OUTPUT_SUFFIX_BUSY, OutsideOutput, atomic_write, inside, lock_exists, output_path
from .identity import CountyId
from .indicators import Evaluation, evaluate
from .inputs import InputFile
from .ledger import build_ledger, ledger_summary
from .intake.part import WorkbookPart
from .model import CountyData
from .outcome import CountyOutcome
from .problems import Code, Problem, internal_detail
from .staff_edits import decide, screen, snapshot
from .readback import (BACKUP_DIRNAME, UnreadableWorkbookError, WorkbookEdits, backup_previous, backups_of, read_edits,
                       read_ledger_lines)
from .reconcile import reconcile
from .shared import settle as settle_shared
from .report import write_report
from .rulebook import Rules
from .faults import classify
from .store import HistoryEntry, LedgerStore, describe_state
from .trend import county_brief_data, rows_from_runs, trend_row, with_point
from .brief import render_county_brief, write_brief
from .vocabulary import LedgerStatus


@dataclass(frozen=True)
class CountyJob:
    """Everything one worker needs to evaluate one county, as plain picklable values.

    ``payloads[i]`` is ``inputs[i]`` already read (a pickled WorkbookPart), or None to read it
    here. ``stem`` is the output name assigned to the county; ``legacy`` are output files an
    earlier version named after an input, whose typed values are read back and then retired.
    """

    county: CountyId
    inputs: tuple[InputFile, ...]
    out_dir: Path
    stem: str
    rules: Rules
    state: str | None
    today: str  # ISO date of the run
    payloads: tuple[bytes | None, ...] = ()
    legacy: tuple[str, ...] = ()
    fingerprint: dict = field(default_factory=dict)
    notes: tuple[Problem, ...] = ()  # found while filing the inputs (a school filed by its folder …)
    year: int | None = None  # --year: the year the data describes (else from titles or file names)


def read_input(f: InputFile, rules: Rules) -> list[WorkbookPart]:
    """One input file read (never raises): a whole county's part (a collection table), a
    school's 基层表 part, or one part per county of a stage export."""
    from .intake import read_file

    return read_file(f.path, rules, display_name=f.name)


def evaluate_county(job: CountyJob) -> CountyOutcome:
    """Evaluate one county and write its workbook; never raises (errors become the outcome)."""
    names = [f.name for f in job.inputs]
    try:
        return _evaluate_county(job)
    except MemoryError:
        err = Problem(Code.OUT_OF_MEMORY, names[0], params={"limit_mb": job.rules.standard.limits.max_worker_memory_mb})
        return CountyOutcome.failed(names[0], err, names, county=job.county.name, county_code=job.county.code)
    except OutsideOutput as exc:
        err = Problem(Code.OUTPUT_OUTSIDE, names[0], params={"name": exc.path.name, "folder": str(exc.folder)})
        return CountyOutcome.failed(names[0], err, names, county=job.county.name, county_code=job.county.code)
    except Exception as exc:  # one county's failure must never stop the batch
        fault = classify(exc, database=describe_state(job.state, job.out_dir), folder=job.out_dir)
        if fault is not None:  # the machine or the database: batch stops the run (faults.Fault)
            return CountyOutcome.failed(names[0], fault.problem.at_file(names[0]), names, county=job.county.name,
                                        county_code=job.county.code, extra={"trace": f"{names[0]}：{fault.detail}"})
        err = Problem(Code.INTERNAL, names[0], params={
            "during": "处理该县数据", "consequence": "该县本次未能评估", "detail": internal_detail(exc)})
        return CountyOutcome.failed(names[0], err, names, county=job.county.name, county_code=job.county.code,
                                    extra={"trace": traceback.format_exc()})


def _data_of(job: CountyJob) -> CountyData:
    """The county's data: its parts (a collection table, school workbooks, its rows of the
    stage exports) assembled. An input not read in this run's first phase is read here."""
    from .intake import assemble

    pieces: list[WorkbookPart] = []
    for i, f in enumerate(job.inputs):
        payload = job.payloads[i] if i < len(job.payloads) else None
        if payload is not None:
            pieces.append(pickle.loads(payload))
        else:
            read = read_input(f, job.rules)
            pieces += [p for p in read if p.kind == "school" or p.county_id.key == job.county.key] or read[:1]
    return assemble(pieces, job.rules)


def _evaluate_county(job: CountyJob) -> CountyOutcome:
    names = [f.name for f in job.inputs]
    data = _data_of(job)
    data.identity = job.county
    if job.county.source == "schools":  # a renamed file recognised by its schools: the ledger keeps its name
        data.county = job.county.name
    data.problems.extend(job.notes)
    # The task list in the county's own words (全县 / 区教育局 …), for checks, ledger and sheets.
    job = replace(job, rules=replace(job.rules, tasks=job.rules.tasks.render(job.county)))
    outcome = CountyOutcome(input=names[0], inputs=names, county=job.county.name, county_code=job.county.code)
    for p in data.problems:
        outcome.add(p)
    if not data.sections:
        outcome.status = "error"
        if not outcome.errors:
            outcome.add(Problem(Code.NO_SCHOOL_DATA, names[0]))
        return outcome
    ev = evaluate(data, job.rules.standard)
    year = job.year or data.data_year or int(job.today[:4])
    target = output_path(job.out_dir, job.stem)
    if lock_exists(target):
        busy = output_path(job.out_dir, job.stem, busy=True)
        outcome.add(Problem(Code.OUTPUT_LOCKED, names[0], params={"target": target.name, "busy": busy.name}))
        target = busy
    outcome.take_evaluation(ev)
    outcome.extra = build_outputs(ev, target, job=job, outcome=outcome, data_year=year)
    outcome.output = target.name
    with LedgerStore(job.state or job.out_dir, directory=job.out_dir) as store:
        store.record_run(job.county.key, input_name=names[0], input_hash=job.fingerprint.get("inputs", {}).get(names[0], ""),
                         standard=job.rules.standard.name, tool_version=__version__,
                         opened=outcome.extra["ledger_changes"]["opened"],
                         closed=outcome.extra["ledger_changes"]["closed"],
                         reopened=outcome.extra["ledger_changes"]["reopened"],
                         open_lines=outcome.extra["ledger_changes"]["open"],
                         county_name=job.county.name, outcome=json.dumps(outcome.to_json(), ensure_ascii=False),
                         data_year=year, run_at=run_moment(job.today))
    return outcome


def _previous_outputs(job: CountyJob, target: Path) -> list[Path]:
    """Workbooks staff may have typed into since the last run: the result, its (新) copy, and
    results an earlier version named after an input file."""
    found = [output_path(job.out_dir, job.stem), output_path(job.out_dir, job.stem, busy=True)]
    found += [inside(job.out_dir, job.out_dir / name) for name in job.legacy]
    return [p for p in dict.fromkeys(found) if p.exists()]


def build_outputs(ev: Evaluation, target: Path, *, job: CountyJob, outcome: CountyOutcome, data_year: int) -> dict:
    """Write ``target`` (and the county's one-page brief beside it) for ``ev`` and return the
    summary.json additions (checks, ledger, data year, ledger totals, B类 score, brief).

    ``outcome`` already holds the evaluation (stages, schools); its ``warnings`` are extended
    in place with anything staff should know (e.g. an unreadable previous workbook whose
    typed values could not be read back).
    """
    warnings = outcome.warnings
    screened: list[Problem] = []  # typed cells that could not be used (errors and warnings)
    std, tasks = ev.standard, job.rules.tasks
    checks = run_checks(ev.data, job.rules, evaluation=ev)
    lines = build_ledger(ev, checks, tasks, today=job.today)
    first_input = job.inputs[0].name

    county = job.county
    with LedgerStore(job.state or job.out_dir, directory=job.out_dir) as store:
        store.adopt(county.key, [county.name])
        rebuilt = _rebuild_if_lost(store, county.key, _previous_outputs(job, target), job.today)
        if rebuilt is not None:
            warnings.append(rebuilt.at_file(first_input))
        # Staff type into the result, or into the "(新)" copy written while it was open, or both:
        # each is read and compared, cell by cell, with what the tool wrote into that file;
        # whatever cannot be used (a damaged sheet, a row without its number, a score out of
        # range) is taken out and reported at its row.
        read: list[tuple[WorkbookEdits, dict | None]] = []
        retire: list[Path] = []
        known = set(store.load(county.key)) | {ln.id for ln in lines}
        points = {it.id: float(it.score) for it in tasks.items if it.category == "B" and it.score}
        for previous in _previous_outputs(job, target):
            written = store.written(county.key, previous.name, job.out_dir)
            try:
                edits: WorkbookEdits | None = read_edits(previous)
            except UnreadableWorkbookError as exc:
                edits = None
                warnings.append(Problem(Code.PREVIOUS_UNREADABLE, first_input,
                                        params={"name": exc.path.name, "reason": exc.reason}))
            copy = backup_previous(previous, keep=std.ledger.backups_kept) or (backups_of(previous) or [None])[-1]
            if edits is not None:
                kept_at = f"{BACKUP_DIRNAME}/{copy.name}" if copy is not None else previous.name
                for p in screen(edits, written=written, known_ids=known | set((written or {}).get("lines") or {}),
                                points=points, status_choices=std.ledger.status_choices, backup=kept_at):
                    outcome.add(p)
                    screened.append(p)
                read.append((edits, written))
            if previous != target and not lock_exists(previous) and (
                    OUTPUT_SUFFIX_BUSY in previous.stem or previous.name in job.legacy):
                retire.append(previous)
        typed = decide(read)
        warnings.extend(typed.conflicts)
        # Another output folder may share this county's ledger: the later edit wins, both say so.
        warnings.extend(p.at_file(first_input) for p in settle_shared(store, county.key, job.out_dir, typed))
        for edits, _ in read:
            warnings.extend(Problem(Code.STAFF_COLUMN_UNPLACED, first_input, params={
                "file_name": edits.file, "sheet": u.sheet, "column": u.column, "cells": u.cells,
                "what": f"的表头“{u.header}”与另一列重复" if u.header else "没有表头"}) for u in edits.unplaced)
        store.save_scores(county.key, typed.scores)
        scores = store.scores(county.key)

        before = store.get_last_run(county.key)
        rec = reconcile(lines, county.key, store, typed.lines, date.fromisoformat(job.today),
                        grey_days=std.ledger.grey_days)
        warnings.extend(w.at_file(first_input) for w in rec.warnings)
        moment = run_moment(job.today)
        stamp = moment.isoformat(sep=" ", timespec="seconds")
        run_info = {
            "generated": moment.isoformat(timespec="seconds"),
            "tool_version": __version__,
            "input": "、".join(f.name for f in job.inputs),
            "last_run": before.run_at.isoformat(sep=" ") if before else None,
            "opened_since_last": len(rec.opened),
            "closed_since_last": len(rec.closed),
            "reopened_since_last": len(rec.reopened),
            "state": store.url,
        }
        problems = [*ev.data.problems, *screened,
                    *(w for w in warnings if w not in ev.data.problems and w not in screened)]
        open_lines = [ln for ln in rec.lines if ln.status != LedgerStatus.CLOSED]
        totals = {"open": len(open_lines),
                  "closed": sum(1 for ln in rec.lines if ln.status == LedgerStatus.CLOSED) + len(rec.archived)}
        current = outcome.to_json()
        point = trend_row({**current, "ledger_totals": totals}, data_year, stamp)
        trend = with_point(rows_from_runs(store.year_runs(county.key)), point)
        months = store.ledger_months(county.key)
        atomic_write(target, lambda tmp: write_report(ev, tmp, rules=job.rules, ledger=rec.lines, closed=rec.archived,
                                                      checks=checks, run_info=run_info, scores=scores,
                                                      problems=problems, trend=trend, ledger_months=months))
        store.record_written(county.key, target.name, snapshot([*rec.lines, *rec.archived], scores), job.out_dir)
        for copy in retire:  # merged above and backed up: the result replaces it
            copy.unlink(missing_ok=True)
            store.record_written(county.key, copy.name, None, job.out_dir)
    ledger = ledger_summary(open_lines)
    extra = {
        "checks": checks_summary(checks),
        "ledger": ledger,
        "recheck_on": _recheck_on(rec.lines, std.ledger.grey_days),
        "ledger_changes": {"opened": len(rec.opened), "closed": len(rec.closed),
                           "reopened": len(rec.reopened), "open": rec.open_count},
        "ledger_totals": totals,
        "data_year": data_year,
        "b_score": {"total": sum(scores.values()), "items": len(scores)} if scores else None,
    }
    brief = brief_path(job.out_dir, job.stem)
    data = county_brief_data({**current, **extra}, std, county, data_year=data_year, generated=stamp, trend=trend,
                             ledger=ledger)
    write_brief(brief, render_county_brief(data))
    extra["brief"] = brief.name
    return extra


def run_moment(today: str) -> datetime:
    """This run's date (the run's ``today``: the real date, or the one a test simulates) at
    the time of day now."""
    return datetime.combine(date.fromisoformat(today), datetime.now().time()).replace(microsecond=0)


def brief_path(out_dir: Path, stem: str) -> Path:
    """The county's one-page brief beside its workbook: 大祥区_简报.html (OutsideOutput when
    that path would not lie inside ``out_dir``)."""
    return inside(out_dir, out_dir / f"{stem}_简报.html")


def _rebuild_if_lost(store: LedgerStore, county: str, previous: list[Path], today: str) -> Problem | None:
    """When the store knows nothing of ``county`` (a new, deleted or replaced database) but a
    result workbook exists, put that workbook's lines — open and 已销号, with their status,
    dates and what staff typed — back into the store. Returns the problem that says so."""
    if not previous or store.counts(county) != (0, 0):
        return None
    source = max(previous, key=lambda p: p.stat().st_mtime)
    try:
        lines = read_ledger_lines(source)
    except Exception:  # noqa: BLE001 - an unreadable workbook is reported where its edits are read
        return None
    if not lines:
        return None
    for line in lines:
        line.county = county
    store.save(county, lines, [HistoryEntry(county, ln.id, today, "", ln.status, f"台账数据库重建：由 {source.name} 恢复")
                               for ln in lines])
    return Problem(Code.LEDGER_REBUILT, params={"source": source.name, "lines": len(lines),
                                                "closed": sum(1 for ln in lines if ln.status == LedgerStatus.CLOSED)})


def _recheck_on(lines, grey_days: int) -> str | None:
    """The first day a greyed 已销号 line is due to move to the 已销号 sheet.

    An unchanged input may be skipped until then; from that day on it must be re-run so
    the ageing happens even when nobody touches the data.
    """
    days = [date.fromisoformat(ln.closed_on) + timedelta(days=grey_days + 1)
            for ln in lines if ln.status == LedgerStatus.CLOSED and ln.closed_on]
    return min(days).isoformat() if days else None
