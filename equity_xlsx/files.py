"""Files the run owns: output names, atomic writes, and the lock files of Excel/WPS/LibreOffice.

Used by ``batch`` (the run) and ``pipeline`` (one county), so neither imports the other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

OUTPUT_SUFFIX = "_评估结果"
OUTPUT_SUFFIX_BUSY = "_评估结果(新)"
RUN_REPORT = "运行报告.xlsx"
SUMMARY = "summary.json"
CACHE_DIR = ".equity-cache"
INPUT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def is_tool_output(name: str) -> bool:
    """True for a workbook this tool wrote (an evaluation result or the run report)."""
    stem = Path(name).stem
    return stem.endswith(OUTPUT_SUFFIX) or stem.endswith(OUTPUT_SUFFIX_BUSY) or name == RUN_REPORT


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
