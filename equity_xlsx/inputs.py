"""Finding a run's inputs: which files in the input folders are workbooks to read, why every
other file found there is not read (shown in 运行报告 and summary.json), and the content hash
each input is remembered by.

Nothing here opens a workbook: a file is judged by what it is (a FIFO, a link, a folder named
like a workbook) and by its name.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .intake.local import PATTERN as FORM_MAPPING, local_forms_digest
from .outputs import INPUT_SUFFIXES, is_tool_output


@dataclass(frozen=True)
class InputFile:
    """One workbook to read: where it is, and its name relative to the input folder given
    (summary.json "input", and what the cache and the ledger store remember it by)."""

    path: Path
    name: str


class UsageError(Exception):
    """A mistake in how the tool was called (exit code 2); the message is Chinese."""


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
    """The sha256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_hashes(files: list[InputFile]) -> dict[str, str | None]:
    """What each input is remembered by, keyed by its name: the hash of its bytes and of the
    county's own 表式补充.toml beside it (part of what the workbook gives); None for a file
    that cannot be read now (its reader reports why)."""
    hashes: dict[str, str | None] = {}
    # The mapping files depend on the workbook's folder alone (intake.local.local_files): read
    # once per folder, not once per school workbook in it (300 globs and reads of one file).
    by_folder: dict[Path, str] = {}
    for f in files:
        try:
            digest = file_hash(f.path)
            folder = f.path.resolve().parent
            if folder not in by_folder:
                by_folder[folder] = local_forms_digest(f.path)
            hashes[f.name] = digest + by_folder[folder]
        except OSError:
            hashes[f.name] = None
    return hashes
