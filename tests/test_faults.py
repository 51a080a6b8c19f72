"""Faults of the night: each gives a Chinese message, its documented exit code and no traceback;
--state never renames a file that is not a ledger; no password is ever shown; a roll-up that
could not be rewritten never passes for tonight's.

Full disks and read-only folders are real where Linux lets a test make them (a private mount
namespace: ``unshare -m``); elsewhere those tests are skipped, and the same paths are taken by
injecting the operating system's error.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import equity_xlsx.pipeline as pipeline
import equity_xlsx.store as store_module
from equity_xlsx.batch import run
from equity_xlsx.cli import app
from equity_xlsx.faults import Exit, redact, remember_secret
from runs_by_hand import SAMPLE, county_export, sample_counties, summary, whole

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str):
    return runner.invoke(app, [str(a) for a in args])


# ---------------------------------------------------------------- --state never renames what is not a ledger

def other_programs_database(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE students (name TEXT, grade INTEGER)")
        con.execute("INSERT INTO students VALUES ('张三', 3)")
    con.close()
    return path


def damaged_sqlite(path: Path, ours: bool) -> Path:
    """SQLite's header, then garbage (mentioning a ledger table only when ``ours``)."""
    body = b"\x00garbage" * 4096 + (b"CREATE TABLE equity_ledger_lines" if ours else b"")
    path.write_bytes(b"SQLite format 3\x00" + body)
    return path


@pytest.mark.whole_run
@pytest.mark.parametrize("kind", ["text", "workbook", "other_sqlite", "damaged_unknown_sqlite"])
def test_state_naming_a_file_that_is_not_a_ledger_leaves_it_untouched(tmp_path, kind):
    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    state = {"text": tmp_path / "笔记.txt", "workbook": tmp_path / "大祥区_评估结果.xlsx",
             "other_sqlite": tmp_path / "学籍.sqlite", "damaged_unknown_sqlite": tmp_path / "旧库.db"}[kind]
    if kind == "text":
        state.write_text("县里的备忘：明天交表\n", encoding="utf-8")
    elif kind == "workbook":
        shutil.copy(SAMPLE, state)  # e.g. --state pointed at the staff's workbook by mistake
    elif kind == "other_sqlite":
        other_programs_database(state)
    else:
        damaged_sqlite(state, ours=False)
    before = state.read_bytes()

    result = cli("run", src, "--out", out, "--jobs", "1", "--state", state)

    assert result.exit_code == Exit.USAGE, result.output
    assert "不是台账数据库" in result.output and "Traceback" not in result.output
    assert state.read_bytes() == before
    assert sorted(p.name for p in state.parent.iterdir() if p.name.startswith(state.name)) == [state.name]
    assert not list(out.glob("*_评估结果.xlsx")) if out.exists() else True


@pytest.mark.whole_run
def test_a_damaged_ledger_named_by_state_is_recognised_set_aside_and_rebuilt(tmp_path):
    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    (tmp_path / "台账").mkdir()
    state = damaged_sqlite(tmp_path / "台账" / "全市台账.db", ours=True)
    result = cli("run", src, "--out", out, "--jobs", "1", "--state", state)
    assert result.exit_code == Exit.OK, result.output
    assert [n["code"] for n in summary(out)["run_problems"]] == ["db_replaced"]
    assert len(list(state.parent.glob("全市台账.db.损坏-*"))) == 1


def hold_sqlite_lock(db: Path) -> subprocess.Popen:
    """Another program holding the ledger's exclusive lock, until killed."""
    code = ("import sqlite3, sys, time\n"
            "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "con.execute('PRAGMA locking_mode=EXCLUSIVE'); con.execute('BEGIN EXCLUSIVE')\n"
            "con.execute('CREATE TABLE IF NOT EXISTS held (x)')\n"
            "print('held', flush=True); time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.whole_run
def test_a_ledger_locked_by_another_program_says_so_and_is_not_set_aside(tmp_path, monkeypatch):
    src, out = sample_counties(tmp_path / "县表", ["大祥区", "甲县"]), tmp_path / "结果"
    assert cli("run", src, "--out", out, "--jobs", "1").exit_code == 0
    monkeypatch.setattr(store_module, "SQLITE_BUSY_TIMEOUT", 1.0)
    holder = hold_sqlite_lock(out / "equity-ledger.sqlite")
    try:
        result = cli("run", src, "--out", out, "--jobs", "1", "--force")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == Exit.DB_LOCKED, result.output
    assert "正被另一个程序锁定" in result.output and "密码" not in result.output.replace("这不是密码问题", "")
    assert "Traceback" not in result.output
    assert not list(out.glob("equity-ledger.sqlite.损坏-*"))  # a locked ledger is not a damaged one
    assert (out / "大祥区_评估结果.xlsx").is_file() and whole(out / "大祥区_评估结果.xlsx")  # last night's
    # the next night, unlocked, runs as usual
    assert cli("run", src, "--out", out, "--jobs", "1").exit_code == 0


# ---------------------------------------------------------------- usage errors: exit 2, nothing done

def test_log_pointing_to_a_folder_is_a_usage_error(tmp_path):
    src = sample_counties(tmp_path / "县表", ["大祥区"])
    result = cli("run", src, "--out", tmp_path / "结果", "--log", tmp_path)
    assert result.exit_code == Exit.USAGE and "--log 应为一个文件" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "结果").exists()


@pytest.mark.whole_run
def test_log_in_a_folder_not_yet_made_is_created(tmp_path):
    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    log = out / "日志" / "运行日志.txt"  # the cron line logs into --out, which the first night creates
    assert cli("run", src, "--out", out, "--jobs", "1", "--log", log).exit_code == 0
    assert "大祥区.xlsx" in log.read_text(encoding="utf-8")


def test_prefer_naming_no_input_is_a_usage_error(tmp_path):
    src = sample_counties(tmp_path / "县表", ["大祥区"])
    result = cli("run", src, "--out", tmp_path / "结果", "--prefer", "大祥区（修定）.xlsx")
    assert result.exit_code == Exit.USAGE and "--prefer 指定的“大祥区（修定）.xlsx”不是任何输入" in result.output
    assert "大祥区.xlsx" in result.output  # names what could be meant
    assert not (tmp_path / "结果").exists()


@pytest.mark.whole_run
def test_prefer_may_name_a_file_or_a_folder_of_inputs(tmp_path):
    src = sample_counties(tmp_path / "县表" / "二〇二五", ["大祥区"]).parent
    for name in ("大祥区.xlsx", "二〇二五", "二〇二五/大祥区.xlsx"):
        result = cli("run", src, "--out", tmp_path / "结果", "--jobs", "1", "--prefer", name)
        assert result.exit_code == 0, (name, result.output)


@pytest.mark.parametrize("url", [
    "mysql://u:sekrit99@127.0.0.1/db",
    "foo://u:sekrit99@x/y",
    "postgresql://u:sekrit99@127.0.0.1/db",  # psycopg2, a driver we do not install
    "postgresql+psycopg://u:sekrit99@127.0.0.1:notaport/db",
])
def test_an_unsupported_database_url_is_a_usage_error_without_the_password(tmp_path, url):
    src = sample_counties(tmp_path / "县表", ["大祥区"])
    log = tmp_path / "日志.txt"
    result = cli("run", src, "--out", tmp_path / "结果", "--state", url, "--log", log)
    assert result.exit_code == Exit.USAGE, result.output
    assert "台账库地址" in result.output or "无法打开台账数据库" in result.output
    assert "Traceback" not in result.output
    assert "sekrit99" not in result.output and "sekrit99" not in log.read_text(encoding="utf-8")


# ---------------------------------------------------------------- passwords

@pytest.mark.parametrize("url", [
    "postgresql+psycopg://equity:sekrit99@127.0.0.1:9/ledger",
    "postgresql+psycopg://equity:sek%40rit99@127.0.0.1:9/ledger",
    "postgresql+psycopg://equity@127.0.0.1:9/ledger?password=sekrit99",
    "postgresql+psycopg:///ledger?host=127.0.0.1&port=9&user=equity&password=sekrit99",
])
def test_a_password_never_appears_in_a_message_or_the_log(tmp_path, url):
    src = sample_counties(tmp_path / "县表", ["大祥区"])
    log = tmp_path / "日志.txt"
    result = cli("run", src, "--out", tmp_path / "结果", "--state", url, "--log", log)
    assert result.exit_code == Exit.USAGE and "无法打开台账数据库" in result.output
    rollup = cli("rollup", "--state", url, "--out", tmp_path / "市级汇总.xlsx", "--log", log)
    assert rollup.exit_code == Exit.USAGE, rollup.output
    for text in (result.output, rollup.output, log.read_text(encoding="utf-8")):
        assert "sekrit99" not in text and "sek@rit99" not in text and "sek%40rit99" not in text, text


@pytest.mark.parametrize("text, hidden", [
    ("postgresql+psycopg://u:p4ss@w0rd@db.example/x", "p4ss@w0rd"),
    ("psycopg.OperationalError: host=db user=u password=s3cr3t dbname=x", "s3cr3t"),
    ("?sslmode=require&Password='a b c'&x=1", "a b c"),
    ("mysql+pymysql://root:topsecret@localhost/", "topsecret"),
])
def test_redact_hides_every_url_form(text, hidden):
    assert hidden not in redact(text) and "***" in redact(text)


def test_a_remembered_password_is_hidden_wherever_a_driver_quotes_it():
    remember_secret("postgresql+psycopg://u:Qu0ted%21pw@h/db")
    assert redact('FATAL: bad password "Qu0ted!pw" for user u') == 'FATAL: bad password "***" for user u'


# ---------------------------------------------------------------- full disk, read-only (injected)

@pytest.mark.whole_run
def test_a_full_disk_stops_the_run_and_keeps_what_was_written_whole(tmp_path, monkeypatch):
    src, out = sample_counties(tmp_path / "县表", ["甲县", "乙县", "丙县"]), tmp_path / "结果"
    real = pipeline.write_report
    written: list[str] = []

    def fills_up(ev, path, **kw):
        if written:  # the second county finds the disk full
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(ev.data.county)
        return real(ev, path, **kw)

    monkeypatch.setattr(pipeline, "write_report", fills_up)
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    assert result.exit_code == Exit.DISK_FULL
    codes = [e["errors"][0]["code"] if e["errors"] else "ok" for e in result.entries]
    assert codes == ["ok", "disk_full", "run_stopped"]
    first = out / result.entries[0]["output"]
    assert whole(first)
    assert not [p for p in out.iterdir() if ".tmp" in p.name]
    assert [n["code"] for n in summary(out)["run_problems"]] == ["disk_full"]


def test_an_unwritable_output_folder_is_exit_5_in_chinese(tmp_path, monkeypatch):
    import equity_xlsx.outputs as outputs

    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"

    def read_only(path):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(outputs, "_open_lock", read_only)
    result = cli("run", src, "--out", out, "--jobs", "1")
    assert result.exit_code == Exit.NOT_WRITABLE and "只读或没有写入权限" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- full disk, read-only (real mounts)

def private_mount(script: str) -> subprocess.CompletedProcess:
    """``script`` (sh) run in a private mount namespace, so its mounts vanish with it."""
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-ec", script],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


def can_mount(tmp_path: Path) -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    return private_mount(f"mount -t tmpfs -o size=64k tmpfs '{probe}'").returncode == 0


@pytest.fixture
def mounts(tmp_path):
    if not can_mount(tmp_path):
        pytest.skip("needs a private mount namespace (unshare -m) to make a full or read-only disk")


def cli_line(src: Path, out: Path, *extra: str) -> str:
    args = " ".join(f"'{a}'" for a in ("run", src, "--out", out, "--jobs", "1", *extra))
    return f"'{sys.executable}' -m equity_xlsx.cli {args}"


@pytest.mark.whole_run
def test_a_real_full_disk_is_exit_4_without_a_traceback(tmp_path, mounts):
    src, out = sample_counties(tmp_path / "县表", ["甲县", "乙县"]), tmp_path / "结果"
    out.mkdir()
    done = private_mount(f"mount -t tmpfs -o size=400k tmpfs '{out}'\n{cli_line(src, out)} || echo \"exit=$?\"")
    assert "exit=4" in done.stdout, done.stdout + done.stderr
    assert "磁盘空间不足" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.whole_run
def test_a_real_read_only_output_folder_is_exit_5(tmp_path, mounts):
    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    assert cli("run", src, "--out", out, "--jobs", "1").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    done = private_mount(f"mount --bind '{out}' '{out}'\nmount -o remount,bind,ro '{out}'\n"
                         f"{cli_line(src, out, '--force')} || echo \"exit=$?\"")
    assert "exit=5" in done.stdout, done.stdout + done.stderr
    assert "只读或没有写入权限" in done.stderr and "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.mark.whole_run
def test_a_real_read_only_ledger_is_exit_5(tmp_path, mounts):
    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    ledger = tmp_path / "台账"
    ledger.mkdir()
    assert cli("run", src, "--out", out, "--jobs", "1", "--state", ledger / "全市.sqlite").exit_code == 0
    done = private_mount(f"mount --bind '{ledger}' '{ledger}'\nmount -o remount,bind,ro '{ledger}'\n"
                         f"{cli_line(src, out, '--force', '--state', str(ledger / '全市.sqlite'))} || echo \"exit=$?\"")
    assert "exit=5" in done.stdout, done.stdout + done.stderr
    assert "台账数据库" in done.stderr and "只读或没有写入权限" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- Ctrl-C and SIGTERM

@pytest.mark.whole_run
@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["Ctrl-C", "SIGTERM"])
def test_an_interrupted_run_says_so_in_chinese_and_leaves_whole_files(tmp_path, sig, code):
    src, out = sample_counties(tmp_path / "县表", ["甲县", "乙县", "丙县", "丁县", "戊县"]), tmp_path / "结果"
    proc = subprocess.Popen([sys.executable, "-m", "equity_xlsx.cli", "run", str(src), "--out", str(out),
                             "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=ROOT)
    deadline = time.monotonic() + 120
    while not list(out.glob("*_评估结果.xlsx")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # a terminal sends Ctrl-C to the whole foreground group
    else:
        os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == code, err
    assert "已中断" in err and "Traceback" not in err and "KeyboardInterrupt" not in err
    for workbook in out.glob("*_评估结果.xlsx"):
        assert whole(workbook), workbook
    rerun = subprocess.run([sys.executable, "-m", "equity_xlsx.cli", "run", str(src), "--out", str(out), "--jobs", "2",
                            "--quiet"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert rerun.returncode == 0, rerun.stderr
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]


# ---------------------------------------------------------------- a roll-up never passes for tonight's

@pytest.mark.whole_run
def test_a_roll_up_that_could_not_be_rewritten_is_renamed_and_reported(tmp_path, monkeypatch):
    import equity_xlsx.city_outputs as city

    src, out = county_export(tmp_path / "县表", ["甲县", "乙县"]).parent, tmp_path / "结果"
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    assert (out / "市级汇总.xlsx").is_file() and (out / "市级简报.html").is_file()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the roll-up")

    monkeypatch.setattr(city, "write_rollup", broken)
    result = run([src], out, standard="national-2017", jobs=1, force=True, today=date(2026, 11, 2))
    assert result.exit_code == 0  # the counties' results stand
    assert not (out / "市级汇总.xlsx").exists() and not (out / "市级简报.html").exists()
    assert len(list(out.glob("市级汇总(未更新，*生成).xlsx"))) == 1
    codes = [n["code"] for n in summary(out)["run_problems"]]
    assert codes == ["internal", "stale_set_aside", "stale_set_aside"]
    assert summary(out)["city"] is None


@pytest.mark.whole_run
def test_a_roll_up_of_counties_no_longer_evaluated_is_renamed(tmp_path):
    src, out = county_export(tmp_path / "县表", ["甲县", "乙县"]).parent, tmp_path / "结果"
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    county_export(src, ["甲县"])  # tonight only one county is left
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 2))
    assert not (out / "市级汇总.xlsx").exists() and list(out.glob("市级汇总(未更新，*).xlsx"))
    assert "stale_set_aside" in [n["code"] for n in summary(out)["run_problems"]]


@pytest.mark.whole_run
def test_rollup_accepts_log_and_says_when_it_could_not_write(tmp_path, monkeypatch):
    import equity_xlsx.city_outputs as city

    src, out = county_export(tmp_path / "县表", ["甲县", "乙县"]).parent, tmp_path / "结果"
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    target, log = tmp_path / "市里" / "市级汇总.xlsx", tmp_path / "市里" / "日志.txt"
    done = cli("rollup", "--state", out / "equity-ledger.sqlite", "--out", target, "--log", log)
    assert done.exit_code == 0, done.output
    assert "已生成" in log.read_text(encoding="utf-8")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(city, "write_rollup", disk_full)
    again = cli("rollup", "--state", out / "equity-ledger.sqlite", "--out", target, "--log", log)
    assert again.exit_code == Exit.DISK_FULL and "磁盘空间不足" in again.output and "Traceback" not in again.output
    assert not target.exists() and list(target.parent.glob("市级汇总(未更新，*).xlsx"))
    assert "未能更新" in log.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the PostgreSQL server goes away mid-run

PG_URL = os.environ.get("EQUITY_TEST_PG_URL")


class CuttableProxy:
    """A TCP relay to the PostgreSQL server; ``cut()`` closes it and every connection through
    it, as a server that stops or a network that fails would."""

    def __init__(self, host: str, port: int):
        import socket

        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list = []
        self.cut_now = False
        import threading

        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while not self.cut_now:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst) -> None:  # noqa: ANN001
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self) -> None:
        import socket

        self.cut_now = True
        try:  # wakes the accept() blocked in the relay's thread: close() alone lets one more client in
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


@pytest.mark.whole_run
@pytest.mark.postgres
def test_the_postgresql_server_going_away_mid_run_is_exit_7(tmp_path, monkeypatch):
    import uuid

    import equity_xlsx.batch as batch
    from sqlalchemy.engine import make_url

    if not PG_URL:
        pytest.skip("EQUITY_TEST_PG_URL not set: no PostgreSQL server to test against")
    url = make_url(PG_URL)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    tag = "".join("子丑寅卯辰巳午未申酉"[int(d, 16) % 10] for d in uuid.uuid4().hex[:6])  # a county name is Chinese
    names = [f"甲{tag}县", f"乙{tag}县", f"丙{tag}县"]
    src, out = sample_counties(tmp_path / "县表", names), tmp_path / "结果"
    real = batch.evaluate_county

    def then_cut(job):
        outcome = real(job)
        proxy.cut()  # after the first county the server is gone
        return outcome

    monkeypatch.setattr(batch, "evaluate_county", then_cut)
    try:
        result = cli("run", src, "--out", out, "--jobs", "1", "--state", through)
    finally:
        proxy.cut()
        with store_module.LedgerStore(PG_URL) as store:
            for name in names:
                store.delete_county(name)
    assert result.exit_code == Exit.DB_LOST, result.output
    assert "连接中断" in result.output and "Traceback" not in result.output
    entries = summary(out)["workbooks"]
    assert [e["status"] for e in entries] == ["ok", "error", "error"]
    assert [e["errors"][0]["code"] for e in entries[1:]] == ["db_lost", "run_stopped"]
    assert whole(out / entries[0]["output"])


# ---------------------------------------------------------------- a brief killed half-written

@pytest.mark.whole_run
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_brief_killed_half_written_is_cleaned_up_by_the_next_run(tmp_path):
    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    out.mkdir()
    writer = ("import pathlib, sys, time\n"
              "from equity_xlsx.brief import write_brief\n"
              "def half(self, data, **kw):\n"
              "    with open(self, 'w', encoding='utf-8') as fh:\n"
              "        fh.write(data[:50]); fh.flush()\n"
              "    print('half', flush=True); time.sleep(120)\n"
              "pathlib.Path.write_text = half\n"
              "write_brief(pathlib.Path(sys.argv[1]), '<html>' + '简' * 5000 + '</html>')\n")
    proc = subprocess.Popen([sys.executable, "-c", writer, str(out / "大祥区_简报.html")], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "half"
    proc.kill()  # as a power cut or kill -9 would end it, mid-write
    proc.wait()
    leftovers = [p for p in out.iterdir() if p.name != "大祥区_简报.html"]
    assert leftovers and not (out / "大祥区_简报.html").exists()

    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    assert not [p for p in leftovers if p.exists()]
    assert (out / "大祥区_简报.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_a_remembered_password_hides_only_itself_not_words_containing_it():
    remember_secret("postgresql+psycopg://equity:postgres@127.0.0.1/x")
    assert redact("postgresql+psycopg://equity@127.0.0.1/x: wrong password postgres") == \
        "postgresql+psycopg://equity@127.0.0.1/x: wrong password ***"


@pytest.mark.whole_run
def test_a_log_on_a_full_disk_does_not_stop_the_run(tmp_path, mounts):
    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    logs = tmp_path / "日志盘"
    logs.mkdir()
    done = private_mount(f"mount -t tmpfs -o size=4k tmpfs '{logs}'\n"
                         f"head -c 4096 /dev/zero > '{logs}/占满' || true\n"
                         f"{cli_line(src, out, '--log', str(logs / '运行日志.txt'))} || echo \"exit=$?\"")
    assert "exit=" not in done.stdout, done.stdout + done.stderr
    assert "无法继续写入" in done.stderr and "Traceback" not in done.stderr
    assert (out / "大祥区_评估结果.xlsx").is_file()
