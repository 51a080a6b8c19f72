"""A run: find the input workbooks, read each, file them under their county, evaluate each
county, write atomically, summarise.

Two phases, each in isolated worker processes (``jobs > 1``): (1) every new or changed input
is read and its county identity found; (2) every county whose inputs, rules or tool changed
is evaluated and its workbook written. Between them the main process files inputs under
counties, refuses two inputs that claim the same county (a "（修订）" copy beside the
original would otherwise share one ledger in turns), and assigns each county its output
name once and for all. Whatever goes wrong with one input or county becomes its own error
entry; the others still finish. Inputs are never written; outputs are replaced atomically
after a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .files import (CACHE_DIR, INPUT_SUFFIXES, OUTPUT_SUFFIX, RUN_REPORT, SUMMARY, atomic_write, is_tool_output,
                    output_path)
from .identity import CountyId
from .outcome import CountyOutcome
from .pipeline import CountyJob, InputFile, evaluate_county, read_input
from .problems import Code, Problem, count_codes, describe_counts, internal_detail
from .progress import Reporter
from .rulebook import Rules, load_rules
from .store import LedgerStore
from .summary import write_summary

INDEX_FILE = "inputs.json"


class UsageError(Exception):
    """A mistake in how the tool was called (exit code 2); the message is Chinese."""


@dataclass
class RunResult:
    outcomes: list[CountyOutcome] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)

    @property
    def entries(self) -> list[dict]:
        """summary.json's ``workbooks``, one per county (or per input that could not be filed)."""
        return [o.to_json() for o in self.outcomes]

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


# ----------------------------------------------------------------------------- inputs

# Why a file in an input folder is not read, by what it is (shown in 运行报告 and summary.json).
NOT_A_WORKBOOK = {
    ".csv": "CSV 文本文件，不是工作簿：请在 Excel/WPS 中打开并另存为 .xlsx",
    ".txt": "文本文件，不是工作簿",
    ".et": "WPS 表格格式（.et）：请在 WPS 中另存为 .xlsx",
    ".ett": "WPS 表格模板（.ett）：请在 WPS 中另存为 .xlsx",
    ".xlsb": "Excel 二进制工作簿（.xlsb）暂不支持：请另存为 .xlsx",
    ".xltx": "Excel 模板（.xltx）：请另存为 .xlsx",
    ".numbers": "Numbers 表格：请导出为 .xlsx",
    ".docx": "Word 文档，不是工作簿", ".doc": "Word 文档，不是工作簿", ".wps": "WPS 文字文档，不是工作簿",
    ".pdf": "PDF 文件，不是工作簿", ".zip": "压缩包：请先解压", ".rar": "压缩包：请先解压", ".7z": "压缩包：请先解压",
}


@dataclass(frozen=True)
class NotRead:
    """A file found among the inputs and deliberately not read, and why (Chinese)."""

    file: str
    reason: str


def not_read_reason(path: Path) -> str | None:
    """Why a file in an input folder is not read, or None when it is a workbook to read."""
    name, suffix = path.name, path.suffix.lower()
    if name.startswith("~$") or name.startswith(".~lock."):
        return "Excel/WPS/LibreOffice 打开文件时生成的临时锁文件，不是数据"
    if name.startswith("."):
        return "隐藏文件"
    if is_tool_output(name):
        return "本工具生成的结果文件"
    if suffix in INPUT_SUFFIXES:
        return None
    return NOT_A_WORKBOOK.get(suffix, f"不是工作簿文件（{suffix or '无扩展名'}），只读取 .xlsx .xlsm .xls .ods")


def survey(inputs: list[Path], out_dir: Path) -> tuple[list[InputFile], list[NotRead]]:
    """The workbooks named by ``inputs`` (files, or folders scanned recursively) in a stable
    order, and every other file found there with the reason it is not read. Hidden folders
    (``.git``) and the output folder are not looked into."""
    found: list[InputFile] = []
    skipped: list[NotRead] = []
    out_resolved = out_dir.resolve()
    for given in inputs:
        if not given.exists():
            raise UsageError(f"找不到输入：{given}")
        if given.is_file():
            if given.suffix.lower() not in INPUT_SUFFIXES:
                raise UsageError(f"不是可读取的工作簿（支持 .xlsx .xlsm .xls .ods）：{given}")
            found.append(InputFile(given, given.name))
            continue
        for path in sorted(given.rglob("*")):
            rel = path.relative_to(given)
            if any(part.startswith(".") for part in rel.parts[:-1]) or not path.is_file():
                continue
            if out_resolved in path.resolve().parents:
                continue
            reason = not_read_reason(path)
            if reason is None:
                found.append(InputFile(path, rel.as_posix()))
            else:
                skipped.append(NotRead(rel.as_posix(), reason))
    return found, skipped


def discover(inputs: list[Path], out_dir: Path) -> list[InputFile]:
    """The workbooks of ``survey``."""
    return survey(inputs, out_dir)[0]


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rules_hash(rules: Rules) -> str:
    """A digest of the merged rules (standard with what it extends, aliases, tasks, county codes)."""
    text = repr((rules.standard, rules.aliases, rules.tasks, rules.counties))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def legacy_stem(name: str) -> str:
    """The output stem version 0.1 gave an input ("a/b.xlsx" -> "a_b"): its typed values are adopted."""
    return Path(name).with_suffix("").as_posix().replace("/", "_")


# ----------------------------------------------------------------------------- cache

class RunCache:
    """What the last runs learnt, in ``OUT/.equity-cache``: each input's county (by content
    hash, so an unchanged input is not even read) and each county's last outcome."""

    def __init__(self, out_dir: Path):
        self.dir = out_dir / CACHE_DIR
        self.index: dict[str, dict] = self._load(self.dir / INDEX_FILE).get("inputs", {})

    @staticmethod
    def _load(path: Path) -> dict:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def county_of(self, f: InputFile, digest: str | None) -> CountyId | None:
        known = self.index.get(f.name)
        if digest is None or not known or known.get("hash") != digest:
            return None
        return CountyId(known["name"], known.get("code"), known.get("source", "title"))

    def remember_input(self, f: InputFile, digest: str | None, county: CountyId) -> None:
        if digest is not None:
            self.index[f.name] = {"hash": digest, "name": county.name, "code": county.code, "source": county.source}

    def _county_file(self, key: str) -> Path:
        return self.dir / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}.json"

    def outcome(self, key: str, fingerprint: dict, out_dir: Path, today: str) -> CountyOutcome | None:
        """Last run's outcome when the county's inputs, rules and tool are unchanged, its output
        still exists, and no greyed 已销号 line is due to move (``recheck_on``)."""
        cached = self._load(self._county_file(key))
        entry = cached.get("entry") or {}
        out, recheck = entry.get("output"), entry.get("recheck_on")
        if (not entry or cached.get("fingerprint") != fingerprint or (out and not (out_dir / out).exists())
                or (recheck is not None and today >= recheck)):
            return None
        outcome = CountyOutcome.from_json(entry)
        outcome.skipped = True
        return outcome

    def remember_outcome(self, key: str, fingerprint: dict, outcome: CountyOutcome) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        doc = {"fingerprint": fingerprint, "entry": outcome.to_json()}
        atomic_write(self._county_file(key), lambda p: p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8"))

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        doc = json.dumps({"inputs": self.index}, ensure_ascii=False, indent=1)
        atomic_write(self.dir / INDEX_FILE, lambda p: p.write_text(doc, encoding="utf-8"))


# ----------------------------------------------------------------------------- workers

@dataclass(frozen=True)
class ReadTask:
    input: InputFile
    rules: Rules


@dataclass
class ReadResult:
    """An input read in a worker: its county, and the data pickled for the evaluation phase."""

    input: InputFile
    county: CountyId | None
    payload: bytes | None
    failure: CountyOutcome | None = None  # the input could not be used at all


def read_one(task: ReadTask) -> ReadResult:
    """Read one input (worker side; never raises)."""
    f = task.input
    try:
        data = read_input(f, task.rules)
    except MemoryError:
        err = Problem(Code.OUT_OF_MEMORY, f.name, params={"limit_mb": task.rules.standard.limits.max_worker_memory_mb})
        return ReadResult(f, None, None, CountyOutcome.failed(f.name, err))
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the run
        err = Problem(Code.INTERNAL, f.name, params={"during": "读取该文件", "consequence": "该文件已跳过",
                                                     "detail": internal_detail(exc)})
        return ReadResult(f, None, None, CountyOutcome.failed(f.name, err))
    if not data.sections:
        outcome = CountyOutcome(input=f.name, status="error", inputs=[f.name], county=data.county_id.name,
                                county_code=data.county_id.code)
        for p in data.problems:
            outcome.add(p)
        if not outcome.errors:
            outcome.add(Problem(Code.NO_SCHOOL_DATA, f.name))
        return ReadResult(f, data.county_id, None, outcome)
    return ReadResult(f, data.county_id, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def _cap_memory(megabytes: int) -> None:
    """Worker initializer: past ``megabytes`` of address space an allocation fails with
    MemoryError in this worker alone (POSIX; elsewhere a dying worker is the guard)."""
    try:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def run_isolated(fn: Callable, tasks: list, jobs: int, on_result: Callable, on_death: Callable,
                 memory_mb: int | None = None) -> None:
    """Run ``fn`` over ``tasks`` in worker processes, calling ``on_result(task, result)`` as each
    finishes. A worker that dies (out of memory, a crash in a native library) takes down only
    its own task: the tasks that were in flight with it are run again, each alone in a fresh
    worker, and ``on_death(task, exc)`` is called for the one that dies again. Each worker's
    memory is capped at ``memory_mb``."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            on_result(task, fn(task))
        return
    cap = {"initializer": _cap_memory, "initargs": (memory_mb,)} if memory_mb else {}
    suspects: list = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), **cap) as pool:
        futures = {pool.submit(fn, t): t for t in tasks}
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                result = fut.result()
            except BrokenProcessPool:
                suspects.append(task)
                continue
            on_result(task, result)
    for task in suspects:
        with ProcessPoolExecutor(max_workers=1, **cap) as alone:
            try:
                result = alone.submit(fn, task).result()
            except BrokenProcessPool as exc:
                on_death(task, exc)
                continue
        on_result(task, result)


# ----------------------------------------------------------------------------- the run

@dataclass
class County:
    """The inputs filed under one county in this run."""

    id: CountyId
    inputs: list[InputFile] = field(default_factory=list)
    payloads: dict[str, bytes] = field(default_factory=dict)


def run(inputs: list[Path], out_dir: Path, *, standard: str, tasks: str | None = None,
        state: str | None = None, jobs: int | None = None, force: bool = False,
        reporter: Reporter | None = None, today: date | None = None,
        prefer: Iterable[str] = ()) -> RunResult:
    """Evaluate every county found in ``inputs`` into ``out_dir``; write summary.json and 运行报告.xlsx.

    ``prefer``: input names (or file names) to keep when several inputs claim one county.
    """
    rules = load_rules(standard, tasks)  # fail fast on a bad --standard or --tasks (usage error)
    out_dir.mkdir(parents=True, exist_ok=True)
    files, not_read = survey(inputs, out_dir)
    reporter = reporter or Reporter(len(files), quiet=True)
    reporter.total = len(files)
    run_day = (today or date.today()).isoformat()
    jobs = jobs or os.cpu_count() or 1
    started = datetime.now()
    cache = RunCache(out_dir)
    digest = rules_hash(rules)
    order = {f.name: i for i, f in enumerate(files)}

    # Hashed once, here, before any worker reads a file: the cache then records the
    # content that was actually evaluated. An unreadable file is reported by its reader.
    hashes: dict[str, str | None] = {}
    for f in files:
        try:
            hashes[f.name] = file_hash(f.path)
        except OSError:
            hashes[f.name] = None

    outcomes: list[CountyOutcome] = []

    def finish(outcome: CountyOutcome) -> None:
        outcomes.append(outcome)
        problems = len(outcome.errors) + len(outcome.warnings)
        if not outcome.ok:
            text = f"失败：{outcome.errors[0].message if outcome.errors else ''}"
        elif outcome.skipped:
            text = "未变化，跳过" + (f"（{problems} 个数据问题）" if problems else "")
        elif problems:
            text = f"完成（{problems} 个数据问题：{describe_counts(count_codes([*outcome.errors, *outcome.warnings]))}）→ {outcome.output}"
        else:
            text = f"完成 → {outcome.output}"
        reporter.advance("、".join(outcome.inputs), text, failed=not outcome.ok, notable=problems > 0,
                         count=len(outcome.inputs))

    # ---- phase 1: which county each input belongs to (unchanged inputs from the cache)
    counties: dict[str, County] = {}

    def file_under(f: InputFile, county: CountyId, payload: bytes | None = None) -> None:
        entry = counties.setdefault(county.key, County(county))
        entry.inputs.append(f)
        if payload is not None:
            entry.payloads[f.name] = payload

    to_read = []
    for f in files:
        known = None if force else cache.county_of(f, hashes[f.name])
        if known is None:
            to_read.append(ReadTask(f, rules))
        else:
            file_under(f, known)

    def took_read(task: ReadTask, res: ReadResult) -> None:
        if res.failure is not None:
            finish(res.failure)
            return
        cache.remember_input(task.input, hashes[task.input.name], res.county)
        file_under(task.input, res.county, res.payload)

    def read_died(task: ReadTask, exc: BaseException) -> None:
        finish(CountyOutcome.failed(task.input.name, Problem(Code.WORKER_DIED, task.input.name,
                                                             params={"detail": repr(exc)})))

    memory_mb = rules.standard.limits.max_worker_memory_mb
    run_isolated(read_one, to_read, jobs, took_read, read_died, memory_mb)

    # ---- between the phases: one input per county, output names, unchanged counties
    pending: list[CountyJob] = []
    with LedgerStore(state or out_dir, directory=out_dir) as store:
        for county in sorted(counties.values(), key=lambda c: min(order[f.name] for f in c.inputs)):
            county.inputs.sort(key=lambda f: order[f.name])
            kept = _settle_clash(county, prefer, finish)
            if kept is None:
                continue
            fingerprint = {"rules": digest, "tool": __version__,
                           "inputs": {f.name: hashes[f.name] for f in county.inputs}}
            cached = None if force else cache.outcome(county.id.key, fingerprint, out_dir, run_day)
            if cached is not None:
                finish(cached)
                continue
            stem, new = store.output_stem(out_dir, county.id.key, county.id.name, county.id.code)
            legacy = tuple(name for f in county.inputs
                           if new and (name := output_path(out_dir, legacy_stem(f.name)).name) != f"{stem}{OUTPUT_SUFFIX}.xlsx")
            pending.append(CountyJob(
                county=county.id, inputs=tuple(county.inputs), out_dir=out_dir, stem=stem, rules=rules,
                state=state, today=run_day, payloads=tuple(county.payloads.get(f.name) for f in county.inputs),
                legacy=legacy, fingerprint=fingerprint))

    # ---- phase 2: evaluate and write each county
    def took_county(job: CountyJob, outcome: CountyOutcome) -> None:
        outcome.extra.pop("trace", None)
        if outcome.ok:
            cache.remember_outcome(job.county.key, job.fingerprint, outcome)
        finish(outcome)

    def county_died(job: CountyJob, exc: BaseException) -> None:
        names = [f.name for f in job.inputs]
        finish(CountyOutcome.failed(names[0], Problem(Code.WORKER_DIED, names[0], params={"detail": type(exc).__name__}),
                                    names, county=job.county.name, county_code=job.county.code))

    run_isolated(evaluate_county, pending, jobs, took_county, county_died, memory_mb)
    cache.save()

    outcomes.sort(key=lambda o: order.get(o.input, len(order)))
    result = RunResult(outcomes, not_read)
    entries = result.entries
    skipped_files = [{"file": n.file, "reason": n.reason} for n in not_read]
    write_summary(out_dir / SUMMARY, rules.standard.name, entries,
                  extra={"tool_version": __version__, "generated": started.isoformat(timespec="seconds"),
                         "not_read": skipped_files})
    from .report.run_report import write_run_report

    atomic_write(out_dir / RUN_REPORT,
                 lambda p: write_run_report(p, entries, rules.standard.title, started, skipped_files))
    return result


def _settle_clash(county: County, prefer: Iterable[str], finish: Callable[[CountyOutcome], None]) -> County | None:
    """One workbook per county: when several inputs claim the same county, keep the one
    ``prefer`` names, else none of them; each input left out becomes an error naming the others."""
    if len(county.inputs) == 1:
        return county
    preferred = [f for f in county.inputs if f.name in prefer or f.path.name in prefer]
    keep = preferred[0] if len(preferred) == 1 else None
    names = [f.name for f in county.inputs]
    for f in county.inputs:
        if f is keep:
            continue
        others = "、".join(n for n in names if n != f.name)
        code = Code.COUNTY_CLASH_NOT_PREFERRED if keep else Code.COUNTY_CLASH
        finish(CountyOutcome.failed(f.name, Problem(code, f.name, params={
            "county": county.id.describe(), "others": others, "kept": keep.name if keep else ""}),
            county=county.id.name, county_code=county.id.code))
    if keep is None:
        return None
    county.inputs = [keep]
    county.payloads = {k: v for k, v in county.payloads.items() if k == keep.name}
    return county
