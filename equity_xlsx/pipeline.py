"""One county: a short script of named steps, handed one open ledger store.

    read the county's data                          (I/O: its input workbooks)
    evaluate       -> the seven indicators, CVs      (pure)
    find           -> A类 checks, tonight's ledger lines (pure)
    read_before    -> last night's workbooks, the store's memory of the county
                                                    (I/O: the workbooks, one store transaction)
    ledger_state   -> what staff typed, 销号, scores, the trend (pure)
    render         -> the workbook, the brief, the store (I/O: files, one store transaction)

Order matters for what staff typed: last night's workbook is read back and backed up before
anything replaces it, its values are weighed against the store, and only then is tonight's
workbook written (atomically) over it. The store is entered twice per county: once to read
what it remembers, once, after the files are written, to remember tonight.
"""

from __future__ import annotations

import json
import pickle
import traceback
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from . import __version__
from .brief import CountyBrief, render_county_brief, write_brief
from .checks import ChecksResult, checks_summary, run_checks
from .faults import classify
from .outputs import OUTPUT_SUFFIX_BUSY, OutsideOutput, atomic_write, inside, lock_exists, output_path
from .identity import CountyId
from .indicators import Evaluation, evaluate
from .inputs import InputFile
from .intake.part import WorkbookPart
from .ledger import build_ledger, ledger_summary
from .model import CountyData, LedgerLine
from .outcome import BScore, CheckOutcome, CountyOutcome, LedgerChanges, LedgerItem, LedgerTotals, TrendPoint
from .problems import Code, Problem, internal_detail
from .readback import (BACKUP_DIRNAME, UnreadableWorkbookError, WorkbookEdits, backup_previous, backups_of, read_edits,
                       read_ledger_lines)
from .reconcile import Reconciled, merge
from .report import write_report
from .rulebook import Rules
from .shared import weigh
from .staff_edits import Typed, decide, screen, snapshot
from .store import (CountyLedger, CountyWrites, HistoryEntry, LedgerStore, RunRecord, as_stored, count_months,
                    describe_state)
from .trend import points_from_runs, run_time, with_point
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

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.inputs]


def read_input(f: InputFile, rules: Rules) -> list[WorkbookPart]:
    """One input file read (never raises): a whole county's part (a collection table), a
    school's 基层表 part, or one part per county of a stage export."""
    from .intake import read_file

    return read_file(f.path, rules, display_name=f.name)


def evaluate_county(job: CountyJob) -> CountyOutcome:
    """Evaluate one county and write its workbook; never raises (errors become the outcome)."""
    names = job.names
    who = {"county": job.county.name, "county_code": job.county.code}
    try:
        return _evaluate_county(job)
    except MemoryError:
        err = Problem(Code.OUT_OF_MEMORY, names[0], params={"limit_mb": job.rules.standard.limits.max_worker_memory_mb})
        return CountyOutcome.failed(names[0], err, names, **who)
    except OutsideOutput as exc:
        err = Problem(Code.OUTPUT_OUTSIDE, names[0], params={"name": exc.path.name, "folder": str(exc.folder)})
        return CountyOutcome.failed(names[0], err, names, **who)
    except Exception as exc:  # one county's failure must never stop the batch
        fault = classify(exc, database=describe_state(job.state, job.out_dir), folder=job.out_dir)
        if fault is not None:  # the machine or the database: batch stops the run (faults.Fault)
            return CountyOutcome.failed(names[0], fault.problem.at_file(names[0]), names, **who,
                                        trace=f"{names[0]}：{fault.detail}")
        err = Problem(Code.INTERNAL, names[0], params={
            "during": "处理该县数据", "consequence": "该县本次未能评估", "detail": internal_detail(exc)})
        return CountyOutcome.failed(names[0], err, names, **who, trace=traceback.format_exc())


def _evaluate_county(job: CountyJob) -> CountyOutcome:
    """Read the county's data; when it has schools, run the county with the store open."""
    data = read_county(job)
    # The task list in the county's own words (全县 / 区教育局 …), for checks, ledger and sheets.
    job = replace(job, rules=replace(job.rules, tasks=job.rules.tasks.render(job.county)))
    outcome = CountyOutcome(input=job.names[0], inputs=job.names, county=job.county.name, county_code=job.county.code)
    for p in data.problems:
        outcome.add(p)
    if not data.sections:
        outcome.status = "error"
        if not outcome.errors:
            outcome.add(Problem(Code.NO_SCHOOL_DATA, job.names[0]))
        return outcome
    with LedgerStore(job.state or job.out_dir, directory=job.out_dir) as store:
        return run_county(job, data, outcome, store)


def run_county(job: CountyJob, data: CountyData, outcome: CountyOutcome, store: LedgerStore) -> CountyOutcome:
    """The county's run, step by step (module docstring); ``store`` is the one open session."""
    ev = evaluate(data, job.rules.standard)
    outcome.take_evaluation(ev)
    found = find(ev, job)
    before = read_before(job, store)
    moment = run_moment(job.today)
    state = ledger_state(job, ev, found, before, outcome, moment)
    return render(job, ev, found, before, state, outcome, store)


# ------------------------------------------------------------------ reading

def read_county(job: CountyJob) -> CountyData:
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
    data = assemble(pieces, job.rules)
    data.identity = job.county
    if job.county.source == "schools":  # a renamed file recognised by its schools: the ledger keeps its name
        data.county = job.county.name
    data.problems.extend(job.notes)
    return data


@dataclass
class PreviousWorkbook:
    """A result workbook staff may have typed into since the last run, as read tonight:
    its typed cells (None: it could not be read, ``unreadable`` says why), where its copy is
    kept now, and whether it is retired tonight (a (新) copy or an earlier version's name,
    merged and backed up, so tonight's result replaces it)."""

    path: Path
    edits: WorkbookEdits | None
    unreadable: str | None
    kept_at: str
    retire: bool


@dataclass
class Before:
    """What the county's run reads before it decides anything: where tonight's workbook goes
    (``locked``: the result is open in Excel/WPS, so it goes to the (新) copy), the store's
    memory of the county, the ledger a lost store gets back from the newest result workbook
    (``rebuilt_from``), and last night's workbooks."""

    target: Path
    locked: Problem | None
    ledger: CountyLedger
    state_url: str
    previous: list[PreviousWorkbook]
    rebuilt: list[LedgerLine] = field(default_factory=list)
    rebuilt_from: str = ""


def previous_outputs(job: CountyJob) -> list[Path]:
    """Workbooks staff may have typed into since the last run: the result, its (新) copy, and
    results an earlier version named after an input file."""
    found = [output_path(job.out_dir, job.stem), output_path(job.out_dir, job.stem, busy=True)]
    found += [inside(job.out_dir, job.out_dir / name) for name in job.legacy]
    return [p for p in dict.fromkeys(found) if p.exists()]


def read_before(job: CountyJob, store: LedgerStore) -> Before:
    """Read last night's workbooks (each backed up before anything replaces it) and, in one
    transaction, what the store remembers of the county (its earlier key adopted)."""
    target, locked = output_path(job.out_dir, job.stem), None
    if lock_exists(target):
        busy = output_path(job.out_dir, job.stem, busy=True)
        locked = Problem(Code.OUTPUT_LOCKED, job.names[0], params={"target": target.name, "busy": busy.name})
        target = busy
    paths = previous_outputs(job)
    ledger = store.read_county(job.county.key, earlier=[job.county.name], files=[p.name for p in paths],
                               folder=job.out_dir)
    before = Before(target, locked, ledger, store.url, [])
    if not ledger.known and paths:
        before.rebuilt_from, before.rebuilt = _lost_ledger(paths)
    keep = job.rules.standard.ledger.backups_kept
    for path in paths:
        try:
            edits, unreadable = read_edits(path), None
        except UnreadableWorkbookError as exc:
            edits, unreadable = None, exc.reason
        copy = backup_previous(path, keep=keep) or (backups_of(path) or [None])[-1]
        kept_at = f"{BACKUP_DIRNAME}/{copy.name}" if copy is not None else path.name
        retire = path != target and not lock_exists(path) and (
            OUTPUT_SUFFIX_BUSY in path.stem or path.name in job.legacy)
        before.previous.append(PreviousWorkbook(path, edits, unreadable, kept_at, retire))
    return before


def _lost_ledger(previous: list[Path]) -> tuple[str, list[LedgerLine]]:
    """The store knows nothing of the county (a new, deleted or replaced database) but a result
    workbook exists: its lines — open and 已销号, with their status, dates and what staff
    typed — from the newest such workbook. ("", []) when it cannot be read."""
    source = max(previous, key=lambda p: p.stat().st_mtime)
    try:
        lines = read_ledger_lines(source)
    except Exception:  # noqa: BLE001 - an unreadable workbook is reported where its edits are read
        return "", []
    return source.name, lines


# ------------------------------------------------------------------ deciding (pure)

@dataclass(frozen=True)
class Findings:
    """What tonight's data shows, before any memory: the A类 checks and the ledger lines."""

    checks: ChecksResult
    lines: list[LedgerLine]


def find(ev: Evaluation, job: CountyJob) -> Findings:
    """The A类 checks and tonight's 整改台账 lines of an evaluation (pure)."""
    checks = run_checks(ev.data, job.rules, evaluation=ev)
    return Findings(checks, build_ledger(ev, checks, job.rules.tasks, today=job.today))


@dataclass
class LedgerState:
    """Tonight's ledger decided: the reconciled lines, the B类 scores, the edits of every
    folder weighed, the problems found on the way (in the order found; ``screened``: typed
    cells that could not be used), the run's facts for 概览, the run's moment and data year,
    the trend and the ledger's months, and what the store must remember (``writes``,
    completed by ``render``)."""

    reconciled: Reconciled
    scores: dict[str, float]
    problems: list[Problem]
    screened: list[Problem]
    run_info: dict
    moment: datetime
    year: int
    totals: LedgerTotals
    trend: list[TrendPoint]
    months: list[tuple[str, int, int]]
    writes: CountyWrites

    @property
    def stamp(self) -> str:
        """The run's moment as the trend and the brief show it: "YYYY-MM-DD HH:MM:SS"."""
        return run_time(self.moment)


def ledger_state(job: CountyJob, ev: Evaluation, found: Findings, before: Before, outcome: CountyOutcome,
                 moment: datetime) -> LedgerState:
    """Weigh what staff typed (every file, every folder) against the store, and reconcile
    tonight's lines with it: what to write tonight (pure; ``outcome`` is only read)."""
    std, key, first_input = ev.standard, job.county.key, job.names[0]
    problems: list[Problem] = [before.locked] if before.locked else []
    stored = before.ledger.lines
    history: list[HistoryEntry] = []
    if before.rebuilt:
        rebuilt = [as_stored(replace(ln, county=key)) for ln in before.rebuilt]
        stored = {ln.id: ln for ln in sorted(rebuilt, key=lambda ln: ln.id)}
        history = [HistoryEntry(key, ln.id, job.today, "", ln.status, f"台账数据库重建：由 {before.rebuilt_from} 恢复")
                   for ln in rebuilt]
        problems.append(Problem(Code.LEDGER_REBUILT, params={
            "source": before.rebuilt_from, "lines": len(rebuilt),
            "closed": sum(1 for ln in rebuilt if ln.status == LedgerStatus.CLOSED)}).at_file(first_input))

    typed, screened = _typed(job, found, before, stored, problems)
    settled = weigh(before.ledger.edits, before.ledger.untold, job.out_dir, typed)
    problems += typed.conflicts
    # Another output folder may share this county's ledger: the later edit wins, both say so.
    problems += [p.at_file(first_input) for p in settled.problems]
    for prev in before.previous:
        if prev.edits is not None:
            problems += [Problem(Code.STAFF_COLUMN_UNPLACED, first_input, params={
                "file_name": prev.edits.file, "sheet": u.sheet, "column": u.column, "cells": u.cells,
                "what": f"的表头“{u.header}”与另一列重复" if u.header else "没有表头"}) for u in prev.edits.unplaced]
    scores = dict(before.ledger.scores)
    if typed.scores:  # the store keeps them in item order
        scores = dict(sorted({**scores, **typed.scores}.items()))

    rec = merge(found.lines, key, stored, typed.lines, date.fromisoformat(job.today), grey_days=std.ledger.grey_days)
    problems += [w.at_file(first_input) for w in rec.warnings]
    last = before.ledger.last_run
    run_info = {
        "generated": moment.isoformat(timespec="seconds"),
        "tool_version": __version__,
        "input": "、".join(job.names),
        "last_run": last.run_at.isoformat(sep=" ") if last else None,
        "opened_since_last": len(rec.opened),
        "closed_since_last": len(rec.closed),
        "reopened_since_last": len(rec.reopened),
        "state": before.state_url,
    }
    totals = LedgerTotals(open=rec.open_count,
                          closed=sum(1 for ln in rec.lines if ln.status == LedgerStatus.CLOSED) + len(rec.archived))
    year = data_year(job, ev)
    history += rec.history
    # The lines a rebuilt ledger gets back are new to the store, changed tonight or not.
    lines = list({**{ln.id: ln for ln in stored.values()}, **{ln.id: ln for ln in rec.changed}}.values()) \
        if before.rebuilt else rec.changed
    months = count_months([*before.ledger.status_changes,
                           *((h.on_date, h.from_value, h.to_value) for h in history if h.field == "status")])
    writes = CountyWrites(lines=lines, history=history, scores=typed.scores, edits=settled.kept,
                          conflicts=settled.conflicts, told=settled.told)
    point = outcome.trend_point(year, run_time(moment), totals)
    trend = with_point(points_from_runs(before.ledger.year_runs), point)
    return LedgerState(rec, scores, problems, screened, run_info, moment, year, totals, trend, months, writes)


def _typed(job: CountyJob, found: Findings, before: Before, stored: dict[str, LedgerLine],
           problems: list[Problem]) -> tuple[Typed, list[Problem]]:
    """What staff typed into the result, or into the "(新)" copy written while it was open, or
    both: each is compared, cell by cell, with what the tool wrote into that file; whatever
    cannot be used (a damaged sheet, a row without its number, a score out of range) is taken
    out and reported at its row (added to ``problems``; also returned, as ``screened``)."""
    std, tasks = job.rules.standard, job.rules.tasks
    known = set(stored) | {ln.id for ln in found.lines}
    points = {it.id: float(it.score) for it in tasks.items if it.category == "B" and it.score}
    read: list[tuple[WorkbookEdits, dict | None]] = []
    screened: list[Problem] = []
    for prev in before.previous:
        written = before.ledger.written.get(prev.path.name)
        if prev.edits is None:
            problems.append(Problem(Code.PREVIOUS_UNREADABLE, job.names[0],
                                    params={"name": prev.path.name, "reason": prev.unreadable}))
            continue
        for p in screen(prev.edits, written=written, known_ids=known | set((written or {}).get("lines") or {}),
                        points=points, status_choices=std.ledger.status_choices, backup=prev.kept_at):
            problems.append(p)
            screened.append(p)
        read.append((prev.edits, written))
    return decide(read), screened


def data_year(job: CountyJob, ev: Evaluation) -> int:
    """The year the data describes: --year, else from titles or file names, else the run's."""
    return job.year or ev.data.data_year or int(job.today[:4])


# ------------------------------------------------------------------ writing

def render(job: CountyJob, ev: Evaluation, found: Findings, before: Before, state: LedgerState,
           outcome: CountyOutcome, store: LedgerStore) -> CountyOutcome:
    """Write tonight's workbook (atomically, over last night's), retire the copies merged into
    it, write the brief beside it, and remember tonight in the store (one transaction)."""
    for p in state.problems:
        outcome.add(p)
    rec, target = state.reconciled, before.target
    sheet_problems = [*ev.data.problems, *state.screened,
                      *(w for w in outcome.warnings if w not in ev.data.problems and w not in state.screened)]
    atomic_write(target, lambda tmp: write_report(
        ev, tmp, rules=job.rules, ledger=rec.lines, closed=rec.archived, checks=found.checks,
        run_info=state.run_info, scores=state.scores, problems=sheet_problems, trend=state.trend,
        ledger_months=state.months))
    writes = state.writes
    writes.written[target.name] = snapshot([*rec.lines, *rec.archived], state.scores)
    for prev in before.previous:
        if prev.retire:  # merged above and backed up: the result replaces it
            prev.path.unlink(missing_ok=True)
            writes.written[prev.path.name] = None

    open_lines = [ln for ln in rec.lines if ln.status != LedgerStatus.CLOSED]
    outcome.checks = {k: CheckOutcome(**v) for k, v in checks_summary(found.checks).items()}
    outcome.ledger = [LedgerItem(**ln) for ln in ledger_summary(open_lines)]
    outcome.recheck_on = _recheck_on(rec.lines, ev.standard.ledger.grey_days)
    outcome.ledger_changes = LedgerChanges(len(rec.opened), len(rec.closed), len(rec.reopened), rec.open_count)
    outcome.ledger_totals = state.totals
    outcome.data_year = state.year
    outcome.b_score = BScore(sum(state.scores.values()), len(state.scores)) if state.scores else None
    brief = brief_path(job.out_dir, job.stem)
    write_brief(brief, render_county_brief(CountyBrief.of(outcome, ev.standard, job.county, generated=state.stamp,
                                                          trend=state.trend)))
    outcome.brief = brief.name
    outcome.output = target.name

    changes = outcome.ledger_changes
    writes.run = RunRecord(
        job.county.key, input_name=job.names[0], run_at=state.moment,
        input_hash=job.fingerprint.get("inputs", {}).get(job.names[0], ""), standard=ev.standard.name,
        tool_version=__version__, opened=changes.opened, closed=changes.closed, reopened=changes.reopened,
        open_lines=changes.open, county_name=job.county.name,
        outcome=json.dumps(outcome.to_json(), ensure_ascii=False), data_year=state.year)
    store.write_county(job.county.key, writes, folder=job.out_dir)
    return outcome


def run_moment(today: str) -> datetime:
    """This run's date (the run's ``today``: the real date, or the one a test simulates) at
    the time of day now."""
    return datetime.combine(date.fromisoformat(today), datetime.now().time()).replace(microsecond=0)


def brief_path(out_dir: Path, stem: str) -> Path:
    """The county's one-page brief beside its workbook: 大祥区_简报.html (OutsideOutput when
    that path would not lie inside ``out_dir``)."""
    return inside(out_dir, out_dir / f"{stem}_简报.html")


def _recheck_on(lines, grey_days: int) -> str | None:
    """The first day a greyed 已销号 line is due to move to the 已销号 sheet.

    An unchanged input may be skipped until then; from that day on it must be re-run so
    the ageing happens even when nobody touches the data.
    """
    days = [date.fromisoformat(ln.closed_on) + timedelta(days=grey_days + 1)
            for ln in lines if ln.status == LedgerStatus.CLOSED and ln.closed_on]
    return min(days).isoformat() if days else None
