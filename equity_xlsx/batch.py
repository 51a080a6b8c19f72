"""A run: every county found in the inputs evaluated into the output folder, step by step.

``run`` checks how the tool was called (nothing is written on a usage error), takes the output
folder's lock and hands over to ``Run.go``, the run's script:

1. prepare: clear what a stopped run left, open the run cache (runcache.py), check the ledger
   database, hash every input (inputs.py);
2. read and file: each new or changed input read in an isolated worker (workers.py), unchanged
   ones known from the cache; every input filed under its county (filing.py);
3. plan: one source per county (the clash rule), each county's output name assigned once and for
   all, counties whose inputs, rules and tool are unchanged answered from the cache;
4. evaluate: each remaining county in an isolated worker (pipeline.py), written atomically;
5. remember: the cache, each county's schools, a backup of the ledger database;
6. report: the city roll-up, summary.json and 运行报告.xlsx.

Whatever goes wrong with one input or county becomes its own error entry; the others still
finish. A fault of the machine or the database (faults.py) stops the run after the county it
met. Inputs are never written; outputs are replaced atomically after a backup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from . import __version__
from .faults import FAULT_CODES, Exit, Fault, classify
from .filing import County, Filing, Roster, check_prefer, settle_clash
from .inputs import InputFile, NotRead, UsageError, input_hashes, survey
from .outcome import CountyOutcome
from .outputs import (CACHE_DIR, CITY_BRIEF, OUTPUT_SUFFIX, ROLLUP, RUN_REPORT, SUMMARY, OutsideOutput, atomic_write,
                      folder_lock, inside, legacy_output, remove_stale_temporaries, set_aside_stale)
from .pipeline import CountyJob, evaluate_county
from .problems import TITLES, Code, Problem, internal_detail
from .progress import Reporter, outcome_line
from .readback import BACKUP_DIRNAME
from .rulebook import Rules, load_rules
from .runcache import RunCache, fingerprint, rules_hash, staff_may_have_typed, written_hashes
from .store import (DEFAULT_FILENAME, LedgerStore, StoreUnavailable, backup_sqlite, describe_state, set_aside,
                    sqlite_trouble, state_url)
from .summary import write_summary
from .workers import ReadResult, ReadTask, read_one, run_isolated

__all__ = ["RunResult", "UsageError", "run"]


@dataclass
class RunResult:
    outcomes: list[CountyOutcome] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # about the run itself
    fault: Fault | None = None  # what stopped the run early (a full disk, a lost database …)

    @property
    def entries(self) -> list[dict]:
        """summary.json's ``workbooks``, one per county (or per input that could not be filed)."""
        return [o.to_json() for o in self.outcomes]

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok)

    @property
    def exit_code(self) -> int:
        """faults.Exit: the fault's code when one stopped the run, else 1 if a county failed."""
        if self.fault is not None:
            return self.fault.exit_code
        return Exit.FAILED if self.failed else Exit.OK


def report_order(outcome: CountyOutcome, order: dict[str, int],
                 planned: dict[tuple[str | None, str | None], int]) -> tuple[int, int]:
    """Where a county stands in summary.json and 运行报告: by its first input's place among the
    inputs, then, for counties sharing one input (a city export), by the order they were
    planned in (the order the input gives them), whichever worker finished first."""
    return (order.get(outcome.input, len(order)),
            planned.get((outcome.county, outcome.county_code), len(planned)))


def run(inputs: list[Path], out_dir: Path, *, standard: str, tasks: str | None = None,
        state: str | None = None, jobs: int | None = None, force: bool = False,
        reporter: Reporter | None = None, today: date | None = None,
        prefer: Iterable[str] = (), wait: float = 600.0, year: int | None = None) -> RunResult:
    """Evaluate every county found in ``inputs`` into ``out_dir``; write summary.json and 运行报告.xlsx.

    ``prefer``: input names (or file names) to keep when several inputs claim one county.
    ``wait``: seconds to wait for another run that holds ``out_dir`` (then FolderBusy).
    ``year``: the year the data describes, for the trend (else from titles or file names).
    Usage errors (UsageError, RuleError, FolderBusy) are raised before anything is written.
    """
    rules = load_rules(standard, tasks)  # fail fast on a bad --standard or --tasks (usage error)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out 应为一个文件夹，但 {out_dir} 是一个文件")
    files, not_read = survey(inputs, out_dir)
    if not files:
        where = "、".join(str(p) for p in inputs)
        seen = f"（找到 {len(not_read)} 个其他文件，见下）" if not_read else ""
        raise UsageError(f"在 {where} 中没有找到任何工作簿（.xlsx .xlsm .xls .ods）{seen}。"
                         "如果数据在网络共享盘上，请确认共享盘已挂载。"
                         + "".join(f"\n  {n.file}：{n.reason}" for n in not_read[:10]))
    _refuse_links_out(out_dir, state)
    check_prefer(prefer, files)
    reporter = reporter or Reporter(0, quiet=True)
    if state and "://" in state:  # a shared database: unreachable is a usage error, found at once
        _open_or_fail(state, out_dir, reporter)
    with folder_lock(out_dir, wait):
        return Run(rules, out_dir, files, not_read, state=state, jobs=jobs or os.cpu_count() or 1, force=force,
                   reporter=reporter, today=(today or date.today()).isoformat(), prefer=tuple(prefer),
                   year=year).go()


def _refuse_links_out(out_dir: Path, state: str | None) -> None:
    """A UsageError when a folder or file the run writes under a fixed name (备份, the cache,
    the default ledger) is a link leading out of ``out_dir``: the run would write there."""
    names = [BACKUP_DIRNAME, CACHE_DIR] + ([DEFAULT_FILENAME] if state is None else [])
    for name in names:
        path = out_dir / name
        if not (path.exists() or path.is_symlink()):
            continue
        try:
            inside(out_dir, path)
        except OutsideOutput:
            hint = "；台账库要放在别处请用 --state 指定" if name == DEFAULT_FILENAME else ""
            raise UsageError(f"输出文件夹中的 {name} 是指向输出文件夹之外的链接，为安全起见本次未运行，"
                             f"没有改动任何文件；请删除该链接后再运行{hint}") from None


def _open_or_fail(state: str | None, out_dir: Path, reporter: Reporter) -> None:
    """Open (and migrate) the ledger database once, or raise a Chinese UsageError (exit code 2)."""
    try:
        LedgerStore(state or out_dir, directory=out_dir).close()
    except StoreUnavailable as exc:
        reporter.detail(f"台账数据库：{exc.detail}")
        raise UsageError(str(exc)) from exc


@dataclass
class Run:
    """One run with the output folder held: its steps (``go``) and what they share."""

    rules: Rules
    out_dir: Path
    files: list[InputFile]
    not_read: list[NotRead]
    state: str | None
    jobs: int
    force: bool
    reporter: Reporter
    today: str
    prefer: tuple[str, ...]
    year: int | None = None
    outcomes: list[CountyOutcome] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # about the run itself (a replaced database)
    fault: Fault | None = None  # what stopped the run (no county is started after it)

    def __post_init__(self) -> None:
        self.order = {f.name: i for i, f in enumerate(self.files)}
        self.planned: dict[tuple[str | None, str | None], int] = {}  # (county, code) → its place in the plan
        self.ledger_name = describe_state(self.state, self.out_dir)
        self.memory_mb = self.rules.standard.limits.max_worker_memory_mb
        self.filing = Filing(self.rules)

    @property
    def counties(self) -> dict[str, County]:
        """The counties the inputs are filed under so far, by key."""
        return self.filing.counties

    def go(self) -> RunResult:
        """The run's steps (see the module doc). A fault stops it: counties not yet evaluated
        say so and keep last night's results, and the run still tries to write its report
        before the fault reaches the command line."""
        self.started = datetime.now()
        try:
            self._prepare()
            self._read_and_file()
            if self.fault is None:
                self._evaluate(self._plan())
            self.cache.save()
            if self.fault is None:
                self._remember_schools()
                self._back_up_database()
        except Exception as exc:  # noqa: BLE001 - only faults are caught here; anything else goes on
            fault = classify(exc, database=self.ledger_name, folder=self.out_dir)
            if fault is None:
                raise
            self._stop(fault)
        if self.fault is not None:
            self._mark_unfinished()
        return self._report()

    # -- the steps ------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Clear what a stopped run left, open the cache, check the ledger database, and hash
        every input once, before any worker reads it: the cache then records the content that
        was actually evaluated."""
        remove_stale_temporaries(self.out_dir, self.out_dir / CACHE_DIR, self.out_dir / BACKUP_DIRNAME)
        self.cache = RunCache(self.out_dir)
        self.digest = rules_hash(self.rules)
        self._check_database()
        self.hashes = input_hashes(self.files)

    def _read_and_file(self) -> None:
        """Which county each input belongs to: unchanged inputs from the cache without reading,
        the others read in isolated workers; then every input filed under its county."""
        to_read = []
        for f in self.files:
            known = None if self.force else self.cache.pieces_of(f, self.hashes[f.name])
            if known is None:
                to_read.append(ReadTask(f, self.rules))
            else:
                self.filing.take(f, *known)

        def took(task: ReadTask, res: ReadResult) -> None:
            if res.failure is not None:
                self.filing.fail(task.input, res.failure)
                return
            self.cache.remember_input(task.input, self.hashes[task.input.name], res.kind, res.pieces)
            self.filing.take(task.input, res.kind, res.pieces)

        def died(task: ReadTask, exc: BaseException) -> None:
            self.filing.fail(task.input, CountyOutcome.failed(task.input.name, Problem(
                Code.WORKER_DIED, task.input.name, params={"detail": repr(exc)})))

        run_isolated(read_one, to_read, self.jobs, took, died, self.memory_mb, stop=lambda: self.fault is not None)
        alone = self.filing.settle(self.order, self._stored_schools)
        # One result per county source (a clash reports each source) and per input filed nowhere.
        self.reporter.set_total(len(alone) + sum(len(c.sources()) for c in self.counties.values()))
        self.reporter.info(f"共 {len(self.files)} 个输入文件，{len(self.counties)} 个县（区）"
                           + (f"，另有 {len(alone)} 个文件无法读取" if alone else "") + "，开始评估")
        for failure in alone:
            self.finish(failure)

    def _plan(self) -> list[CountyJob]:
        """One source per county, output names, and the counties answered from the cache."""
        pending: list[CountyJob] = []
        with self._store() as store:
            for county in sorted(self.counties.values(), key=lambda c: min(self.order[f.name] for f in c.inputs)):
                self.planned.setdefault((county.id.name, county.id.code), len(self.planned))
                county.inputs.sort(key=lambda f: self.order[f.name])
                if settle_clash(county, self.prefer, self.finish) is None:
                    continue
                key = county.id.key
                depends = fingerprint(self.digest, self.year, {f.name: self.hashes[f.name] for f in county.inputs})
                cached = None if self.force else self.cache.outcome(key, depends, self.out_dir, self.today)
                stem, new = store.output_stem(self.out_dir, key, county.id.name, county.id.code)
                # Unchanged data is skipped only while nobody typed into its result: staff edits
                # are read (and a (新) copy merged) every night, not at the next data change.
                if (cached is not None and store.counts(key) != (0, 0)
                        and not staff_may_have_typed(self.out_dir, stem, self.cache.written(key))):
                    self.finish(cached)
                    continue
                legacy = tuple(name for f in county.inputs
                               if new and (name := legacy_output(self.out_dir, f.name))
                               and name != f"{stem}{OUTPUT_SUFFIX}.xlsx")
                pending.append(CountyJob(
                    county=county.id, inputs=tuple(county.inputs), out_dir=self.out_dir, stem=stem, rules=self.rules,
                    state=self.state, today=self.today,
                    payloads=tuple(county.payloads.get(f.name) for f in county.inputs),
                    legacy=legacy, fingerprint=depends, notes=tuple(county.notes), year=self.year))
        return self._complete_payloads(pending)

    def _complete_payloads(self, pending: list[CountyJob]) -> list[CountyJob]:
        """Read, side by side, the unchanged inputs of counties that are evaluated again and are
        made of several files (a changed school workbook among unchanged ones): otherwise one
        worker would read the whole folder alone."""
        wanted = {f.name: f for job in pending if len(job.inputs) > 1
                  for f, payload in zip(job.inputs, job.payloads) if payload is None}
        if not wanted:
            return pending
        got: dict[str, dict[str, bytes]] = {}  # input -> county key -> payload

        def took(task: ReadTask, res: ReadResult) -> None:
            got[task.input.name] = {p.county.key: p.payload for p in res.pieces}

        run_isolated(read_one, [ReadTask(f, self.rules) for f in wanted.values()], self.jobs, took,
                     lambda task, exc: None, self.memory_mb)

        def payload(f: InputFile, county: str) -> bytes | None:
            pieces = got.get(f.name, {})
            # A school workbook's one piece, whatever county it says it is in (it is filed by folder).
            return pieces.get(county) or (next(iter(pieces.values())) if len(pieces) == 1 else None)

        return [replace(job, payloads=tuple(p if p is not None else payload(f, job.county.key)
                                            for f, p in zip(job.inputs, job.payloads))) for job in pending]

    def _evaluate(self, pending: list[CountyJob]) -> None:
        """Each county in an isolated worker; its outcome cached when it succeeded."""
        def took(job: CountyJob, outcome: CountyOutcome) -> None:
            trace, outcome.trace = outcome.trace, None
            if trace:
                self.reporter.detail(trace)
            if outcome.ok:
                self.cache.remember_outcome(job.county.key, job.fingerprint, outcome,
                                            written_hashes(job.out_dir, job.stem))
            self.finish(outcome)

        def died(job: CountyJob, exc: BaseException) -> None:
            names = [f.name for f in job.inputs]
            self.finish(CountyOutcome.failed(names[0], Problem(Code.WORKER_DIED, names[0], params={"detail": repr(exc)}),
                                             names, county=job.county.name, county_code=job.county.code))

        run_isolated(evaluate_county, pending, self.jobs, took, died, self.memory_mb, stop=lambda: self.fault is not None)

    def _remember_schools(self) -> None:
        """The schools of each county evaluated (or answered from the cache) tonight, in the
        ledger store: a county named only by its file name is recognised by them when the file
        is renamed (filing.py)."""
        ok = {o.county_code or o.county for o in self.outcomes if o.ok}
        done = {key: (c.id.name, c.roster.schools) for key, c in self.counties.items()
                if key in ok and c.roster.schools}
        if done:
            with self._store() as store:
                store.record_schools(done)

    def _report(self) -> RunResult:
        """The city roll-up, summary.json and 运行报告.xlsx. When they cannot be written (a fault),
        last night's summary and report are renamed, never left to pass for tonight's."""
        try:
            result = self._summarise()
        except Exception as exc:
            fault = classify(exc, database=self.ledger_name, folder=self.out_dir)
            if fault is None:
                raise
            for notice in set_aside_stale(self.out_dir, TITLES[fault.problem.code], (SUMMARY, RUN_REPORT),
                                          since=self.started.timestamp()):
                self.reporter.error(f"注意：{notice.message}")
            raise fault from exc
        result.fault = self.fault
        return result

    # -- what the steps share -------------------------------------------------------------

    def finish(self, outcome: CountyOutcome) -> None:
        """One result done: kept for the summary, shown on the progress line; a fault in it
        stops the run."""
        self.outcomes.append(outcome)
        fault = next((p for p in outcome.errors if p.code in FAULT_CODES), None)
        if fault is not None:
            self._stop(Fault(fault.at_file(""), outcome.trace or ""))
        label, text = outcome_line(outcome)
        self.reporter.advance(label, text, failed=not outcome.ok, notable=bool(outcome.errors or outcome.warnings))
        for p in (*outcome.errors, *outcome.warnings):
            if p.params.get("detail"):  # technical detail: for the log, not the people
                self.reporter.detail(f"{p.file}：{p.code}：{p.params['detail']}")

    def _stop(self, fault: Fault) -> None:
        """Remember the first fault: no county is started after it."""
        if self.fault is None:
            self.fault = fault
            self.notices.append(fault.problem)
            self.reporter.note(f"错误：{fault.problem.message}")  # the command line prints it once, at the end
            if fault.detail:
                self.reporter.detail(fault.detail)

    def _mark_unfinished(self) -> None:
        """Every county (or input not yet filed under one) the stopped run did not finish."""
        reason = TITLES[self.fault.problem.code]
        done = {n for o in self.outcomes for n in o.inputs}
        for county in self.counties.values():
            names = [f.name for f in county.inputs if f.name not in done]
            if names:
                self.finish(CountyOutcome.failed(names[0], Problem(Code.RUN_STOPPED, names[0], params={"reason": reason}),
                                                 names, county=county.id.name, county_code=county.id.code))
                done.update(names)
        for f in self.files:
            if f.name not in done:
                self.finish(CountyOutcome.failed(f.name, Problem(Code.RUN_STOPPED, f.name, params={"reason": reason})))

    def _store(self) -> LedgerStore:
        return LedgerStore(self.state or self.out_dir, directory=self.out_dir)

    def _stored_schools(self) -> dict[str, tuple[str, Roster]]:
        """Every county's schools as the ledger store recorded them: key -> (name, roster); none
        once a fault stopped the run (the database may be what failed)."""
        if self.fault is not None:
            return {}
        with self._store() as store:
            return {key: (name, Roster(frozenset(pairs))) for key, (name, pairs) in store.school_rosters().items()}

    def _sqlite_path(self) -> Path | None:
        url = state_url(self.state, self.out_dir)
        return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None

    def _check_database(self) -> None:
        """Every run, unchanged inputs or not: a damaged SQLite ledger is set aside (and the
        ledgers rebuilt from the result workbooks); an unreachable one is a usage error."""
        path = self._sqlite_path()
        try:
            trouble = sqlite_trouble(path, ours=path.name == DEFAULT_FILENAME) if path else None
        except StoreUnavailable as exc:
            raise UsageError(str(exc)) from None
        if trouble:
            aside = set_aside(path)
            why = {"not_a_database": "不是数据库文件"}.get(trouble, "完整性检查未通过")
            self.notices.append(Problem(Code.DB_REPLACED, params={"path": path.name, "why": why, "aside": aside.name}))
            self.reporter.error(f"警告：{self.notices[-1].message}")
            self.force = True  # every county is evaluated again, so every ledger is rebuilt now
        _open_or_fail(self.state, self.out_dir, self.reporter)

    def _back_up_database(self) -> None:
        path = self._sqlite_path()
        if path is not None:
            backup_sqlite(path, self.out_dir / BACKUP_DIRNAME, self.rules.standard.ledger.backups_kept)

    def _write_city(self, entries: list[dict]) -> dict | None:
        """市级汇总.xlsx and 市级简报.html when the run covers two or more counties. When they
        cannot be written tonight, last night's are renamed, never left looking current."""
        from .city_outputs import write_city_outputs

        enough = sum(1 for e in entries if e.get("status") == "ok") >= 2
        if enough and self.fault is None:
            if all(o.skipped for o in self.outcomes) and (self.out_dir / ROLLUP).exists() and (
                    self.out_dir / CITY_BRIEF).exists():
                return {"rollup": ROLLUP, "brief": CITY_BRIEF}  # nothing changed since they were written
            try:
                with self._store() as store:
                    return write_city_outputs(self.out_dir, self.outcomes, self.rules, store)
            except Exception as exc:  # noqa: BLE001 - the counties' results stand without the roll-up
                fault = classify(exc, database=self.ledger_name, folder=self.out_dir)
                if fault is not None:
                    self._stop(fault)
                else:
                    self.notices.append(Problem(Code.INTERNAL, params={
                        "during": "生成市级汇总", "consequence": "市级汇总未更新，各县结果不受影响",
                        "detail": internal_detail(exc)}))
                    self.reporter.detail(f"市级汇总：{internal_detail(exc)}")
                reason = TITLES[fault.problem.code] if fault else "程序内部错误"
        else:
            reason = TITLES[self.fault.problem.code] if self.fault else "本次成功评估的县（区）不足两个"
        for notice in set_aside_stale(self.out_dir, reason, (ROLLUP, CITY_BRIEF), since=self.started.timestamp()):
            self.notices.append(notice)
            self.reporter.error(f"注意：{notice.message}")
        return None

    def _summarise(self) -> RunResult:
        self.outcomes.sort(key=lambda o: report_order(o, self.order, self.planned))
        result = RunResult(self.outcomes, self.not_read, self.notices)
        entries = result.entries
        skipped_files = [{"file": n.file, "reason": n.reason} for n in self.not_read]
        city = self._write_city(entries)
        notices = [p.as_dict() for p in self.notices]  # after the roll-up: it may add some
        write_summary(self.out_dir / SUMMARY, self.rules.standard.name, entries,
                      extra={"tool_version": __version__, "generated": self.started.isoformat(timespec="seconds"),
                             "not_read": skipped_files, "run_problems": notices, "city": city})
        from .report.run_report import write_run_report

        atomic_write(self.out_dir / RUN_REPORT, lambda p: write_run_report(
            p, entries, self.rules.standard.title, self.started, skipped_files, notices))
        return result
