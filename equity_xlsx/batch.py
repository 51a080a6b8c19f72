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

import errno
import hashlib
import json
import os
import pickle
import stat
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .files import (CACHE_DIR, INPUT_SUFFIXES, OUTPUT_SUFFIX, RUN_REPORT, SUMMARY, OutsideOutput, atomic_write,
                    folder_lock, inside, is_tool_output, lock_exists, output_path, remove_stale_temporaries,
                    set_aside_stale)
from .identity import CountyId, resolve
from .intake.place import county_from_text
from .intake.local import PATTERN as FORM_MAPPING, local_forms_digest
from .intake.part import WorkbookPart
from .outcome import CountyOutcome
from .pipeline import CountyJob, InputFile, evaluate_county, read_input
from .faults import FAULT_CODES, Exit, Fault, classify
from .problems import TITLES, Code, Problem, count_codes, describe_counts, internal_detail
from .progress import Reporter
from .rulebook import Rules, load_rules
from .readback import BACKUP_DIRNAME
from .store import (DEFAULT_FILENAME, LedgerStore, StoreUnavailable, backup_sqlite, describe_state, set_aside,
                    sqlite_trouble, state_url)
from .summary import write_summary

INDEX_FILE = "inputs.json"


class UsageError(Exception):
    """A mistake in how the tool was called (exit code 2); the message is Chinese."""


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
    if path.match(FORM_MAPPING):
        return "本县基层表表式补充文件：读取同一文件夹（及下一级文件夹）的基层表时使用"
    if suffix in INPUT_SUFFIXES:
        return None
    return NOT_A_WORKBOOK.get(suffix, f"不是工作簿文件（{suffix or '无扩展名'}），只读取 .xlsx .xlsm .xls .ods")


def not_a_file(path: Path) -> str | None:
    """None for a file that can be read (or a link to one); "" for a plain folder (looked
    into); else why ``path`` is not read, in Chinese: a FIFO (reading it would wait forever),
    a device, a socket, a link that leads nowhere or in a circle, a folder named like a
    workbook, a linked folder (not followed: it may lead outside, or in a circle)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"无法访问（{exc.strerror or exc}）"
    link = stat.S_ISLNK(mode)
    if link:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            return f"链接指向的文件不存在（{os.readlink(path)}）"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "链接循环指向自身，无法读取"
            return f"链接无法访问（{exc.strerror or exc}）"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        if link:
            return "指向文件夹的链接，未进入读取（请直接给出该文件夹）"
        return f"是一个文件夹，名字却像工作簿（{path.suffix}）：其中的文件照常查找" if path.suffix.lower() in INPUT_SUFFIXES else ""
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO），不是文件：读取会一直等待，已跳过"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件，不是工作簿"
    if stat.S_ISSOCK(mode):
        return "套接字，不是文件"
    return "不是普通文件"


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
        if not given.is_dir():
            raise UsageError(f"不是可读取的工作簿或文件夹：{given}（{not_a_file(given)}）")
        for path in sorted(given.rglob("*")):
            rel = path.relative_to(given)
            if any(part.startswith(".") for part in rel.parts[:-1]):
                continue
            odd = not_a_file(path)
            if odd is not None:
                if odd:  # a plain folder is looked into, and says nothing
                    skipped.append(NotRead(rel.as_posix(), odd))
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

    def county_of(self, f: InputFile, digest: str | None) -> tuple[str, list[CountyId]] | None:
        """What an unchanged input was last time: its kind and the counties in it."""
        known = self.index.get(f.name)
        if digest is None or not known or known.get("hash") != digest:
            return None
        if "counties" not in known:  # an index written before inputs could hold parts
            return "county", [CountyId(known["name"], known.get("code"), known.get("source", "title"))]
        return known.get("kind", "county"), [CountyId(c["name"], c.get("code"), c.get("source", "title"))
                                            for c in known["counties"]]

    def remember_input(self, f: InputFile, digest: str | None, kind: str, counties: list[CountyId]) -> None:
        if digest is not None:
            self.index[f.name] = {"hash": digest, "kind": kind, "counties": [
                {"name": c.name, "code": c.code, "source": c.source} for c in counties]}

    def _county_file(self, key: str) -> Path:
        return self.dir / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}.json"

    def outcome(self, key: str, fingerprint: dict, out_dir: Path, today: str) -> CountyOutcome | None:
        """Last run's outcome when the county's inputs, rules and tool are unchanged, its output
        still exists, and no greyed 已销号 line is due to move (``recheck_on``)."""
        cached = self._load(self._county_file(key))
        entry = cached.get("entry") or {}
        out, recheck, brief = entry.get("output"), entry.get("recheck_on"), entry.get("brief")
        if (not entry or cached.get("fingerprint") != fingerprint or (out and not (out_dir / out).exists())
                or (brief and not (out_dir / brief).exists())
                or (recheck is not None and today >= recheck)):
            return None
        outcome = CountyOutcome.from_json(entry)
        outcome.skipped = True
        return outcome

    def written(self, key: str) -> dict[str, str]:
        """The result workbooks of the county as the last evaluation left them: name -> sha256."""
        return dict(self._load(self._county_file(key)).get("written") or {})

    def remember_outcome(self, key: str, fingerprint: dict, outcome: CountyOutcome,
                         written: dict[str, str] | None = None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        doc = {"fingerprint": fingerprint, "entry": outcome.to_json(), "written": written or {}}
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
    """An input read in a worker: what it is and, per county in it, the data pickled for the
    evaluation phase (a collection table or a school workbook: one; a stage export: one per county)."""

    input: InputFile
    kind: str = "county"  # "county" | "school" | "export"
    pieces: list[tuple[CountyId, bytes]] = field(default_factory=list)
    failure: CountyOutcome | None = None  # the input could not be used at all


def read_one(task: ReadTask) -> ReadResult:
    """Read one input (worker side; never raises)."""
    f = task.input
    try:
        read = read_input(f, task.rules)
    except MemoryError:
        err = Problem(Code.OUT_OF_MEMORY, f.name, params={"limit_mb": task.rules.standard.limits.max_worker_memory_mb})
        return ReadResult(f, failure=CountyOutcome.failed(f.name, err))
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the run
        err = Problem(Code.INTERNAL, f.name, params={"during": "读取该文件", "consequence": "该文件已跳过",
                                                     "detail": internal_detail(exc)})
        return ReadResult(f, failure=CountyOutcome.failed(f.name, err))
    usable = [p for p in read if p.usable]
    if not usable:
        data = read[0]
        outcome = CountyOutcome(input=f.name, status="error", inputs=[f.name], county=data.county_id.name,
                                county_code=data.county_id.code)
        for p in data.problems:
            outcome.add(p)
        if not outcome.errors:
            outcome.add(Problem(Code.NO_SCHOOL_DATA, f.name))
        return ReadResult(f, failure=outcome)
    return ReadResult(f, usable[0].kind, [(d.county_id, pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL))
                                          for d in usable])


def _worker_init(megabytes: int | None) -> None:
    """Worker initializer. Past ``megabytes`` of address space an allocation fails with
    MemoryError in this worker alone (POSIX; elsewhere a dying worker is the guard). Ctrl-C
    is left to the main process, which lets running workers finish their county and starts
    no other: a worker stopped half-way would only leave a temporary file behind."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass
    if not megabytes:
        return
    try:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def run_isolated(fn: Callable, tasks: list, jobs: int, on_result: Callable, on_death: Callable,
                 memory_mb: int | None = None, stop: Callable[[], bool] = lambda: False) -> list:
    """Run ``fn`` over ``tasks`` in worker processes, calling ``on_result(task, result)`` as each
    finishes. A worker that dies (out of memory, a crash in a native library) takes down only
    its own task: the tasks that were in flight with it are run again, each alone in a fresh
    worker, and ``on_death(task, exc)`` is called for the one that dies again. Each worker's
    memory is capped at ``memory_mb``. Once ``stop()`` is true no further task is started;
    returns the tasks never run. On Ctrl-C the tasks not started are cancelled and the
    running ones finish before the KeyboardInterrupt goes on."""
    if jobs <= 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            if stop():
                return tasks[i:]
            on_result(task, fn(task))
        return []
    cap = {"initializer": _worker_init, "initargs": (memory_mb,)}
    suspects: list = []
    left: list = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), **cap) as pool:
        try:
            futures = {pool.submit(fn, t): t for t in tasks}
            for fut in as_completed(futures):
                task = futures[fut]
                if fut.cancelled():
                    continue
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    suspects.append(task)
                    continue
                on_result(task, result)
                if stop():
                    left = [t for f, t in futures.items() if f.cancel()]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    for task in suspects:
        if stop():
            left.append(task)
            continue
        with ProcessPoolExecutor(max_workers=1, **cap) as alone:
            try:
                result = alone.submit(fn, task).result()
            except BrokenProcessPool as exc:
                on_death(task, exc)
                continue
        on_result(task, result)
    return left


# ----------------------------------------------------------------------------- the run

@dataclass
class County:
    """The inputs filed under one county in this run, with what each is (``kinds``: county,
    school or export) and the notes made while filing them."""

    id: CountyId
    inputs: list[InputFile] = field(default_factory=list)
    payloads: dict[str, bytes] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)

    def sources(self) -> set[str]:
        """The distinct sources claiming this county (more than one is a clash)."""
        return {self.source_of(f) for f in self.inputs}

    def source_of(self, f: InputFile) -> str:
        """Which whole a file belongs to: itself (a collection table), its folder of school
        workbooks, or the stage exports. A county takes its data from one source."""
        kind = self.kinds.get(f.name, "county")
        if kind == "school":
            return f"folder:{school_folder(f)}"
        return "export" if kind == "export" else f"file:{f.name}"


def inputs_label(names: list[str]) -> str:
    """The inputs of one county for a progress line: a folder of many workbooks in a few words."""
    if len(names) <= 2:
        return "、".join(names)
    folders: dict[str, int] = {}
    for n in names:
        folder = Path(n).parent.as_posix()
        folders[folder] = folders.get(folder, 0) + 1
    return "、".join(f"{folder}/（{k} 个文件）" if folder != "." else f"{k} 个文件" for folder, k in folders.items())


def school_folder(f: InputFile) -> str:
    """The folder of a school workbook, relative to its input ("" at the top)."""
    return Path(f.name).parent.as_posix().removeprefix(".")


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
    _check_prefer(prefer, files)
    reporter = reporter or Reporter(0, quiet=True)
    if state and "://" in state:  # a shared database: unreachable is a usage error, found at once
        _open_or_fail(state, out_dir, reporter)
    with folder_lock(out_dir, wait):
        return Run(rules, out_dir, files, not_read, state=state, jobs=jobs or os.cpu_count() or 1, force=force,
                   reporter=reporter, today=(today or date.today()).isoformat(), prefer=tuple(prefer),
                   year=year).go()


def _check_prefer(prefer: Iterable[str], files: list[InputFile]) -> None:
    """A UsageError for a --prefer value that names no input file and no folder of inputs
    (a typo would otherwise leave both clashing inputs unevaluated, night after night)."""
    names: set[str] = set()
    for f in files:
        names.update((f.name, f.path.name))
        for parent in Path(f.name).parents:
            if parent.name:
                names.update((parent.as_posix(), parent.name))
    unknown = [p for p in prefer if p not in names and p.rstrip("/\\") not in names]
    if unknown:
        examples = "、".join(sorted(f.name for f in files)[:5])
        raise UsageError(f"--prefer 指定的“{'”“'.join(unknown)}”不是任何输入文件或文件夹的名称，本次未运行；"
                         f"请写输入中的文件名或文件夹名，如：{examples}")


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
    """One run with the output folder held: the two phases and what they share."""

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
    counties: dict[str, County] = field(default_factory=dict)
    fault: Fault | None = None  # what stopped the run (no county is started after it)

    def go(self) -> RunResult:
        """Both phases, then summary.json and 运行报告. A fault of the machine or the database
        (a full disk, a folder that cannot be written, a locked or lost ledger) stops the run:
        counties not yet evaluated say so and keep last night's results, and the run still
        tries to write its report before the fault reaches the command line."""
        started = self.started = datetime.now()
        self.ledger_name = describe_state(self.state, self.out_dir)
        self.order = {f.name: i for i, f in enumerate(self.files)}
        try:
            remove_stale_temporaries(self.out_dir, self.out_dir / CACHE_DIR, self.out_dir / BACKUP_DIRNAME)
            self.cache = RunCache(self.out_dir)
            self.digest = rules_hash(self.rules)
            self.memory_mb = self.rules.standard.limits.max_worker_memory_mb
            self._check_database()
            # Hashed once, here, before any worker reads a file: the cache then records the
            # content that was actually evaluated. An unreadable file is reported by its reader.
            self.hashes: dict[str, str | None] = {}
            for f in self.files:
                try:
                    # A county's own 表式补充.toml is part of what the workbook gives.
                    self.hashes[f.name] = file_hash(f.path) + local_forms_digest(f.path)
                except OSError:
                    self.hashes[f.name] = None
            self._read_phase()
            if self.fault is None:
                self._evaluate_phase(self._plan())
            self.cache.save()
            if self.fault is None:
                self._back_up_database()
        except Exception as exc:  # noqa: BLE001 - only faults are caught here; anything else goes on
            fault = classify(exc, database=self.ledger_name, folder=self.out_dir)
            if fault is None:
                raise
            self._stop(fault)
        if self.fault is not None:
            self._mark_unfinished()
        try:
            result = self._summarise(started)
        except Exception as exc:
            fault = classify(exc, database=self.ledger_name, folder=self.out_dir)
            if fault is None:
                raise
            # Last night's summary and report must not pass for tonight's.
            for notice in set_aside_stale(self.out_dir, TITLES[fault.problem.code], (SUMMARY, RUN_REPORT),
                                          since=started.timestamp()):
                self.reporter.error(f"注意：{notice.message}")
            raise fault from exc
        result.fault = self.fault
        return result

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

    # -- the ledger database ------------------------------------------------------------------

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

    # -- phases ---------------------------------------------------------------------------

    def finish(self, outcome: CountyOutcome) -> None:
        self.outcomes.append(outcome)
        fault = next((p for p in outcome.errors if p.code in FAULT_CODES), None)
        if fault is not None:
            self._stop(Fault(fault.at_file(""), outcome.trace or ""))
        problems = len(outcome.errors) + len(outcome.warnings)
        if not outcome.ok:
            text = f"失败：{outcome.errors[0].message if outcome.errors else ''}"
        elif outcome.skipped:
            text = "未变化，跳过" + (f"（{problems} 个数据问题）" if problems else "")
        elif problems:
            counts = describe_counts(count_codes([*outcome.errors, *outcome.warnings]))
            text = f"完成（{problems} 个数据问题：{counts}）→ {outcome.output}"
        else:
            text = f"完成 → {outcome.output}"
        label = inputs_label(outcome.inputs or [outcome.input])
        if outcome.county and outcome.county not in label:  # an export serves several counties
            label = f"{outcome.county}（{label}）"
        self.reporter.advance(label, text, failed=not outcome.ok, notable=problems > 0)
        for p in (*outcome.errors, *outcome.warnings):
            if p.params.get("detail"):  # technical detail: for the log, not the people
                self.reporter.detail(f"{p.file}：{p.code}：{p.params['detail']}")

    def _file_under(self, f: InputFile, county: CountyId, kind: str, payload: bytes | None = None,
                    note: Problem | None = None) -> None:
        entry = self.counties.setdefault(county.key, County(county))
        entry.inputs.append(f)
        entry.kinds[f.name] = kind
        if payload is not None:
            entry.payloads[f.name] = payload
        if note is not None:
            entry.notes.append(note)

    def _read_phase(self) -> None:
        """Which county each input belongs to; unchanged inputs from the cache, without reading.
        School workbooks are filed by folder once all are known; a workbook that could not be
        read in a folder of school workbooks is that county's missing school, not a county."""
        to_read = []
        schools: list[tuple[InputFile, CountyId, bytes | None]] = []
        failures: list[tuple[InputFile, CountyOutcome]] = []
        for f in self.files:
            known = None if self.force else self.cache.county_of(f, self.hashes[f.name])
            if known is None:
                to_read.append(ReadTask(f, self.rules))
            elif known[0] == "school":
                schools.append((f, known[1][0], None))
            else:
                for county in known[1]:
                    self._file_under(f, county, known[0])

        def took(task: ReadTask, res: ReadResult) -> None:
            if res.failure is not None:
                failures.append((task.input, res.failure))
                return
            self.cache.remember_input(task.input, self.hashes[task.input.name], res.kind, [c for c, _ in res.pieces])
            for county, payload in res.pieces:
                if res.kind == "school":
                    schools.append((task.input, county, payload))
                else:
                    self._file_under(task.input, county, res.kind, payload)

        def died(task: ReadTask, exc: BaseException) -> None:
            failures.append((task.input, CountyOutcome.failed(task.input.name, Problem(
                Code.WORKER_DIED, task.input.name, params={"detail": repr(exc)}))))

        run_isolated(read_one, to_read, self.jobs, took, died, self.memory_mb, stop=lambda: self.fault is not None)
        folders = self._file_schools(schools)
        alone = []
        for f, failure in sorted(failures, key=lambda x: self.order[x[0].name]):
            county = folders.get(school_folder(f))
            if county is None:
                alone.append(failure)
            else:
                self._file_missing_school(f, county, failure)
        # One result per county source (a clash reports each source) and per input filed nowhere.
        results = len(alone) + sum(len(c.sources()) for c in self.counties.values())
        self.reporter.set_total(results)
        self.reporter.info(f"共 {len(self.files)} 个输入文件，{len(self.counties)} 个县（区）"
                           + (f"，另有 {len(alone)} 个文件无法读取" if alone else "") + "，开始评估")
        for failure in alone:
            self.finish(failure)

    def _file_schools(self, schools: list[tuple[InputFile, CountyId, bytes | None]]) -> dict[str, CountyId]:
        """File each school workbook under its folder's county: the county the folder is named
        after, else the one most of its schools give. A school that says another county is
        filed by its folder all the same, with a warning. Returns folder -> county."""
        by_folder: dict[str, list[tuple[InputFile, CountyId, bytes | None]]] = {}
        for item in schools:
            by_folder.setdefault(school_folder(item[0]), []).append(item)
        chosen: dict[str, CountyId] = {}
        for folder, items in by_folder.items():
            ids = [cid for _, cid, _ in items]
            named = county_from_text(Path(folder).name) if folder else None
            if named:
                county = next((c for c in ids if c.name == named), None) or resolve(
                    code=None, title_name=named, file_stem=named, counties=self.rules.counties)
            else:
                key = Counter(c.key for c in ids).most_common(1)[0][0]
                county = next(c for c in ids if c.key == key)
            chosen[folder] = county
            for f, cid, payload in items:
                note = None
                if cid.key != county.key:
                    note = Problem(Code.SCHOOL_COUNTY_DIFFERS, f.name, params={
                        "school_county": cid.name + (f"（{cid.code}）" if cid.code else ""), "folder": folder or "（输入文件夹）",
                        "folder_county": county.name})
                self._file_under(f, county, "school", payload, note)
        return chosen

    def _file_missing_school(self, f: InputFile, county: CountyId, failure: CountyOutcome) -> None:
        """A workbook that could not be read, in a county's folder of school workbooks: the
        county is evaluated without it and says which school is missing."""
        reason = failure.errors[0].message if failure.errors else "无法读取"
        data = WorkbookPart(file=f.name, kind="school", county=county.name, identity=county, school=Path(f.name).stem)
        data.problems = [Problem(Code.SCHOOL_FILE_FAILED, f.name, params={
            "school": Path(f.name).stem, "reason": reason, "level": county.level})]
        self._file_under(f, county, "school", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))

    def _plan(self) -> list[CountyJob]:
        """One input per county, output names, and the counties answered from the cache."""
        pending: list[CountyJob] = []
        with LedgerStore(self.state or self.out_dir, directory=self.out_dir) as store:
            for county in sorted(self.counties.values(), key=lambda c: min(self.order[f.name] for f in c.inputs)):
                county.inputs.sort(key=lambda f: self.order[f.name])
                if _settle_clash(county, self.prefer, self.finish) is None:
                    continue
                fingerprint = {"rules": self.digest, "tool": __version__, "year": self.year,
                               "inputs": {f.name: self.hashes[f.name] for f in county.inputs}}
                cached = None if self.force else self.cache.outcome(county.id.key, fingerprint, self.out_dir, self.today)
                stem, new = store.output_stem(self.out_dir, county.id.key, county.id.name, county.id.code)
                # Unchanged data is skipped only while nobody typed into its result: staff edits
                # are read (and a (新) copy merged) every night, not at the next data change.
                if (cached is not None and store.counts(county.id.key) != (0, 0)
                        and not staff_may_have_typed(self.out_dir, stem, self.cache.written(county.id.key))):
                    self.finish(cached)
                    continue
                legacy = tuple(name for f in county.inputs
                               if new and (name := _legacy_output(self.out_dir, f)) and name != f"{stem}{OUTPUT_SUFFIX}.xlsx")
                pending.append(CountyJob(
                    county=county.id, inputs=tuple(county.inputs), out_dir=self.out_dir, stem=stem, rules=self.rules,
                    state=self.state, today=self.today,
                    payloads=tuple(county.payloads.get(f.name) for f in county.inputs),
                    legacy=legacy, fingerprint=fingerprint, notes=tuple(county.notes), year=self.year))
        return self._complete_payloads(pending)

    def _complete_payloads(self, pending: list[CountyJob]) -> list[CountyJob]:
        """Read, side by side, the unchanged inputs of counties that are evaluated again and are
        made of several files (a changed school workbook among unchanged ones): otherwise one
        worker would read the whole folder alone."""
        wanted = {f.name: f for job in pending if len(job.inputs) > 1
                  for f, payload in zip(job.inputs, job.payloads) if payload is None}
        if not wanted:
            return pending
        got: dict[tuple[str, str], bytes] = {}

        def took(task: ReadTask, res: ReadResult) -> None:
            for county, payload in res.pieces:
                got[(task.input.name, county.key)] = payload

        run_isolated(read_one, [ReadTask(f, self.rules) for f in wanted.values()], self.jobs, took,
                     lambda task, exc: None, self.memory_mb)
        out = []
        for job in pending:
            payloads = tuple(p if p is not None else got.get((f.name, job.county.key)) or _only_piece(got, f.name)
                             for f, p in zip(job.inputs, job.payloads))
            out.append(replace(job, payloads=payloads))
        return out

    def _evaluate_phase(self, pending: list[CountyJob]) -> None:
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

    def _write_city(self, entries: list[dict]) -> dict | None:
        """市级汇总.xlsx and 市级简报.html when the run covers two or more counties. When they
        cannot be written tonight, last night's are renamed, never left looking current."""
        from .city_outputs import write_city_outputs
        from .files import CITY_BRIEF, ROLLUP, set_aside_stale

        enough = sum(1 for e in entries if e.get("status") == "ok") >= 2
        if enough and self.fault is None:
            if all(o.skipped for o in self.outcomes) and (self.out_dir / ROLLUP).exists() and (
                    self.out_dir / CITY_BRIEF).exists():
                return {"rollup": ROLLUP, "brief": CITY_BRIEF}  # nothing changed since they were written
            try:
                with LedgerStore(self.state or self.out_dir, directory=self.out_dir) as store:
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

    def _summarise(self, started: datetime) -> RunResult:
        self.outcomes.sort(key=lambda o: self.order.get(o.input, len(self.order)))
        result = RunResult(self.outcomes, self.not_read, self.notices)
        entries = result.entries
        skipped_files = [{"file": n.file, "reason": n.reason} for n in self.not_read]
        city = self._write_city(entries)
        notices = [p.as_dict() for p in self.notices]  # after the roll-up: it may add some
        write_summary(self.out_dir / SUMMARY, self.rules.standard.name, entries,
                      extra={"tool_version": __version__, "generated": started.isoformat(timespec="seconds"),
                             "not_read": skipped_files, "run_problems": notices, "city": city})
        from .report.run_report import write_run_report

        atomic_write(self.out_dir / RUN_REPORT, lambda p: write_run_report(
            p, entries, self.rules.standard.title, started, skipped_files, notices))
        return result


def _legacy_output(out_dir: Path, f: InputFile) -> str | None:
    """The result workbook version 0.1 named after input ``f``, when that name is a safe one
    inside ``out_dir`` (its typed values are adopted); None otherwise."""
    try:
        return output_path(out_dir, legacy_stem(f.name)).name
    except OutsideOutput:
        return None


def written_hashes(out_dir: Path, stem: str) -> dict[str, str]:
    """The county's result workbooks as they are now (name -> sha256): the result and its (新) copy."""
    out = {}
    for path in (output_path(out_dir, stem), output_path(out_dir, stem, busy=True)):
        try:
            out[path.name] = file_hash(path)
        except OSError:
            continue
    return out


def staff_may_have_typed(out_dir: Path, stem: str, written: dict[str, str]) -> bool:
    """True when a result workbook of ``stem`` is not as the tool left it (saved by a person,
    or new to the cache), or a (新) copy waits to be merged now that the result is closed."""
    result, busy = output_path(out_dir, stem), output_path(out_dir, stem, busy=True)
    if busy.exists() and not lock_exists(result):
        return True
    return written_hashes(out_dir, stem) != written


def _only_piece(got: dict[tuple[str, str], bytes], name: str) -> bytes | None:
    """A school workbook's one piece, whatever county it says it is in (it is filed by folder)."""
    pieces = [payload for (file, _), payload in got.items() if file == name]
    return pieces[0] if len(pieces) == 1 else None


def _settle_clash(county: County, prefer: Iterable[str], finish: Callable[[CountyOutcome], None]) -> County | None:
    """One source per county (a collection table, a folder of school workbooks, or the stage
    exports): when several claim the same county, keep the one ``prefer`` names (a file in it,
    or the folder), else none of them; each source left out becomes an error naming the others."""
    groups: dict[str, list[InputFile]] = {}
    for f in county.inputs:
        groups.setdefault(county.source_of(f), []).append(f)
    if len(groups) == 1:
        return county

    def named(source: str, files: list[InputFile]) -> bool:
        folder = source.removeprefix("folder:")
        return any(f.name in prefer or f.path.name in prefer for f in files) or (
            source.startswith("folder:") and (folder in prefer or Path(folder).name in prefer))

    preferred = [s for s, files in groups.items() if named(s, files)]
    keep = preferred[0] if len(preferred) == 1 else None
    label = {s: (s.removeprefix("folder:") + "/" if s.startswith("folder:") else "、".join(f.name for f in files))
             for s, files in groups.items()}
    for source, files in groups.items():
        if source == keep:
            continue
        others = "、".join(label[s] for s in groups if s != source)
        code = Code.COUNTY_CLASH_NOT_PREFERRED if keep else Code.COUNTY_CLASH
        first = files[0]
        finish(CountyOutcome.failed(first.name, Problem(code, first.name, params={
            "county": county.id.describe(), "others": others, "kept": label[keep] if keep else ""}),
            [f.name for f in files], county=county.id.name, county_code=county.id.code))
    if keep is None:
        return None
    kept = {f.name for f in groups[keep]}
    county.inputs = [f for f in county.inputs if f.name in kept]
    county.payloads = {k: v for k, v in county.payloads.items() if k in kept}
    return county
