"""Worker isolation: each input is read, and each county evaluated, in a worker process of its
own, so one file that crashes a native library or eats the memory takes down only itself.

``run_isolated`` runs tasks in a process pool with each worker's address space capped
(``[limits] max_worker_memory_mb``); a task whose worker dies is run again alone, and only
when it dies again is it reported. ``read_one`` is the read task of the run's first phase.
"""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable

from .filing import Piece, Roster
from .inputs import InputFile
from .outcome import CountyOutcome
from .pipeline import read_input
from .problems import Code, Problem, internal_detail
from .rulebook import Rules


@dataclass(frozen=True)
class ReadTask:
    input: InputFile
    rules: Rules


@dataclass
class ReadResult:
    """An input read in a worker: what it is and, per county in it, a piece holding the data
    pickled for the evaluation phase (a collection table or a school workbook: one; a stage
    export: one per county)."""

    input: InputFile
    kind: str = "county"  # "county" | "school" | "export"
    pieces: list[Piece] = field(default_factory=list)
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
    return ReadResult(f, usable[0].kind, [Piece(d.county_id, pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL),
                                                Roster.of(d)) for d in usable])


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
