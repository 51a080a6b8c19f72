"""The output folder and what the run writes into it: output names (cleaned by Windows rules,
checked to lie inside ``--out``), atomic writes, the lock files of Excel/WPS/LibreOffice, the
run's own hold on its output folder, and leftovers of a stopped run (temporaries, stale reports).

Used by ``batch`` (the run) and ``pipeline`` (one county), so neither imports the other.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable

from .problems import Code, Problem

OUTPUT_SUFFIX = "_评估结果"
OUTPUT_SUFFIX_BUSY = "_评估结果(新)"
ROLLUP = "市级汇总.xlsx"  # written when a run covers two or more counties, and by `rollup`
CITY_BRIEF = "市级简报.html"
RUN_REPORT = "运行报告.xlsx"
SUMMARY = "summary.json"
CACHE_DIR = ".equity-cache"
INPUT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


# ----------------------------------------------------------------------------- names and paths

# Characters Windows forbids in a file name (and the C0 controls), replaced on every OS: a
# name made on a Linux server must still be valid when the folder is copied to a Windows PC.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Device names Windows reserves whatever the extension (CON.txt is the console).
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
NAME_CHARS = 80
# Every file made from a name adds at most ~60 bytes (_评估结果(新), a backup's time stamp, a
# temporary's process id); 180 bytes of UTF-8 keeps all of them under the 255-byte limit of
# Linux file systems (80 Chinese characters alone would be 240 bytes).
NAME_BYTES = 180


def clean_name(text: str, *, tag: str = "", fallback: str = "未命名") -> str:
    """``text`` made safe as one file name on every OS, with ``tag`` (e.g. "(430503)") kept
    whole at its end.

    Windows rules everywhere: forbidden characters (``<>:"/\\|?*``), control and invisible
    format characters become "_"; no leading dot, space or "~" (hidden files, lock files), no
    trailing dot or space; a reserved device name (CON, NUL, COM1 …) gets a "_". At most
    ``NAME_CHARS`` characters and ``NAME_BYTES`` bytes of UTF-8, tag included. A name left
    empty becomes ``fallback``. So no name from data can hold a path separator or "..".
    """
    name = unicodedata.normalize("NFC", str(text))
    name = "".join("_" if _FORBIDDEN.match(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in name)
    name = re.sub(r"_{2,}", "_", name).strip().lstrip("._~ ").rstrip(". ")
    name = name or fallback
    head, dot, rest = name.partition(".")
    if head.strip().upper() in _RESERVED:
        name = f"{head}_{dot}{rest}"
    room_chars, room_bytes = NAME_CHARS - len(tag), NAME_BYTES - len(tag.encode("utf-8"))
    while len(name) > room_chars or len(name.encode("utf-8")) > room_bytes:
        name = name[:-1]
    return (name.rstrip(". ") or fallback) + tag


def name_tag(key: str) -> str:
    """A short tag that tells apart two counties whose cleaned names are the same: "_" and six
    hex digits of a hash of ``key`` (the same key always gives the same tag)."""
    return "_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]


class OutsideOutput(Exception):
    """A path the run was about to write or read lies outside the output folder (a name from
    the data, or a link planted in the folder); the message is Chinese."""

    def __init__(self, folder: Path, path: Path):
        self.folder, self.path = folder, path
        super().__init__(f"{path.name} 将落在输出文件夹 {folder} 之外（名称含路径，或是指向别处的链接），"
                         "为安全起见未写入")


def inside(folder: Path, path: Path) -> Path:
    """``path`` itself when, resolved (links followed), it lies inside ``folder``; else
    OutsideOutput. Call it on every path made from a name before writing or reading it."""
    root = Path(folder).resolve()
    if root not in Path(path).resolve().parents:
        raise OutsideOutput(Path(folder), Path(path))
    return path


def is_tool_output(name: str) -> bool:
    """True for a workbook this tool wrote (an evaluation result, the run report, the roll-up)."""
    stem = Path(name).stem
    return (stem.endswith(OUTPUT_SUFFIX) or stem.endswith(OUTPUT_SUFFIX_BUSY)
            # also one set aside as 市级汇总(未更新，…) (set_aside_stale)
            or stem.startswith(Path(ROLLUP).stem) or stem.startswith(Path(RUN_REPORT).stem))


def output_path(out_dir: Path, stem: str, *, busy: bool = False) -> Path:
    """The result workbook of ``stem``: ``X_评估结果.xlsx``, or ``X_评估结果(新).xlsx`` while locked;
    OutsideOutput when that path would not lie inside ``out_dir``."""
    return inside(out_dir, out_dir / f"{stem}{OUTPUT_SUFFIX_BUSY if busy else OUTPUT_SUFFIX}.xlsx")


def legacy_output(out_dir: Path, input_name: str) -> str | None:
    """The result workbook version 0.1 named after an input ("a/b.xlsx" -> "a_b_评估结果.xlsx"),
    when that name is a safe one inside ``out_dir`` (its typed values are adopted); None otherwise."""
    stem = Path(input_name).with_suffix("").as_posix().replace("/", "_")
    try:
        return output_path(out_dir, stem).name
    except OutsideOutput:
        return None


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
# Temporary files of atomic_write: ".{stem}.{pid}.tmp{suffix}"; and ".{name}.{8 hex}.tmp", the
# briefs' own temporaries before they shared atomic_write.
_TEMP = re.compile(r"^\..+\.(\d+\.tmp(\.[A-Za-z0-9]+)?|html\.[0-9a-f]{8}\.tmp)$")


class FolderBusy(Exception):
    """Another run holds the output folder; ``holder`` says which (pid, host, start), in Chinese."""

    def __init__(self, folder: Path, holder: str, waited: float):
        self.folder, self.holder, self.waited = folder, holder, waited
        super().__init__(f"另一个评估正在使用输出文件夹 {folder}（{holder or '进程信息不明'}），"
                         f"已等待 {waited:.0f} 秒；本次未运行，没有改动任何文件。请等它结束后再运行。")


class UnsafeLock(Exception):
    """The run's lock file is a link, or not a plain file of its own: the run refuses to open it
    (opening would truncate whatever it points to). The message is Chinese."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"输出文件夹中的 {path.name} 是指向别处的链接或不是普通文件，为安全起见本次未运行，"
                         f"没有改动任何文件；请删除 {path} 后再运行")


# Windows has no O_NOFOLLOW: there the path is checked before opening and the opened file is
# compared with it after (see _open_lock); it locks with msvcrt, not fcntl. Module-level so
# tests on Linux can take the Windows branches.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_WINDOWS = os.name == "nt"


def _open_lock(path: Path) -> int:
    """A descriptor of the lock file at ``path``, created if missing, never through a link.

    With O_NOFOLLOW the kernel refuses a link; without it (Windows) a link found before
    opening is refused. Either way the opened file must then be the plain, singly linked file
    that ``path`` names (a hard link to another file, a FIFO or a device is refused too).
    """
    if not _NOFOLLOW and (path.is_symlink() or _is_junction(path)):
        raise UnsafeLock(path)
    flags = os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise UnsafeLock(path) from exc
        raise
    try:
        opened, named = os.fstat(fd), os.lstat(path)
        if (not stat.S_ISREG(opened.st_mode) or opened.st_nlink > 1
                or (opened.st_dev, opened.st_ino) != (named.st_dev, named.st_ino)):
            raise UnsafeLock(path)
    except BaseException:
        os.close(fd)
        raise
    return fd


# The reparse tag of a Windows directory junction (a mount point).
_JUNCTION_TAG = 0xA0000003


def _is_junction(path: Path) -> bool:
    """A Windows directory junction: a link that ``is_symlink`` does not report (before 3.12)."""
    try:
        return getattr(os.lstat(path), "st_reparse_tag", 0) == _JUNCTION_TAG
    except OSError:
        return False


def _try_lock(fd: int) -> bool:
    """Take the operating system's exclusive lock on ``fd`` without waiting."""
    try:
        if _WINDOWS:
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _read_holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode("utf-8", "replace").strip()


@contextmanager
def folder_lock(folder: Path, wait_seconds: float) -> Iterator[None]:
    """Hold ``folder`` for this run. Another run waits up to ``wait_seconds`` and then raises
    FolderBusy. The lock is the operating system's (released when a process dies, even when
    killed), the file only names its holder for the message. The lock file is never opened
    through a link (UnsafeLock)."""
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    fd = _open_lock(path)
    started = time.monotonic()
    try:
        while not _try_lock(fd):
            if time.monotonic() - started >= wait_seconds:
                raise FolderBusy(folder, _read_holder(fd), time.monotonic() - started)
            time.sleep(min(1.0, max(wait_seconds / 10, 0.05)))
        holder = f"进程 {os.getpid()}，主机 {socket.gethostname()}，开始于 {datetime.now():%Y-%m-%d %H:%M:%S}"
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, holder.encode("utf-8"))
        yield
    finally:
        os.close(fd)  # closing releases the lock


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


def set_aside_stale(folder: Path, reason: str, names: tuple[str, ...],
                    since: float | None = None) -> list[Problem]:
    """Rename the files ``names`` in ``folder`` that this run could not rewrite (``reason``, in
    Chinese), e.g. to ``市级汇总(未更新，2026-11-01生成).xlsx``, so nobody takes them for tonight's.
    A file written at or after ``since`` (a POSIX time: the run's start) is tonight's and
    stays. Returns one STALE_SET_ASIDE problem per file set aside (saying so also when it cannot
    be renamed)."""
    found = []
    for name in names:
        path = folder / name
        if not path.is_file() or (since is not None and path.stat().st_mtime >= since):
            continue
        made = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d")
        aside = path.with_name(f"{path.stem}(未更新，{made}生成){path.suffix}")
        try:
            os.replace(path, aside)
            what = f"旧文件已改名为 {aside.name}，以免被当作最新结果"
        except OSError:
            what = "旧文件也无法改名：请勿把它当作最新结果"
        found.append(Problem(Code.STALE_SET_ASIDE, params={"name": name, "reason": reason, "what": what}))
    return found
