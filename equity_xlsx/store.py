"""The ledger memory: every 整改台账 line, its status history, each run and each county's
schools, in a database.

By default an SQLite file ``DIR/equity-ledger.sqlite`` beside the outputs; a ``--state`` value
containing ``://`` is a SQLAlchemy URL used as-is, so a province can point every county at one
PostgreSQL database (``postgresql+psycopg://user:pass@host/db``) and share the ledger.

Rows are keyed by (county, 台账编号), so several counties live in one database and several
processes may write *different* counties at the same time: on SQLite the file runs in WAL mode
with a busy timeout and every write transaction starts with ``BEGIN IMMEDIATE`` (a writer waits
for the lock up front instead of failing half-way); on PostgreSQL ordinary transactions do.

The store only stores: the rules that decide what to keep live in ``reconcile``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from .faults import redact
from .outputs import clean_name, name_tag
from .model import LedgerLine
from .vocabulary import LedgerStatus

DEFAULT_FILENAME = "equity-ledger.sqlite"
# Seconds a writer waits for another process's SQLite write lock before giving up.
SQLITE_BUSY_TIMEOUT = 60.0

metadata = sa.MetaData()

# Tables carry an ``equity_`` prefix so the ledger can share a province database with others.


def _stored_fields():
    return [f for f in fields(LedgerLine) if f.metadata.get("stored", True) and f.name not in ("id", "county")]


def _sql_column(f) -> sa.Column:  # noqa: ANN001
    """A LedgerLine field as a column: numbers nullable, text NOT NULL with its default (also
    on the server, so a migration can add it to a table that already has rows)."""
    if f.type in ("float | None", float | None):
        return sa.Column(f.name, sa.Float, nullable=True)
    return sa.Column(f.name, sa.Text, nullable=False, default=f.default, server_default=f.default)


# The ledger table is derived from the record: one column per stored LedgerLine field, keyed
# by (county, line_id), plus when the row was last written.
ledger_lines = sa.Table(
    "equity_ledger_lines",
    metadata,
    sa.Column("county", sa.String, primary_key=True),
    sa.Column("line_id", sa.String, primary_key=True),
    *(_sql_column(f) for f in _stored_fields()),
    sa.Column("updated_at", sa.DateTime, nullable=True),
)

ledger_history = sa.Table(
    "equity_ledger_history",
    metadata,
    sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("county", sa.String, nullable=False),
    sa.Column("line_id", sa.String, nullable=False),
    sa.Column("on_date", sa.String(10), nullable=False),
    # "status" for a status change, else the staff field whose old value is kept here.
    sa.Column("field", sa.String, nullable=False, default="status"),
    sa.Column("from_value", sa.Text, nullable=False, default=""),
    sa.Column("to_value", sa.Text, nullable=False, default=""),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("recorded_at", sa.DateTime, nullable=True),
    sa.Index("ix_equity_ledger_history_line", "county", "line_id"),
)

runs = sa.Table(
    "equity_runs",
    metadata,
    sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("county", sa.String, nullable=False, default=""),
    sa.Column("input_name", sa.String, nullable=False, default=""),
    sa.Column("run_at", sa.DateTime, nullable=False),
    sa.Column("input_hash", sa.String, nullable=False, default=""),
    sa.Column("standard", sa.String, nullable=False, default=""),
    sa.Column("tool_version", sa.String, nullable=False, default=""),
    sa.Column("opened", sa.Integer, nullable=False, default=0),
    sa.Column("closed", sa.Integer, nullable=False, default=0),
    sa.Column("reopened", sa.Integer, nullable=False, default=0),
    sa.Column("open_lines", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String, nullable=False, default="ok"),
    # Migration 0002: the county's display name and its typed outcome (summary.json's entry),
    # so a city roll-up can read every county's last result from the store alone.
    sa.Column("county_name", sa.Text, nullable=False, default="", server_default=""),
    sa.Column("outcome", sa.Text, nullable=False, default="", server_default=""),
    # Migration 0006: the year the data describes (--year, else the title or file name), so the
    # trend keeps one point per county and year: a re-run of the same year replaces it.
    sa.Column("data_year", sa.Integer, nullable=True),
    sa.Index("ix_equity_runs_county", "county"),
    sa.Index("ix_equity_runs_input", "input_name"),
)


# Output names: each county's result workbook in each output folder has one stem, assigned
# once and kept, never reused for another county (migration 0003).
outputs = sa.Table(
    "equity_outputs",
    metadata,
    sa.Column("out_dir", sa.Text, primary_key=True),
    sa.Column("stem", sa.Text, primary_key=True),
    sa.Column("county", sa.Text, nullable=False),
    sa.Column("assigned_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("out_dir", "county", name="uq_equity_outputs_county"),
)

# What the tool wrote into each cell staff may type into, per result file (migration 0004): a
# cell that differs from it tonight was edited by staff, whichever file it is in.
written = sa.Table(
    "equity_written",
    metadata,
    sa.Column("county", sa.Text, primary_key=True),
    sa.Column("file", sa.Text, primary_key=True),
    sa.Column("written_at", sa.DateTime, nullable=False),
    sa.Column("snapshot", sa.Text, nullable=False),  # JSON: {"lines": {id: {field: text}}, "scores": {item: n}}
)

# B类 scores typed on 任务清单, kept like the ledger's staff columns (migration 0004).
scores = sa.Table(
    "equity_scores",
    metadata,
    sa.Column("county", sa.Text, primary_key=True),
    sa.Column("item", sa.Text, primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

# The last staff edit taken into the ledger for each cell, and the output folder it was typed
# in; and the conflicts found between folders (migration 0007). Two output folders may share
# one ledger for a county (a city's PostgreSQL): their staff must not silently disagree.
edits = sa.Table(
    "equity_edits",
    metadata,
    sa.Column("county", sa.Text, primary_key=True),
    sa.Column("item", sa.Text, primary_key=True),  # a 台账编号, or "score:<task item>"
    sa.Column("field", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("folder", sa.Text, nullable=False),
    sa.Column("saved_at", sa.Float, nullable=False),  # the workbook's save time, POSIX seconds
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

edit_conflicts = sa.Table(
    "equity_edit_conflicts",
    metadata,
    sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("county", sa.Text, nullable=False),
    sa.Column("item", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("kept", sa.Text, nullable=False),
    sa.Column("kept_folder", sa.Text, nullable=False),
    sa.Column("kept_at", sa.Float, nullable=False),
    sa.Column("other", sa.Text, nullable=False),
    sa.Column("other_folder", sa.Text, nullable=False),
    sa.Column("other_at", sa.Float, nullable=False),
    # each folder reports the conflict once, on its next 数据问题
    sa.Column("kept_told", sa.Boolean, nullable=False, default=False),
    sa.Column("other_told", sa.Boolean, nullable=False, default=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Index("ix_equity_edit_conflicts_county", "county"),
)

# Each county's schools as its last successful evaluation filed them (migration 0008): a county
# named only by its file name is recognised by them when the file is renamed (filing.py).
schools = sa.Table(
    "equity_schools",
    metadata,
    sa.Column("county", sa.Text, primary_key=True),
    sa.Column("school", sa.Text, primary_key=True),  # the name as matched (no spaces, half-width), or ""
    sa.Column("code", sa.Text, primary_key=True),  # 学校标识码, or ""
    sa.Column("county_name", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

migrations_table = sa.Table(
    "equity_migrations",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)


def _add_columns(table: sa.Table, *names: str):
    """A migration step adding columns of the current ``table`` definition (idempotent)."""

    def step(conn: Connection) -> None:
        existing = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
        for name in names:
            if name not in existing:
                ddl = sa.schema.CreateColumn(table.c[name]).compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")

    return step


# Numbered schema changes, applied in order, each once (in the manner of sqlite-utils'
# Migrations). "0001_initial" is the schema of the first release, which had no migrations
# table: a database found without one but with the ledger table is at 0001. A fresh database
# is created from the current table definitions and marked as having every migration.
MIGRATIONS: tuple[tuple[str, object], ...] = (
    ("0001_initial", None),
    ("0002_runs_outcome", _add_columns(runs, "county_name", "outcome")),
    ("0003_outputs", None),  # a new table: created by create_all
    ("0004_staff_edits", _add_columns(ledger_lines, "staff_edited")),  # and the written/scores tables
    ("0005_staff_columns", _add_columns(ledger_lines, "extra")),
    ("0006_runs_data_year", _add_columns(runs, "data_year")),
    ("0007_shared_edits", None),  # new tables (edits, edit_conflicts): created by create_all
    ("0008_schools", None),  # a new table (schools): created by create_all
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def migrate(engine: Engine) -> list[str]:
    """Bring the database to the current schema; returns the migrations applied now.

    One transaction; on PostgreSQL an advisory lock (on SQLite the write lock) keeps two
    processes starting together from migrating twice.
    """
    now = dt.datetime.now().replace(microsecond=0)
    applied_now: list[str] = []
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(770017001)")
        tables = set(sa.inspect(conn).get_table_names())
        if migrations_table.name not in tables:
            fresh = ledger_lines.name not in tables
            migrations_table.create(conn)
            done = [name for name, _ in MIGRATIONS] if fresh else ["0001_initial"]
            if fresh:
                metadata.create_all(conn)
            conn.execute(migrations_table.insert(), [{"name": n, "applied_at": now} for n in done])
        applied = set(conn.execute(sa.select(migrations_table.c.name)).scalars())
        for name, step in MIGRATIONS:
            if name in applied:
                continue
            if step is not None:
                step(conn)
            conn.execute(migrations_table.insert(), [{"name": name, "applied_at": now}])
            applied_now.append(name)
        metadata.create_all(conn, checkfirst=True)  # tables added later need no migration step
    return applied_now


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a line: a status change, or a staff value replaced (old value kept).

    ``field`` is "status" or a staff column name (owner, due, progress, remark);
    ``on_date`` is the ISO date of the run; ``reason`` is Chinese text shown to staff.
    """

    county: str
    line_id: str
    on_date: str
    from_value: str
    to_value: str
    reason: str
    field: str = "status"


@dataclass(frozen=True)
class EditRecord:
    """A staff edit of one cell: the value, the output folder it was typed in (its resolved
    path) and when that workbook was saved (POSIX seconds)."""

    value: str
    folder: str
    saved_at: float


def folder_key(folder: str | os.PathLike[str]) -> str:
    """How an output folder is named in the ledger: its resolved path."""
    return str(Path(folder).resolve())


def _in_folder(folder: str | os.PathLike[str], file: str) -> str:
    """The key of ``file`` in output ``folder`` (the written snapshots of folders sharing a ledger)."""
    return f"{folder_key(folder)}|{file}"


@dataclass(frozen=True)
class RunRecord:
    """One evaluation run of one county: for 概览, the trend and the city roll-up from the store."""

    county: str
    input_name: str
    run_at: dt.datetime
    input_hash: str
    standard: str
    tool_version: str
    opened: int = 0
    closed: int = 0
    reopened: int = 0
    open_lines: int = 0
    status: str = "ok"
    county_name: str = ""
    outcome: str = ""  # the county's summary.json entry, as JSON text
    data_year: int | None = None


@dataclass
class CountyLedger:
    """What the store knows of one county before tonight (``LedgerStore.read_county``).

    ``known``: the store has lines or runs of the county (False: a new, deleted or replaced
    database, when a result workbook may give the ledger back). ``written``: file name -> the
    cells as the tool last wrote them (None: not recorded). ``edits`` and ``untold``: the
    staff edits of every output folder, and the conflicts this folder has not reported yet.
    ``status_changes``: (ISO date, from, to) of every status change, for the months' counts.
    """

    county: str
    lines: dict[str, LedgerLine]
    known: bool
    written: dict[str, dict | None]
    edits: dict[tuple[str, str], EditRecord]
    untold: list[dict]
    scores: dict[str, float]
    last_run: RunRecord | None
    year_runs: list[RunRecord]
    status_changes: list[tuple[str, str, str]]


@dataclass
class CountyWrites:
    """Everything one county's run changes in the store, written in one transaction: the
    lines that changed and their history, the B类 scores typed, the staff edits kept and the
    conflicts found (this folder reports them tonight), the earlier conflicts it reports
    (``told``), the snapshots of the files written (None: the file is gone), and the run."""

    lines: list[LedgerLine] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    edits: dict[tuple[str, str], EditRecord] = field(default_factory=dict)
    conflicts: list[tuple[str, str, EditRecord, EditRecord]] = field(default_factory=list)
    told: list[dict] = field(default_factory=list)
    written: dict[str, dict | None] = field(default_factory=dict)
    run: RunRecord | None = None


def count_months(changes: Iterable[tuple[str, str, str]]) -> list[tuple[str, int, int]]:
    """(YYYY-MM, lines opened or reopened, lines closed) per month, from status changes
    (ISO date, from, to), months in order."""
    months: dict[str, list[int]] = {}
    for on_date, before, after in changes:
        month = months.setdefault(on_date[:7], [0, 0])
        if after == LedgerStatus.CLOSED:
            month[1] += 1
        elif before in ("", LedgerStatus.CLOSED):
            month[0] += 1
    return [(m, o, k) for m, (o, k) in sorted(months.items())]


def as_stored(line: LedgerLine) -> LedgerLine:
    """``line`` as the store gives it back: numbers as floats, text as text, no display order."""
    row = _row_from_line(line)
    for f in _stored_fields():
        value = row[f.name]
        if f.type in ("float | None", float | None):
            row[f.name] = None if value is None else float(value)
        elif value is not None and not isinstance(value, str):
            row[f.name] = str(value)
    return _line_from_row(row)


def state_url(state: str | os.PathLike[str] | None, directory: str | os.PathLike[str] | None = None) -> URL:
    """The SQLAlchemy URL for a ``--state`` value.

    ``None`` → ``directory/equity-ledger.sqlite``; a value containing ``://`` → used as-is
    (e.g. ``postgresql+psycopg://…``); an existing directory → ``that dir/equity-ledger.sqlite``;
    a path ending in a separator → a directory to hold that file; anything else → that SQLite
    file. Paths may hold spaces and Chinese characters, and the folder is created if missing.
    """
    if state is None:
        if directory is None:
            raise ValueError("未指定台账数据库位置（--state）或输出目录")
        path = Path(directory) / DEFAULT_FILENAME
    else:
        text = os.fspath(state)
        if "://" in text:
            try:
                return make_url(text)
            except (sa.exc.ArgumentError, ValueError) as exc:
                raise StoreUnavailable(text, str(exc), unsupported_message(redact(text))) from None
        path = Path(text)
        if path.is_dir() or text.endswith(("/", "\\")):
            path = path / DEFAULT_FILENAME
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Built, not parsed: spaces, 中文 and C:\ reach sqlite3 exactly as they are.
    return URL.create("sqlite+pysqlite", database=str(path))


# The databases the ledger is tested on: a SQLite file, or PostgreSQL (psycopg 3).
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def unsupported_message(where: str, *, driver: bool = False) -> str:
    """Why a --state URL cannot be used, in Chinese (``where`` without its password)."""
    why = "缺少该数据库的驱动程序" if driver else "不是支持的数据库地址"
    return (f"台账库地址 {where} {why}：--state 可以是 SQLite 文件路径，或 postgresql+psycopg://用户:密码@主机/库名"
            "（需先安装：pip install '.[postgres]'）")


def describe_state(state: str | os.PathLike[str] | None, directory: str | os.PathLike[str] | None = None) -> str:
    """The ledger as a person reads it in a message: the SQLite file, or the URL without its
    password (nothing is created or opened)."""
    if state is not None and "://" in os.fspath(state):
        return redact(os.fspath(state))
    return str(Path(state) if state is not None else Path(directory or ".") / DEFAULT_FILENAME)


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy's "begin" below decide when a transaction starts (pysqlite's own
        # deferred BEGIN would take the write lock late and fail instead of waiting).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
        # WAL: readers never block the writer and vice versa. Not for network shares (SMB):
        # put the state file on a local disk or use PostgreSQL there.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # IMMEDIATE takes the write lock now, waiting up to busy_timeout for other processes.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class StoreUnavailable(Exception):
    """The ledger database cannot be opened or reached (a usage error: exit code 2).

    ``str()`` is Chinese, for the user; ``detail`` the driver's own text (password hidden), for
    the log."""

    def __init__(self, where: str, detail: str, message: str | None = None):
        self.where, self.detail = redact(where), redact(detail)
        super().__init__(message or f"无法打开台账数据库 {self.where}：请检查 --state 的地址、用户名、密码，以及网络和数据库服务"
                                    "是否正常（详细原因见运行日志）")


class NotALedger(StoreUnavailable):
    """The file named as the ledger is something else (a text file, a workbook, another
    program's database, a damaged file that is not recognisably a ledger). It is never
    renamed, replaced or written."""

    def __init__(self, path: Path, what: str):
        self.path = path
        super().__init__(str(path), what, f"{path} 不是台账数据库（{what}），为免误改，没有对它做任何改动，本次未运行：请检查 "
                                          f"--state 指定的文件（台账库默认是 输出文件夹/{DEFAULT_FILENAME}），或移走该文件")


SQLITE_HEADER = b"SQLite format 3\x00"
# Names only a ledger's schema holds: found in the bytes of a file, they make it recognisably
# ours even when SQLite can no longer read it.
_OUR_TABLES = (b"equity_ledger_lines", b"equity_migrations")


def sqlite_trouble(path: Path, *, ours: bool = False) -> str | None:
    """Whether the file at ``path`` may serve as the ledger.

    None: use it (missing, empty, an empty SQLite database, or a healthy ledger). "corrupt" or
    "not_a_database": it is recognisably a damaged ledger (SQLite's header and the output
    folder's own ledger file, ``ours``, or our tables' names in its bytes): set it aside.
    Anything else raises NotALedger, and the file is left as it is. A file another program
    holds locked raises the DB_LOCKED fault (it is not damaged)."""
    import sqlite3

    from .faults import classify

    if not path.exists():
        return None
    if not path.is_file():
        raise NotALedger(path, "不是普通文件")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_HEADER))
    if not head:
        return None
    mentions = _mentions_our_tables(path)
    if head != SQLITE_HEADER:
        if mentions:
            return "not_a_database"
        raise NotALedger(path, _what_file(path))
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT)
        try:
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        fault = classify(exc, database=str(path))
        if fault is not None:
            raise fault from exc
        tables, rows = set(), []
    if rows == [("ok",)]:
        if not tables or tables & {ledger_lines.name, migrations_table.name}:
            return None
        raise NotALedger(path, f"是另一个程序的 SQLite 数据库，其中的表：{'、'.join(sorted(tables)[:5])}")
    if mentions or ours:
        return "corrupt"
    raise NotALedger(path, "是损坏的 SQLite 数据库，看不出是台账库")


def _mentions_our_tables(path: Path, limit: int = 256 << 20) -> bool:
    """True when the first ``limit`` bytes of ``path`` hold a ledger table's name."""
    keep = max(len(n) for n in _OUR_TABLES)
    tail = b""
    with path.open("rb") as fh:
        while fh.tell() < limit:
            chunk = fh.read(1 << 20)
            if not chunk:
                return False
            if any(n in tail + chunk for n in _OUR_TABLES):
                return True
            tail = chunk[-keep:]
    return False


def _what_file(path: Path) -> str:
    """What a file that is not SQLite looks like, in a few Chinese words."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "是 Excel 工作簿或压缩文件"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "是旧版 Office 文件（.xls、.doc 等）"
    try:
        head.decode("utf-8")
        if b"\x00" not in head:
            return "是文本文件"
    except UnicodeDecodeError:
        pass
    return "不是 SQLite 数据库文件"


def set_aside(path: Path, now: dt.datetime | None = None) -> Path:
    """Move a damaged SQLite file (and its -wal / -shm) aside as ``name.损坏-YYYYmmdd-HHMMSS``."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.损坏-{stamp}")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    path.replace(target)
    return target


def backup_sqlite(path: Path, folder: Path, keep: int, now: dt.datetime | None = None) -> Path | None:
    """A consistent copy of the ledger (SQLite's online backup) in ``folder``, unless it equals the
    newest copy already there; keeps the newest ``keep`` copies. Returns the new copy or None.
    Copies are named and found as the result workbooks' are (readback.backups_of)."""
    import filecmp
    import sqlite3

    from .readback import backups_of

    if not path.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    tmp = folder / f".{path.stem}.{os.getpid()}.tmp{path.suffix}"
    src, dst = sqlite3.connect(str(path), timeout=SQLITE_BUSY_TIMEOUT), sqlite3.connect(str(tmp))
    try:
        src.backup(dst)
    except BaseException:
        dst.close()
        tmp.unlink(missing_ok=True)  # a full disk must not be made fuller by half a copy
        raise
    finally:
        dst.close()
        src.close()
    existing = backups_of(path, folder)
    if existing and filecmp.cmp(existing[-1], tmp, shallow=False):
        tmp.unlink()
        return None
    target = folder / f"{path.stem}_{stamp}{path.suffix}"
    n = 2
    while target.exists():
        target = folder / f"{path.stem}_{stamp}-{n}{path.suffix}"
        n += 1
    tmp.replace(target)
    for old in (existing + [target])[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return target


class LedgerStore:
    """The ledger database for one or many counties.

    Example::

        with LedgerStore(out_dir / "equity-ledger.sqlite") as store:
            stored = store.load("大祥区")

    ``state`` is a path to an SQLite file (or a directory to hold one) or a SQLAlchemy URL.
    Tables are created when absent. Use as a context manager, or call ``close()``: on Windows
    an open SQLite file cannot be moved or deleted.
    """

    def __init__(self, state: str | os.PathLike[str], *, directory: str | os.PathLike[str] | None = None):
        from .faults import Exit, classify

        self._url = state_url(state, directory)
        backend = self._url.get_backend_name()
        if backend not in SUPPORTED_BACKENDS:
            raise StoreUnavailable(self.url, f"backend {backend}", unsupported_message(self.url))
        try:
            if backend == "sqlite":
                self.engine = _sqlite_engine(self._url)
            else:
                self.engine = sa.create_engine(self._url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        except (sa.exc.NoSuchModuleError, ImportError) as exc:
            raise StoreUnavailable(self.url, str(exc), unsupported_message(self.url, driver=True)) from exc
        try:
            self._create_tables()
        except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DatabaseError, OSError) as exc:
            self.engine.dispose()
            fault = classify(exc, database=self.url)
            if fault is not None and fault.exit_code != Exit.DB_LOST:  # locked, full, read-only: say so
                raise fault from exc
            raise StoreUnavailable(self.url, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc

    def counts(self, county: str, conn: Connection | None = None) -> tuple[int, int]:
        """(ledger lines, runs) kept for ``county``: (0, 0) for a county the store does not know."""
        with self._conn(conn) as c:
            n_lines = c.execute(sa.select(sa.func.count()).select_from(ledger_lines)
                                .where(ledger_lines.c.county == county)).scalar()
            n_runs = c.execute(sa.select(sa.func.count()).select_from(runs).where(runs.c.county == county)).scalar()
        return n_lines, n_runs

    @classmethod
    def for_directory(cls, directory: str | os.PathLike[str]) -> LedgerStore:
        """The default store of an output folder: ``directory/equity-ledger.sqlite``."""
        return cls(Path(directory) / DEFAULT_FILENAME)

    @property
    def url(self) -> str:
        """The database URL with any password hidden, for logs and 口径说明 (SQLite: the path)."""
        if self.is_sqlite:
            return self._url.database or ""
        return redact(self._url.render_as_string(hide_password=True))

    @property
    def is_sqlite(self) -> bool:
        return self._url.get_backend_name() == "sqlite"

    def _create_tables(self) -> None:
        # Two processes may start on an empty PostgreSQL database together; migrate() holds
        # an advisory lock, and the loser of a rare CREATE race simply tries again.
        for attempt in range(3):
            try:
                self.migrated = migrate(self.engine)
                return
            except (IntegrityError, ProgrammingError, OperationalError):
                if attempt == 2:
                    raise

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One short transaction (on SQLite: holding the write lock). Commits on success."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """Release every connection (and so the SQLite file)."""
        self.engine.dispose()

    def __enter__(self) -> LedgerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ledger lines ---------------------------------------------------------------------

    def load(self, county: str, conn: Connection | None = None) -> dict[str, LedgerLine]:
        """Every stored line of ``county`` (open, closed and archived), by 台账编号."""
        with self._conn(conn) as c:
            rows = c.execute(sa.select(ledger_lines).where(ledger_lines.c.county == county)).mappings()
            return {r["line_id"]: _line_from_row(r) for r in rows}

    def save(
        self,
        county: str,
        lines: Iterable[LedgerLine],
        history: Iterable[HistoryEntry] = (),
        conn: Connection | None = None,
    ) -> None:
        """Insert or update ``lines`` and append ``history``, in one transaction.

        Pass only lines that changed: an unchanged line need not be written at all.
        """
        lines = list(lines)
        history = list(history)
        if not lines and not history:
            return
        now = dt.datetime.now().replace(microsecond=0)
        with self._conn(conn) as c:
            existing = set(
                c.execute(
                    sa.select(ledger_lines.c.line_id).where(ledger_lines.c.county == county)
                ).scalars()
            )
            inserts, updates = [], []
            for line in lines:
                if line.county != county:
                    raise ValueError(f"台账条目 {line.id} 属于 {line.county}，不能写入 {county}")
                row = _row_from_line(line) | {"updated_at": now}
                (updates if line.id in existing else inserts).append(row)
            if inserts:
                c.execute(ledger_lines.insert(), inserts)
            if updates:
                cols = [k for k in updates[0] if k not in ("county", "line_id")]
                stmt = (
                    ledger_lines.update()
                    .where(ledger_lines.c.county == sa.bindparam("b_county"))
                    .where(ledger_lines.c.line_id == sa.bindparam("b_line_id"))
                    .values({k: sa.bindparam(k) for k in cols})
                )
                c.execute(
                    stmt,
                    [
                        {"b_county": u["county"], "b_line_id": u["line_id"]} | {k: u[k] for k in cols}
                        for u in updates
                    ],
                )
            if history:
                c.execute(
                    ledger_history.insert(),
                    [
                        {
                            "county": h.county,
                            "line_id": h.line_id,
                            "on_date": h.on_date,
                            "field": h.field,
                            "from_value": h.from_value,
                            "to_value": h.to_value,
                            "reason": h.reason,
                            "recorded_at": now,
                        }
                        for h in history
                    ],
                )

    def history(self, county: str, line_id: str | None = None) -> list[HistoryEntry]:
        """The history of ``county`` (or of one line), oldest first."""
        stmt = sa.select(ledger_history).where(ledger_history.c.county == county)
        if line_id is not None:
            stmt = stmt.where(ledger_history.c.line_id == line_id)
        with self._conn(None) as c:
            rows = c.execute(stmt.order_by(ledger_history.c.seq)).mappings()
            return [
                HistoryEntry(
                    county=r["county"],
                    line_id=r["line_id"],
                    on_date=r["on_date"],
                    from_value=r["from_value"],
                    to_value=r["to_value"],
                    reason=r["reason"],
                    field=r["field"],
                )
                for r in rows
            ]

    def counties(self) -> list[str]:
        """Every county with at least one ledger line or run."""
        with self._conn(None) as c:
            a = set(c.execute(sa.select(ledger_lines.c.county).distinct()).scalars())
            b = set(c.execute(sa.select(runs.c.county).distinct()).scalars())
        return sorted((a | b) - {""})

    def delete_county(self, county: str) -> None:
        """Forget ``county`` entirely (lines, history, runs): for tests and deliberate resets."""
        with self._conn(None) as c:
            for table in (ledger_lines, ledger_history, runs, written, scores, edits, edit_conflicts, schools):
                c.execute(table.delete().where(table.c.county == county))

    def adopt(self, county: str, earlier: Iterable[str], conn: Connection | None = None) -> str | None:
        """Move the ledger of an earlier key of this county (its name, before a code was
        known) to ``county``, when ``county`` has none yet. Returns the key adopted, if any."""
        with self._conn(conn) as c:
            if c.execute(sa.select(sa.func.count()).select_from(ledger_lines)
                         .where(ledger_lines.c.county == county)).scalar():
                return None
            for old in earlier:
                if old == county:
                    continue
                if c.execute(sa.select(sa.func.count()).select_from(ledger_lines)
                             .where(ledger_lines.c.county == old)).scalar():
                    for table in (ledger_lines, ledger_history, runs, written, scores, edits, edit_conflicts):
                        c.execute(table.update().where(table.c.county == old).values(county=county))
                    c.execute(schools.delete().where(schools.c.county == old))  # recorded anew under ``county``
                    return old
        return None

    # -- what was written, and B类 scores ---------------------------------------------------

    def written(self, county: str, file: str, folder: str | os.PathLike[str] | None = None,
                conn: Connection | None = None) -> dict | None:
        """The editable cells as the tool last wrote them into ``file`` of output ``folder``
        (None: never recorded). Folders sharing one ledger each keep their own; a snapshot
        recorded by a version that did not name the folder is the fallback."""
        keys = ([_in_folder(folder, file)] if folder is not None else []) + [file]
        with self._conn(conn) as c:
            for key in keys:
                text = c.execute(sa.select(written.c.snapshot).where(written.c.county == county)
                                 .where(written.c.file == key)).scalar()
                if text:
                    return json.loads(text)
        return None

    def record_written(self, county: str, file: str, snapshot: dict | None,
                       folder: str | os.PathLike[str] | None = None, conn: Connection | None = None) -> None:
        """Remember what was written into ``file`` of ``folder`` (None: forget it, the file is gone,
        also as an earlier version recorded it)."""
        key = _in_folder(folder, file) if folder is not None else file
        gone = [key, file] if snapshot is None else [key]
        with self._conn(conn) as c:
            c.execute(written.delete().where(written.c.county == county).where(written.c.file.in_(gone)))
            if snapshot is not None:
                c.execute(written.insert(), [{"county": county, "file": key, "snapshot": json.dumps(snapshot, ensure_ascii=False),
                                              "written_at": dt.datetime.now().replace(microsecond=0)}])

    # -- edits from several output folders ----------------------------------------------------

    def last_edits(self, county: str, conn: Connection | None = None) -> dict[tuple[str, str], EditRecord]:
        """The last staff edit taken into the ledger for each cell of ``county``, from whichever
        output folder: (item, field) -> EditRecord."""
        with self._conn(conn) as c:
            rows = c.execute(sa.select(edits.c.item, edits.c.field, edits.c.value, edits.c.folder, edits.c.saved_at)
                             .where(edits.c.county == county))
            return {(item, field): EditRecord(value, folder, saved_at) for item, field, value, folder, saved_at in rows}

    def record_edits(self, county: str, kept: dict[tuple[str, str], EditRecord],
                     conflicts: Iterable[tuple[str, str, EditRecord, EditRecord]] = (), *,
                     told_by: str | None = None, conn: Connection | None = None) -> None:
        """Remember ``kept`` as the last edits of their cells, and the ``conflicts`` found
        (item, field, the edit kept, the other), each to be reported once by both folders
        (take_conflicts; ``told_by``: the folder that reports them now); one transaction."""
        conflicts = list(conflicts)
        if not kept and not conflicts:
            return
        now = dt.datetime.now().replace(microsecond=0)
        with self._conn(conn) as c:
            for item, name in kept:
                c.execute(edits.delete().where(edits.c.county == county, edits.c.item == item, edits.c.field == name))
            if kept:
                c.execute(edits.insert(), [{"county": county, "item": item, "field": name, "value": e.value,
                                            "folder": e.folder, "saved_at": e.saved_at, "recorded_at": now}
                                           for (item, name), e in kept.items()])
            if conflicts:
                c.execute(edit_conflicts.insert(), [{
                    "county": county, "item": item, "field": name, "kept": k.value, "kept_folder": k.folder,
                    "kept_at": k.saved_at, "other": o.value, "other_folder": o.folder, "other_at": o.saved_at,
                    "kept_told": k.folder == told_by, "other_told": o.folder == told_by, "recorded_at": now}
                    for item, name, k, o in conflicts])

    def take_conflicts(self, county: str, folder: str) -> list[dict]:
        """The conflicts ``folder`` has not yet reported (oldest first), marked reported now."""
        with self.begin() as c:
            rows = self.untold_conflicts(county, folder, c)
            self.mark_told(rows, folder, c)
        return rows

    def untold_conflicts(self, county: str, folder: str, conn: Connection | None = None) -> list[dict]:
        """The conflicts ``folder`` has not yet reported, oldest first (rows of the table)."""
        t = edit_conflicts
        with self._conn(conn) as c:
            return [dict(r) for r in c.execute(sa.select(t).where(t.c.county == county).where(
                ((t.c.kept_folder == folder) & ~t.c.kept_told) | ((t.c.other_folder == folder) & ~t.c.other_told))
                .order_by(t.c.seq)).mappings()]

    def mark_told(self, rows: Iterable[dict], folder: str, conn: Connection | None = None) -> None:
        """Mark the conflict ``rows`` reported by ``folder``."""
        t = edit_conflicts
        with self._conn(conn) as c:
            for r in rows:
                told = {"kept_told": True} if r["kept_folder"] == folder else {}
                told |= {"other_told": True} if r["other_folder"] == folder else {}
                c.execute(t.update().where(t.c.seq == r["seq"]).values(**told))

    def scores(self, county: str, conn: Connection | None = None) -> dict[str, float]:
        """The B类 scores kept for ``county``: item id -> points."""
        with self._conn(conn) as c:
            rows = c.execute(sa.select(scores.c.item, scores.c.score).where(scores.c.county == county))
            return {item: score for item, score in rows}

    def save_scores(self, county: str, typed: dict[str, float], conn: Connection | None = None) -> None:
        """Insert or replace the scores in ``typed`` (others are kept)."""
        if not typed:
            return
        now = dt.datetime.now().replace(microsecond=0)
        with self._conn(conn) as c:
            c.execute(scores.delete().where(scores.c.county == county).where(scores.c.item.in_(list(typed))))
            c.execute(scores.insert(), [{"county": county, "item": k, "score": v, "updated_at": now}
                                        for k, v in typed.items()])

    # -- each county's schools -------------------------------------------------------------

    def school_rosters(self) -> dict[str, tuple[str, set[tuple[str, str]]]]:
        """Every county's schools as last recorded: key -> (county name, {(school, 学校标识码)})."""
        found: dict[str, tuple[str, set[tuple[str, str]]]] = {}
        with self._conn(None) as c:
            for county, name, school, code in c.execute(
                    sa.select(schools.c.county, schools.c.county_name, schools.c.school, schools.c.code)):
                found.setdefault(county, (name, set()))[1].add((school, code))
        return found

    def record_schools(self, counties: dict[str, tuple[str, Iterable[tuple[str, str]]]]) -> None:
        """Replace the schools recorded for each county key by its (county name, pairs of
        (school, 学校标识码)), in one transaction; a county whose record is unchanged is not written."""
        if not counties:
            return
        now = dt.datetime.now().replace(microsecond=0)
        with self.begin() as c:
            found: dict[str, set[tuple[str, str, str]]] = {}
            for county, name, school, code in c.execute(
                    sa.select(schools.c.county, schools.c.county_name, schools.c.school, schools.c.code)
                    .where(schools.c.county.in_(list(counties)))):
                found.setdefault(county, set()).add((name, school, code))
            for county, (name, pairs) in counties.items():
                wanted = {(name, s, k) for s, k in pairs}
                if found.get(county, set()) == wanted:
                    continue
                c.execute(schools.delete().where(schools.c.county == county))
                if wanted:
                    c.execute(schools.insert(), [{"county": county, "county_name": name, "school": s, "code": k,
                                                  "recorded_at": now} for _, s, k in sorted(wanted)])

    # -- output names ----------------------------------------------------------------------

    def output_stem(self, out_dir: str | os.PathLike[str], county: str, name: str,
                    code: str | None = None) -> tuple[str, bool]:
        """The stem of ``county``'s result workbook in ``out_dir``: the one assigned before, else
        ``name`` cleaned into a safe file name (outputs.clean_name: never a path), or, when another
        county holds that name there, the name with ``(code)``, else with a short hash of the
        county key; recorded now. Names are compared without case, as Windows does. A stem an
        earlier version stored that is not a clean name is assigned afresh. Returns (stem,
        newly assigned)."""
        folder = folder_key(out_dir)
        base = clean_name(name)
        for _ in range(3):
            try:
                with self.begin() as c:
                    mine = (outputs.c.out_dir == folder) & (outputs.c.county == county)
                    known = c.execute(sa.select(outputs.c.stem).where(mine)).scalar()
                    if known is not None and known == clean_name(known):
                        return known, False
                    if known is not None:
                        c.execute(outputs.delete().where(mine))
                    taken = {s.casefold() for s in c.execute(sa.select(outputs.c.stem)
                                                             .where(outputs.c.out_dir == folder)).scalars()}
                    wanted = [base] + ([clean_name(name, tag=f"({code})")] if code else [])
                    wanted += [clean_name(name, tag=name_tag(county)),
                               *(clean_name(name, tag=name_tag(f"{county}#{n}")) for n in range(2, 10_000))]
                    stem = next(w for w in wanted if w.casefold() not in taken)
                    c.execute(outputs.insert(), [{"out_dir": folder, "stem": stem, "county": county,
                                                  "assigned_at": dt.datetime.now().replace(microsecond=0)}])
                    return stem, True
            except IntegrityError:
                continue  # another process took that name this instant: look again
        raise RuntimeError(f"无法为 {county} 分配输出文件名")

    # -- runs -----------------------------------------------------------------------------

    def record_run(
        self,
        county: str,
        *,
        input_name: str = "",
        input_hash: str = "",
        standard: str = "",
        tool_version: str = "",
        opened: int = 0,
        closed: int = 0,
        reopened: int = 0,
        open_lines: int = 0,
        status: str = "ok",
        run_at: dt.datetime | None = None,
        county_name: str = "",
        outcome: str = "",
        data_year: int | None = None,
        conn: Connection | None = None,
    ) -> RunRecord:
        """Append one run. ``input_name`` is how batch names the input (e.g. its path);
        ``outcome`` is the county's result as JSON (summary.json's entry); ``data_year`` the
        year its data describes."""
        record = RunRecord(
            county=county,
            input_name=input_name,
            run_at=(run_at or dt.datetime.now()).replace(microsecond=0),
            input_hash=input_hash,
            standard=standard,
            tool_version=tool_version,
            opened=opened,
            closed=closed,
            reopened=reopened,
            open_lines=open_lines,
            status=status,
            county_name=county_name,
            outcome=outcome,
            data_year=data_year,
        )
        with self._conn(conn) as c:
            c.execute(runs.insert(), [asdict(record)])
        return record

    def year_runs(self, county: str | None = None, conn: Connection | None = None) -> list[RunRecord]:
        """The trend: for each county (or ``county``) and data year, its latest successful run
        with an outcome, ordered by county and year. A re-run of a year replaces its point."""
        stmt = sa.select(runs).where(runs.c.status == "ok", runs.c.outcome != "", runs.c.data_year.is_not(None))
        if county is not None:
            stmt = stmt.where(runs.c.county == county)
        latest: dict[tuple[str, int], RunRecord] = {}
        with self._conn(conn) as c:
            for row in c.execute(stmt.order_by(runs.c.run_at, runs.c.seq)).mappings():
                record = RunRecord(**{f.name: row[f.name] for f in fields(RunRecord)})
                latest[(record.county, record.data_year)] = record
        return [latest[k] for k in sorted(latest)]

    def last_runs(self) -> list[RunRecord]:
        """Each county's latest successful run with an outcome (the city roll-up from the store)."""
        stmt = sa.select(runs).where(runs.c.status == "ok", runs.c.outcome != "").order_by(runs.c.run_at, runs.c.seq)
        latest: dict[str, RunRecord] = {}
        with self._conn(None) as c:
            for row in c.execute(stmt).mappings():
                latest[row["county"]] = RunRecord(**{f.name: row[f.name] for f in fields(RunRecord)})
        return [latest[k] for k in sorted(latest)]

    def ledger_months(self, county: str) -> list[tuple[str, int, int]]:
        """(YYYY-MM, lines opened or reopened, lines closed) per month of the ledger's history."""
        return count_months(self.status_changes(county))

    def status_changes(self, county: str, conn: Connection | None = None) -> list[tuple[str, str, str]]:
        """Every status change of the county's lines: (ISO date, from, to)."""
        stmt = sa.select(ledger_history.c.on_date, ledger_history.c.from_value, ledger_history.c.to_value).where(
            ledger_history.c.county == county, ledger_history.c.field == "status")
        with self._conn(conn) as c:
            return [tuple(row) for row in c.execute(stmt)]

    def get_last_run(self, county: str | None = None, *, input_name: str | None = None,
                     conn: Connection | None = None) -> RunRecord | None:
        """The latest run of ``county`` and/or ``input_name``; ``None`` before the first run
        (概览's 上次运行时间; whether an input is unchanged is the run cache's, runcache.py)."""
        if county is None and input_name is None:
            raise ValueError("get_last_run needs a county or an input name")
        stmt = sa.select(runs)
        if county is not None:
            stmt = stmt.where(runs.c.county == county)
        if input_name is not None:
            stmt = stmt.where(runs.c.input_name == input_name)
        stmt = stmt.order_by(runs.c.run_at.desc(), runs.c.seq.desc()).limit(1)
        with self._conn(conn) as c:
            row = c.execute(stmt).mappings().first()
        if row is None:
            return None
        return RunRecord(**{f.name: row[f.name] for f in fields(RunRecord)})

    # -- one county's run: one transaction to read, one to write ---------------------------

    def read_county(self, county: str, *, earlier: Iterable[str] = (), files: Iterable[str] = (),
                    folder: str | os.PathLike[str]) -> CountyLedger:
        """Everything the store knows of ``county`` before tonight, in one transaction: first the
        ledger of an ``earlier`` key is adopted (``adopt``), then the lines, the snapshots of
        ``files`` in output ``folder``, the staff edits and the conflicts ``folder`` has not
        reported, the B类 scores, the last run, the runs by data year and the status history."""
        here = folder_key(folder)
        with self.begin() as c:
            self.adopt(county, earlier, c)
            n_lines, n_runs = self.counts(county, c)
            return CountyLedger(
                county=county, lines=self.load(county, c), known=(n_lines, n_runs) != (0, 0),
                written={f: self.written(county, f, folder, c) for f in files},
                edits=self.last_edits(county, c), untold=self.untold_conflicts(county, here, c),
                scores=self.scores(county, c), last_run=self.get_last_run(county, conn=c),
                year_runs=self.year_runs(county, c), status_changes=self.status_changes(county, c))

    def write_county(self, county: str, tonight: CountyWrites, *, folder: str | os.PathLike[str]) -> None:
        """Everything tonight changed for ``county``, in one transaction (see ``CountyWrites``)."""
        here = folder_key(folder)
        with self.begin() as c:
            self.save(county, tonight.lines, tonight.history, c)
            self.save_scores(county, tonight.scores, c)
            self.record_edits(county, tonight.edits, tonight.conflicts, told_by=here, conn=c)
            self.mark_told(tonight.told, here, c)
            for file, snapshot in tonight.written.items():
                self.record_written(county, file, snapshot, folder, c)
            if tonight.run is not None:
                c.execute(runs.insert(), [asdict(tonight.run)])

    # -- helpers --------------------------------------------------------------------------

    @contextmanager
    def _conn(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.begin() as c:
                yield c


def _row_from_line(line: LedgerLine) -> dict:
    row = {f.name: getattr(line, f.name) for f in _stored_fields()}
    return row | {"county": line.county, "line_id": line.id}


def _line_from_row(row) -> LedgerLine:  # noqa: ANN001
    return LedgerLine(id=row["line_id"], county=row["county"], **{f.name: row[f.name] for f in _stored_fields()})
