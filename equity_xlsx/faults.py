"""Faults of the machine or the database that stop a run, and the exit codes they end with.

A fault is not a mistake in one county's data: a full disk, a folder or ledger that cannot be
written, a ledger locked by another program, a database server gone away. Each stops the run
(the next county would meet it too), is shown in Chinese without a traceback, and ends with
its own exit code, so the operator of a nightly job knows what to fix (README, 夜间运行出错时).

Also here: hiding passwords. Any text that may reach the console, the log or a file goes
through ``redact`` first, so no password is shown in any URL form.
"""

from __future__ import annotations

import errno
import re
from enum import IntEnum
from pathlib import Path

from .problems import Code, Problem


class Exit(IntEnum):
    """The exit codes of ``equity-xlsx`` (the table in the README must match)."""

    OK = 0
    FAILED = 1  # some counties could not be evaluated; the others finished
    USAGE = 2  # the command or its configuration is wrong; nothing was done
    BUSY = 3  # another run holds the output folder; nothing was done
    DISK_FULL = 4
    NOT_WRITABLE = 5  # read-only, or no permission
    DB_LOCKED = 6
    DB_LOST = 7
    INTERNAL = 8  # a bug: details in the log
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT); 143 when ended by SIGTERM


# How a fault is shown as a problem (on 运行报告, in summary.json) and its exit code.
FAULT_CODES: dict[Code, Exit] = {
    Code.DISK_FULL: Exit.DISK_FULL,
    Code.NOT_WRITABLE: Exit.NOT_WRITABLE,
    Code.DB_LOCKED: Exit.DB_LOCKED,
    Code.DB_LOST: Exit.DB_LOST,
}


class Fault(Exception):
    """A fault that stops the run. ``problem`` says what, in Chinese (its code decides the exit
    code); ``detail`` is the technical text, for the log only."""

    def __init__(self, problem: Problem, detail: str = ""):
        self.problem, self.detail = problem, redact(detail)
        super().__init__(problem.message)

    @property
    def exit_code(self) -> Exit:
        return FAULT_CODES[self.problem.code]


def fault(code: Code, detail: str = "", **params: object) -> Fault:
    """A Fault of ``code`` with the template's ``params``."""
    return Fault(Problem(code, params=params), detail)


_DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG)
_NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def _chain(exc: BaseException):
    """``exc`` and every exception it was raised from or during (SQLAlchemy's ``orig`` too)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]


def classify(exc: BaseException, *, database: str = "", folder: object = "") -> Fault | None:
    """The Fault behind ``exc`` (anywhere in its chain), or None when ``exc`` is not a fault of
    the machine or the database. ``database`` names the ledger (its URL without password),
    ``folder`` the output folder (named when the error does not say which file)."""
    if isinstance(exc, Fault):
        return exc
    detail = f"{type(exc).__name__}: {exc}"
    for e in _chain(exc):
        if isinstance(e, Fault):
            return e
        text = str(e).lower()
        if isinstance(e, OSError) and e.errno in _DISK_FULL:
            return fault(Code.DISK_FULL, detail, what=_what(e, database, folder))
        if isinstance(e, OSError) and e.errno in _NOT_WRITABLE:
            return fault(Code.NOT_WRITABLE, detail, what=_what(e, database, folder))
        module = type(e).__module__ or ""
        if module.startswith(("sqlite3", "sqlalchemy")) or type(e).__name__ in ("OperationalError", "DatabaseError"):
            if "database or disk is full" in text:
                return fault(Code.DISK_FULL, detail, what=f"台账数据库 {database}")
            if "readonly database" in text or "unable to open database file" in text:
                return fault(Code.NOT_WRITABLE, detail, what=f"台账数据库 {database}")
            if "database is locked" in text or "database table is locked" in text:
                return fault(Code.DB_LOCKED, detail, where=database, seconds=_busy_seconds())
        if module.startswith("psycopg") and type(e).__name__ in ("OperationalError", "InterfaceError"):
            return fault(Code.DB_LOST, detail, where=database)
        if getattr(e, "connection_invalidated", False):
            return fault(Code.DB_LOST, detail, where=database)
    return None


def _what(e: OSError, database: str, folder: object) -> str:
    name = str(e.filename or "")
    if database and name and (name in database or Path(name).name.startswith(Path(database).name)):
        return f"台账数据库 {database}"
    if name:
        return f" {name} "
    return f"输出文件夹 {folder} " if folder else "输出文件夹"


def _busy_seconds() -> int:
    from .store import SQLITE_BUSY_TIMEOUT

    return int(SQLITE_BUSY_TIMEOUT)


# ----------------------------------------------------------------------------- passwords

# scheme://user:PASSWORD@host — the password runs to the last "@" of the address (an
# unencoded "@" in a password is common), and never over white space.
_USERINFO = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^\s:/@]*:)(?P<secret>\S*)(?P<tail>@[^\s@]*)")
# password=… in a query string or a libpq connection string (also quoted)
_KEYWORD = re.compile(r"(?P<head>\b(?:password|passwd|pwd|sslpassword)\s*[=:]\s*)"
                      r"(?P<secret>'[^']*'|\"[^\"]*\"|[^\s&;,)\"']*)", re.IGNORECASE)
_known: set[str] = set()
MASK = "***"


def remember_secret(url: str | None) -> None:
    """Remember the password in ``url`` (every spelling of it) so ``redact`` hides it even
    where a driver quotes it on its own. Passwords under 4 characters are hidden by form only."""
    if not url or "://" not in url:
        return
    from urllib.parse import parse_qs, unquote, urlsplit

    found = []
    for m in _USERINFO.finditer(url):
        found.append(m.group("secret"))
    for m in _KEYWORD.finditer(url):
        found.append(m.group("secret").strip("'\""))
    try:
        query = parse_qs(urlsplit(url).query)
        for key in ("password", "passwd", "pwd", "sslpassword"):
            found += query.get(key, [])
    except ValueError:
        pass
    for secret in found:
        for spelling in {secret, unquote(secret)}:
            if len(spelling) >= 4:
                _known.add(spelling)


def redact(text: object) -> str:
    """``text`` with every password hidden: in a URL's user part, after password= (query
    strings, connection strings), and any remembered password wherever it appears."""
    out = str(text)
    for secret in sorted(_known, key=len, reverse=True):
        # Whole words only: a password "postgres" must not turn "postgresql" into "***ql".
        out = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, out)
    out = _USERINFO.sub(lambda m: m.group("head") + (MASK if m.group("secret") else "") + m.group("tail"), out)
    return _KEYWORD.sub(lambda m: m.group("head") + MASK, out)
