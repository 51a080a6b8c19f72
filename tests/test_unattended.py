"""Unattended nights: concurrent runs, a killed run's leftovers, a lost or damaged ledger
database, usage errors with their exit codes, and a log that cannot be forged."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from equity_xlsx.batch import run
from equity_xlsx.cli import app
from equity_xlsx.outputs import folder_lock
from runs_by_hand import SAMPLE, summary
from staff_typing import rows, set_county_figure, type_cell

RESULT = "大祥区_评估结果.xlsx"
runner = CliRunner()


def folder_with_sample(tmp_path: Path) -> Path:
    src = tmp_path / "县表"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区.xlsx")
    return src


# ---------------------------------------------------------------- one run per output folder

def test_a_run_finding_the_folder_held_waits_then_says_so_and_touches_nothing(tmp_path):
    src, out = folder_with_sample(tmp_path), tmp_path / "结果"
    out.mkdir()
    release = threading.Event()
    held = threading.Event()

    def hold():
        with folder_lock(out, 0):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        result = runner.invoke(app, ["run", str(src), "--out", str(out), "--wait", "1"])
    finally:
        release.set()
        holder.join()
    assert result.exit_code == 3
    assert "另一个评估正在使用输出文件夹" in result.output and "没有改动任何文件" in result.output
    assert sorted(p.name for p in out.iterdir()) == [".equity-run.lock"]


@pytest.mark.whole_run
def test_two_runs_at_once_on_one_folder_both_finish(tmp_path):
    src, out = folder_with_sample(tmp_path), tmp_path / "结果"
    cmd = [sys.executable, "-m", "equity_xlsx.cli", "run", str(src), "--out", str(out), "--force", "--jobs", "1"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert not any("Traceback" in err for _, err in outputs)
    assert summary(out)["workbooks"][0]["status"] == "ok"


@pytest.mark.whole_run
def test_temporaries_of_a_killed_run_are_removed(tmp_path):
    src, out = folder_with_sample(tmp_path), tmp_path / "结果"
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    leftovers = [out / ".大祥区_评估结果.12345.tmp.xlsx", out / ".summary.999.tmp.json",
                 out / "备份" / ".大祥区_评估结果.4242.tmp.xlsx"]
    for f in leftovers:
        f.write_bytes(b"half")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 2))
    assert not [f for f in leftovers if f.exists()]


# ---------------------------------------------------------------- the ledger database

def closed_and_typed(tmp_path: Path) -> tuple[Path, Path, Path, str, str]:
    """Two nights that leave a 已销号 line and a typed note, returning (src, out, data, closed, typed)."""
    src, out = folder_with_sample(tmp_path), tmp_path / "结果"
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    lines = rows(out / RESULT)
    closed = next(i for i, r in lines.items() if str(r["指标编号"].value) == "26")
    typed = next(i for i, r in lines.items() if r["学校"].value != "全区")
    type_cell(out / RESULT, typed, "责任人", "张老师")
    set_county_figure(src / "大祥区.xlsx", "残疾儿童少年入学率", 0.96)
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 2))
    assert rows(out / RESULT)[closed]["状态"].value == "已销号"
    return src, out, src / "大祥区.xlsx", closed, typed


def assert_rebuilt(out: Path, closed: str, typed: str) -> None:
    got = rows(out / RESULT)
    assert got[closed]["状态"].value == "已销号" and got[closed]["销号日期"].value == datetime(2026, 11, 2)
    assert got[closed]["首次发现"].value == datetime(2026, 11, 1)  # not reset to today
    assert got[typed]["责任人"].value == "张老师"
    messages = [r[5] for r in openpyxl.load_workbook(out / RESULT)["数据问题"].iter_rows(values_only=True)]
    assert any(str(m).startswith("台账数据库中没有本县的记录") for m in messages)


@pytest.mark.whole_run
def test_a_deleted_database_is_rebuilt_from_the_last_result_even_on_an_unchanged_night(tmp_path):
    src, out, _, closed, typed = closed_and_typed(tmp_path)
    for f in out.glob("equity-ledger.sqlite*"):
        f.unlink()
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 3))  # inputs unchanged
    entry = result.entries[0]
    assert not entry.get("skipped") and entry["problems"]["ledger_rebuilt"] == 1
    assert_rebuilt(out, closed, typed)


@pytest.mark.whole_run
def test_a_corrupt_database_is_set_aside_reported_and_rebuilt(tmp_path):
    src, out, _, closed, typed = closed_and_typed(tmp_path)
    db = out / "equity-ledger.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 4096)
    result = runner.invoke(app, ["run", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "台账数据库 equity-ledger.sqlite 已损坏" in result.output and "Traceback" not in result.output
    assert list(out.glob("equity-ledger.sqlite.损坏-*"))
    notices = summary(out)["run_problems"]
    assert [n["code"] for n in notices] == ["db_replaced"]
    report = openpyxl.load_workbook(out / "运行报告.xlsx")
    assert str(report["运行概况"]["A3"].value).startswith("注意：台账数据库")
    assert_rebuilt(out, closed, typed)


@pytest.mark.whole_run
def test_the_database_is_backed_up_with_distinct_versions(tmp_path):
    src, out = folder_with_sample(tmp_path), tmp_path / "结果"
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 2))  # unchanged: no new version
    copies = sorted((out / "备份").glob("equity-ledger_*.sqlite"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as con:
        assert con.execute("SELECT COUNT(*) FROM equity_ledger_lines").fetchone()[0] > 0


# ---------------------------------------------------------------- usage errors and messages

def test_an_empty_input_folder_is_a_usage_error(tmp_path):
    (tmp_path / "县表").mkdir()
    (tmp_path / "县表" / "说明.docx").write_bytes(b"x")
    result = runner.invoke(app, ["run", str(tmp_path / "县表"), "--out", str(tmp_path / "结果")])
    assert result.exit_code == 2 and "没有找到任何工作簿" in result.output and "说明.docx" in result.output
    assert not (tmp_path / "结果").exists()


def test_out_naming_a_file_is_a_usage_error(tmp_path):
    src = folder_with_sample(tmp_path)
    (tmp_path / "结果.txt").write_text("x")
    result = runner.invoke(app, ["run", str(src), "--out", str(tmp_path / "结果.txt")])
    assert result.exit_code == 2 and "应为一个文件夹" in result.output and "Traceback" not in result.output


def test_an_unreachable_database_fails_fast_before_any_file_is_read(tmp_path, monkeypatch):
    import equity_xlsx.batch as batch

    src = folder_with_sample(tmp_path)
    monkeypatch.setattr(batch, "read_one", lambda task: pytest.fail("an input was read"))
    started = time.monotonic()
    result = runner.invoke(app, ["run", str(src), "--out", str(tmp_path / "结果"),
                                 "--state", "postgresql+psycopg://nobody:x@127.0.0.1:9/none"])
    assert result.exit_code == 2 and "无法打开台账数据库" in result.output
    assert "psycopg" not in result.output.replace("postgresql+psycopg", "")  # the driver's words go to the log
    assert time.monotonic() - started < 60


@pytest.mark.whole_run
def test_a_file_name_with_a_line_break_cannot_forge_a_log_line(tmp_path):
    src = tmp_path / "县表"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区\n2026-01-01 00:00:00 [1-1] 伪造.xlsx")  # no "/" in a file name
    log = tmp_path / "运行日志.txt"
    result = runner.invoke(app, ["run", str(src), "--out", str(tmp_path / "结果"), "--log", str(log)])
    assert result.exit_code == 0, result.output
    lines = log.read_text(encoding="utf-8").splitlines()
    assert not [ln for ln in lines if ln.startswith("2026-01-01")]
    assert any("\\n2026-01-01" in ln for ln in lines)
