"""A run: find the input workbooks, evaluate each in isolation, write, summarise.

Every workbook is evaluated on its own (in a worker process with ``jobs > 1``); whatever
goes wrong with one becomes an error entry for that file and the others still finish.
Outputs are written atomically (temp file in the same folder, then rename), inputs are
never written, and a previous output is backed up before it is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from . import __version__
from .files import (CACHE_DIR, INPUT_SUFFIXES, OUTPUT_SUFFIX, OUTPUT_SUFFIX_BUSY, RUN_REPORT, SUMMARY,
                    atomic_write, is_tool_output, lock_exists)
from .pipeline import InputFile, Job
from .problems import Code, Problem, internal_detail
from .rulebook import Rules, load_rules
from .progress import Reporter
from .summary import workbook_entry, write_summary

class UsageError(Exception):
    """A mistake in how the tool was called (exit code 2); the message is Chinese."""


@dataclass
class RunResult:
    entries: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for e in self.entries if e["status"] == "error")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _skippable(path: Path) -> bool:
    name = path.name
    return (name.startswith("~$") or name.startswith(".") or is_tool_output(name)
            or path.suffix.lower() not in INPUT_SUFFIXES)


def discover(inputs: list[Path], out_dir: Path) -> list[InputFile]:
    """Workbooks named by ``inputs`` (files, or folders scanned recursively), in a stable order.

    Lock files (``~$…``), hidden files, the tool's own outputs and anything inside the
    output folder are skipped. Output stems are made unique within the run.
    """
    found: list[tuple[Path, str]] = []
    out_resolved = out_dir.resolve()
    for given in inputs:
        if not given.exists():
            raise UsageError(f"找不到输入：{given}")
        if given.is_file():
            if given.suffix.lower() not in INPUT_SUFFIXES:
                raise UsageError(f"不是可读取的工作簿（支持 .xlsx .xlsm .xls .ods）：{given}")
            found.append((given, given.name))
            continue
        for path in sorted(given.rglob("*")):
            rel = path.relative_to(given)
            if any(part.startswith(".") for part in rel.parts[:-1]):
                continue
            if not path.is_file() or _skippable(path):
                continue
            if out_resolved in path.resolve().parents:
                continue
            found.append((path, rel.as_posix()))
    files, stems = [], set()
    for path, name in found:
        base = Path(name).with_suffix("").as_posix().replace("/", "_")
        stem, n = base, 2
        while stem in stems:
            stem, n = f"{base}({n})", n + 1
        stems.add(stem)
        files.append(InputFile(path, name, stem))
    return files


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rules_hash(rules: Rules) -> str:
    """A digest of the merged rules (standard with what it extends, aliases, task list)."""
    text = repr((rules.standard, rules.aliases, rules.tasks))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fingerprint(job: Job, rules_digest: str) -> dict:
    return {"input": file_hash(job.input.path), "standard": job.rules.standard.name,
            "rules": rules_digest, "tool": __version__}


def _cache_path(job: Job) -> Path:
    key = hashlib.sha1(job.input.name.encode("utf-8")).hexdigest()[:16]
    return job.out_dir / CACHE_DIR / f"{key}.json"


def evaluate_one(job: Job) -> dict:
    """Evaluate one workbook and write its output; never raises (errors become the entry)."""
    try:
        return _evaluate_one(job)
    except Exception as exc:  # one workbook's failure must never stop the batch
        err = Problem(Code.INTERNAL, job.input.name, params={
            "during": "处理该文件", "consequence": "该文件已跳过", "detail": internal_detail(exc)})
        return workbook_entry(input_name=job.input.name, output=None, status="error", county=None,
                              errors=[err], warnings=[], extra={"trace": traceback.format_exc()})


def cached_entry(job: Job) -> dict | None:
    """Last run's entry when this input, standard, task list and tool are unchanged.

    None (evaluate again) with ``--force``, when the output is gone, or from the day a greyed
    已销号 line is due to move to the 已销号 sheet (``recheck_on``).
    """
    cache = _cache_path(job)
    if job.force or not job.fingerprint or not cache.exists():
        return None
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entry = cached.get("entry") or {}
    out, recheck = entry.get("output"), entry.get("recheck_on")
    if (cached.get("fingerprint") != job.fingerprint or (out and not (job.out_dir / out).exists())
            or (recheck is not None and job.today >= recheck)):
        return None
    entry["skipped"] = True
    return entry


def _evaluate_one(job: Job) -> dict:
    from .indicators import evaluate
    from .intake import read_workbook
    from .pipeline import build_outputs
    std = job.rules.standard
    data = read_workbook(job.input.path, job.rules, display_name=job.input.name)
    errors = list(data.errors)
    warnings = list(data.warnings)
    if not data.sections:
        if not errors:
            errors.append(Problem(Code.NO_SCHOOL_DATA, job.input.name))
        entry = workbook_entry(input_name=job.input.name, output=None, status="error",
                               county=data.county, errors=errors, warnings=warnings)
        return entry

    ev = evaluate(data, std)
    target = job.out_dir / f"{job.input.stem}{OUTPUT_SUFFIX}.xlsx"
    if lock_exists(target):
        warnings.append(Problem(Code.OUTPUT_LOCKED, job.input.name, params={
            "target": target.name, "busy": f"{job.input.stem}{OUTPUT_SUFFIX_BUSY}.xlsx"}))
        target = job.out_dir / f"{job.input.stem}{OUTPUT_SUFFIX_BUSY}.xlsx"

    extra = build_outputs(ev, target, job=job, warnings=warnings, input_hash=job.fingerprint.get("input", ""))
    entry = workbook_entry(input_name=job.input.name, output=target.name, status="ok",
                           county=data.county, errors=errors, warnings=warnings, ev=ev, extra=extra)
    if not job.fingerprint:
        return entry
    cache = _cache_path(job)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"fingerprint": job.fingerprint, "entry": entry}, ensure_ascii=False),
                     encoding="utf-8")
    return entry


def run(inputs: list[Path], out_dir: Path, *, standard: str, tasks: str | None = None,
        state: str | None = None, jobs: int | None = None, force: bool = False,
        reporter: Reporter | None = None, today: date | None = None) -> RunResult:
    """Evaluate every workbook in ``inputs`` into ``out_dir``; write summary.json and 运行报告.xlsx."""
    rules = load_rules(standard, tasks)  # fail fast on a bad --standard or --tasks (usage error)
    std = rules.standard
    digest = rules_hash(rules)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = discover(inputs, out_dir)
    reporter = reporter or Reporter(len(files), quiet=True)
    reporter.total = len(files)
    run_day = (today or date.today()).isoformat()
    job_list = []
    for f in files:
        job = Job(f, out_dir, rules, state, force, run_day)
        # Hashed once, here, before any worker reads the file: the cache then records the
        # content that was actually evaluated.
        try:
            job = replace(job, fingerprint=_fingerprint(job, digest))
        except OSError:
            pass  # unreadable now: the worker reports it for this file alone, nothing is cached
        job_list.append(job)
    jobs = jobs or os.cpu_count() or 1
    started = datetime.now()
    results: dict[str, dict] = {}

    def record(job: Job, entry: dict) -> None:
        results[job.input.name] = entry
        if entry.get("skipped"):
            outcome = "未变化，跳过"
        elif entry["status"] == "ok":
            outcome = f"完成 → {entry['output']}"
        else:
            outcome = f"失败：{entry['errors'][0]['message'] if entry['errors'] else ''}"
        reporter.advance(job.input.name, outcome, failed=entry["status"] != "ok")

    # Unchanged inputs are answered here, without starting workers: a re-run on the same
    # data costs little more than hashing the files.
    pending = []
    for job in job_list:
        entry = cached_entry(job)
        if entry is None:
            pending.append(job)
        else:
            record(job, entry)

    if jobs <= 1 or len(pending) <= 1:
        for job in pending:
            record(job, evaluate_one(job))
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(pending))) as pool:
            futures = {pool.submit(evaluate_one, job): job for job in pending}
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    entry = fut.result()
                except Exception as exc:  # a worker that died (e.g. out of memory)
                    entry = evaluate_one_failed(job, exc)
                record(job, entry)

    result = RunResult([results[j.input.name] for j in job_list])
    for entry in result.entries:
        entry.pop("trace", None)
    write_summary(out_dir / SUMMARY, std.name, result.entries,
                  extra={"tool_version": __version__, "generated": started.isoformat(timespec="seconds")})
    from .report.run_report import write_run_report

    atomic_write(out_dir / RUN_REPORT, lambda p: write_run_report(p, result.entries, std.title, started))
    return result


def evaluate_one_failed(job: Job, exc: BaseException) -> dict:
    err = Problem(Code.WORKER_DIED, job.input.name, params={"detail": repr(exc)})
    return workbook_entry(input_name=job.input.name, output=None, status="error", county=None,
                          errors=[err], warnings=[])
