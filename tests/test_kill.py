"""Killed mid-run, again and again: every result is either last night's or tonight's complete
workbook, the ledger database passes its integrity check, and nothing staff typed is lost.

Runs are real processes (the command line) killed with SIGKILL at seeded random moments.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runs_by_hand import sample_counties, whole
from staff_typing import rows, type_cell

pytestmark = [pytest.mark.whole_run, pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")]
NAMES = ["甲县", "乙县", "丙县", "丁县"]


def cli(src: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "equity_xlsx.cli", "run", str(src), "--out", str(out),
                             "--jobs", "2", "--quiet", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def test_random_kills_leave_whole_workbooks_an_intact_database_and_every_edit(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    sample_counties(src, NAMES)
    first = cli(src, out)
    assert first.wait(300) == 0, first.stderr.read().decode()
    typed: dict[str, tuple[str, str]] = {}
    for name in NAMES:
        result = out / f"{name}_评估结果.xlsx"
        line = next(i for i, r in rows(result).items() if r["学校"].value != "全区")
        type_cell(result, line, "责任人", f"{name}的负责人")
        typed[name] = (line, f"{name}的负责人")

    rng = random.Random(20261123)
    for attempt in range(6):
        proc = cli(src, out, "--force")
        time.sleep(rng.uniform(0.3, 3.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(60)
        for name in NAMES:
            result = out / f"{name}_评估结果.xlsx"
            assert whole(result, "整改台账"), (attempt, name)
            line, owner = typed[name]
            assert rows(result)[line]["责任人"].value == owner, (attempt, name)
        db = out / "equity-ledger.sqlite"
        with sqlite3.connect(db) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",), attempt

    last = cli(src, out, "--force")
    assert last.wait(300) == 0, last.stderr.read().decode()
    for name in NAMES:
        line, owner = typed[name]
        assert rows(out / f"{name}_评估结果.xlsx")[line]["责任人"].value == owner
    assert not [p for p in out.iterdir() if ".tmp" in p.name]  # a killed run's leftovers are gone
