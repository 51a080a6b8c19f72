"""Files the run owns: output names, atomic writes, the lock files of Excel/WPS/LibreOffice,
and the run's own hold on its output folder.

Used by ``batch`` (the run) and ``pipeline`` (one county), so neither imports the other.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable

OUTPUT_SUFFIX = "_评估结果"
OUTPUT_SUFFIX_BUSY = "_评估结果(新)"
ROLLUP = "市级汇总.xlsx"  # written when a run covers two or more counties, and by `rollup`
CITY_BRIEF = "市级简报.html"
RUN_REPORT = "运行报告.xlsx"
SUMMARY = "summary.json"
CACHE_DIR = ".equity-cache"
INPUT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def is_tool_output(name: str) -> bool:
    """True for a workbook this tool wrote (an evaluation result, the run report, the roll-up)."""
    stem = Path(name).stem
    return stem.endswith(OUTPUT_SUFFIX) or stem.endswith(OUTPUT_SUFFIX_BUSY) or name in (RUN_REPORT, ROLLUP)


def output_path(out_dir: Path, stem: str, *, busy: bool = False) -> Path:
    """The result workbook of ``stem``: ``X_评估结果.xlsx``, or ``X_评估结果(新).xlsx`` while locked."""
    return out_dir / f"{stem}{OUTPUT_SUFFIX_BUSY if busy else OUTPUT_SUFFIX}.xlsx"


def lock_exists(target: Path) -> bool:
    """True when Excel, WPS or LibreOffice holds ``target`` open (their lock file is beside it)."""
    name = target.name
    candidates = [f"~${name}", f"~${name[2:]}", f".~lock.{name}#", f".~{name}"]
    return any((target.parent / c).exists() for c in candidates)


def atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp_path)`` then move the finished file onto ``target`` in one rename.

    The temporary name carries the process id, so two processes never share one.
    """
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


# ----------------------------------------------------------------------------- one run per folder

LOCK_FILE = ".equity-run.lock"
# Temporary files of atomic_write: ".{stem}.{pid}.tmp{suffix}".
_TEMP = re.compile(r"^\..+\.\d+\.tmp(\.[A-Za-z0-9]+)?$")


class FolderBusy(Exception):
    """Another run holds the output folder; ``holder`` says which (pid, host, start), in Chinese."""

    def __init__(self, folder: Path, holder: str, waited: float):
        self.folder, self.holder, self.waited = folder, holder, waited
        super().__init__(f"另一个评估正在使用输出文件夹 {folder}（{holder or '进程信息不明'}），"
                         f"已等待 {waited:.0f} 秒；本次未运行，没有改动任何文件。请等它结束后再运行。")


def _try_lock(fh) -> bool:  # noqa: ANN001
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


@contextmanager
def folder_lock(folder: Path, wait_seconds: float) -> Iterator[None]:
    """Hold ``folder`` for this run. Another run waits up to ``wait_seconds`` and then raises
    FolderBusy. The lock is the operating system's (released when a process dies, even when
    killed), the file only names its holder for the message."""
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    fh = path.open("a+", encoding="utf-8")
    started = time.monotonic()
    try:
        while not _try_lock(fh):
            if time.monotonic() - started >= wait_seconds:
                fh.seek(0)
                raise FolderBusy(folder, fh.read().strip(), time.monotonic() - started)
            time.sleep(min(1.0, max(wait_seconds / 10, 0.05)))
        fh.seek(0)
        fh.truncate()
        fh.write(f"进程 {os.getpid()}，主机 {socket.gethostname()}，开始于 {datetime.now():%Y-%m-%d %H:%M:%S}")
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock


def remove_stale_temporaries(*folders: Path) -> list[Path]:
    """Delete the half-written temporary files a killed run left (call with the folder locked)."""
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            if child.is_file() and _TEMP.match(child.name):
                child.unlink(missing_ok=True)
                removed.append(child)
    return removed
