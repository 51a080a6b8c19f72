"""The ledger store: where it lives, what it keeps, and several processes writing at once.

SQLite always (in a folder whose name has Chinese characters and spaces, as county offices
have); PostgreSQL too when EQUITY_TEST_PG_URL names a server (CI sets it).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from equity_xlsx.model import LedgerLine
from equity_xlsx.store import DEFAULT_FILENAME, HistoryEntry, LedgerStore, backup_sqlite, state_url
from equity_xlsx.vocabulary import LedgerStatus

PG_URL = os.environ.get("EQUITY_TEST_PG_URL")  # this worker's database under pytest-xdist (conftest.py)

OPEN, CLOSED = LedgerStatus.OPEN, LedgerStatus.CLOSED



def test_default_state_is_sqlite_file_in_output_folder(tmp_path):
    out = tmp_path / "评估 结果"
    url = state_url(None, out)
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == (out / DEFAULT_FILENAME).resolve()
    assert out.is_dir()


def test_state_with_scheme_is_used_as_url(tmp_path):
    url = state_url("postgresql+psycopg://u:p@db.example/ledger", tmp_path)
    assert url.get_backend_name() == "postgresql"
    assert url.database == "ledger"


def test_state_naming_a_folder_puts_the_file_inside(tmp_path):
    existing = tmp_path / "已有 目录"
    existing.mkdir()
    assert Path(state_url(existing).database) == (existing / DEFAULT_FILENAME).resolve()
    fresh = str(tmp_path / "新 目录") + os.sep
    assert Path(state_url(fresh).database) == (tmp_path / "新 目录" / DEFAULT_FILENAME).resolve()


def test_sqlite_file_created_at_a_path_with_chinese_and_spaces(tmp_path):
    path = tmp_path / "大祥区 教育局" / "台账 2024.sqlite"
    with LedgerStore(path) as store:
        store.save("大祥区", [LedgerLine(county="大祥区", id="T1")])
        assert "台账 2024.sqlite" in store.url
    assert path.is_file()
    # Reopening finds the tables and the data (tables are created only when absent).
    with LedgerStore(path) as store:
        assert list(store.load("大祥区")) == ["T1"]


def test_sqlite_runs_in_wal_mode(tmp_path):
    with LedgerStore(tmp_path / "s.sqlite") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_line_round_trips_every_field(backend):
    store, county = backend
    line = LedgerLine(
        county=county, id="DX-001", key="k", school="城南小学", stage="primary", item="4",
        indicator="生均教学及辅助用房面积", current=3.2, standard=4.5, shortfall=1.3, unit="m²",
        need=1040.0, need_unit="m²", need_text="面积 1040 m²", measure="新建教学楼",
        department="区发改局", office="计财股", detail="", first_seen="2024-03-01",
        last_seen="2024-03-02", status="整改中", closed_on="", owner="张三",
        due="2024-12-31", progress="已立项", remark="备注 1", manual_status="整改中",
    )  # fmt: skip
    store.save(county, [line])
    assert store.load(county) == {"DX-001": line}


def test_saving_again_updates_instead_of_duplicating(backend):
    store, county = backend
    store.save(county, [LedgerLine(county=county, id="A", owner="张三")])
    store.save(county, [LedgerLine(county=county, id="A", owner="李四"), LedgerLine(county=county, id="B")])
    loaded = store.load(county)
    assert sorted(loaded) == ["A", "B"]
    assert loaded["A"].owner == "李四"


def test_counties_do_not_see_each_other(backend):
    store, county = backend
    other = county + "-邻县"
    try:
        store.save(county, [LedgerLine(county=county, id="X", owner="甲")])
        store.save(other, [LedgerLine(county=other, id="X", owner="乙")])
        assert store.load(county)["X"].owner == "甲"
        assert store.load(other)["X"].owner == "乙"
        assert {county, other} <= set(store.counties())
    finally:
        store.delete_county(other)


def test_a_line_of_another_county_is_refused(backend):
    store, county = backend
    with pytest.raises(ValueError):
        store.save(county, [LedgerLine(county="别的县", id="X")])


def test_history_is_kept_oldest_first(backend):
    store, county = backend
    first = HistoryEntry(county, "A", "2024-03-01", "", OPEN, "首次发现")
    store.save(county, [LedgerLine(county=county, id="A")], [first])
    store.save(county, [], [HistoryEntry(county, "A", "2024-04-01", OPEN, CLOSED, "数据已达标，自动销号")])
    store.save(county, [], [HistoryEntry(county, "A", "2024-04-01", "张三", "李四", "改", field="owner")])
    rows = store.history(county, "A")
    assert [(h.on_date, h.to_value, h.field) for h in rows] == [
        ("2024-03-01", OPEN, "status"),
        ("2024-04-01", CLOSED, "status"),
        ("2024-04-01", "李四", "owner"),
    ]
    assert store.history(county, "B") == []


def test_last_run_by_county_and_by_input(backend):
    store, county = backend
    assert store.get_last_run(county) is None
    t0 = dt.datetime(2024, 3, 1, 2, 0)
    store.record_run(county, input_name="/数据/大祥区.xlsx", input_hash="h1", standard="national-2017",
                     tool_version="0.1.0", opened=3, run_at=t0)  # fmt: skip
    store.record_run(county, input_name="/数据/大祥区.xlsx", input_hash="h2", standard="national-2017",
                     tool_version="0.1.0", closed=1, run_at=t0 + dt.timedelta(days=1))  # fmt: skip
    last = store.get_last_run(county)
    assert (last.input_hash, last.closed, last.run_at) == ("h2", 1, t0 + dt.timedelta(days=1))
    assert store.get_last_run(input_name="/数据/大祥区.xlsx").input_hash == "h2"
    assert store.get_last_run(county + "无", input_name="/数据/大祥区.xlsx") is None


def test_runs_in_the_same_second_the_later_wins(backend):
    store, county = backend
    t = dt.datetime(2024, 3, 1, 2, 0)
    store.record_run(county, input_hash="first", run_at=t)
    store.record_run(county, input_hash="second", run_at=t)
    assert store.get_last_run(county).input_hash == "second"


WORKER = textwrap.dedent(
    """
    import datetime as dt, sys
    from equity_xlsx.model import LedgerLine
    from equity_xlsx.reconcile import reconcile
    from equity_xlsx.store import LedgerStore

    state, county = sys.argv[1], sys.argv[2]
    store = LedgerStore(state)
    for night in range(15):
        lines = [
            LedgerLine(id=f"{county}-{i}", key=str(i), school=f"学校{i}", stage="primary", item="4",
                       indicator="生均", current=1.0, standard=4.5, shortfall=3.5, unit="m²",
                       need=float(i), need_unit="m²", need_text="")
            for i in range(night % 7, 40)
        ]
        reconcile(lines, county, store, {}, dt.date(2024, 1, 1) + dt.timedelta(days=night))
        store.record_run(county, input_name=county, input_hash=str(night))
    store.close()
    """
)


@pytest.mark.parametrize("where", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_writing_different_counties_at_once(where, tmp_path):
    if where == "postgres":
        if not PG_URL:
            pytest.skip("EQUITY_TEST_PG_URL not set")
        state = PG_URL
    else:
        state = str(tmp_path / "共享 台账.sqlite")
    tag = uuid.uuid4().hex[:6]
    counties = [f"县{n}-{tag}" for n in range(4)]
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, state, c], stderr=subprocess.PIPE, text=True)
        for c in counties
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    with LedgerStore(state) as store:
        try:
            for c in counties:
                assert len(store.load(c)) == 40
                assert store.get_last_run(c).input_hash == "14"
        finally:
            for c in counties:
                store.delete_county(c)


def test_tables_carry_a_prefix_to_share_a_database(tmp_path):
    with LedgerStore(tmp_path / "s.sqlite") as store:
        names = set(sa.inspect(store.engine).get_table_names())
    assert names == {"equity_ledger_lines", "equity_ledger_history", "equity_runs", "equity_migrations", "equity_outputs", "equity_written", "equity_scores",
                     "equity_edits", "equity_edit_conflicts", "equity_schools"}


def test_each_countys_schools_are_kept_replaced_and_forgotten(tmp_path):
    with LedgerStore(tmp_path / "s.sqlite") as store:
        store.record_schools({"甲": ("甲", [("城南小学", "2143000001"), ("城北小学", "")]),
                              "430503": ("大祥区", [("", "2143000009")])})
        assert store.school_rosters() == {"甲": ("甲", {("城南小学", "2143000001"), ("城北小学", "")}),
                                          "430503": ("大祥区", {("", "2143000009")})}
        store.record_schools({"甲": ("甲", [("城南小学", "2143000001")])})  # 城北小学 left the county
        assert store.school_rosters()["甲"] == ("甲", {("城南小学", "2143000001")})
        store.delete_county("甲")
        assert list(store.school_rosters()) == ["430503"]


def test_two_ledger_backups_in_one_second_keep_their_order(tmp_path):
    """The copy made second in the same second ("…-223000-2") is the newest: a third, unchanged
    ledger is not copied again (sorted by name, "-2" came before the plain stamp)."""
    import sqlite3

    db, folder, now = tmp_path / DEFAULT_FILENAME, tmp_path / "备份", dt.datetime(2026, 11, 1, 22, 30)

    def add(value: int) -> None:
        con = sqlite3.connect(db)
        with con:
            con.execute("CREATE TABLE IF NOT EXISTS t (v)")
            con.execute("INSERT INTO t VALUES (?)", (value,))
        con.close()

    add(1)
    first = backup_sqlite(db, folder, keep=10, now=now)
    add(2)
    second = backup_sqlite(db, folder, keep=10, now=now)
    assert (first.name, second.name) == ("equity-ledger_20261101-223000.sqlite", "equity-ledger_20261101-223000-2.sqlite")
    assert backup_sqlite(db, folder, keep=10, now=now) is None
    add(3)
    third = backup_sqlite(db, folder, keep=2, now=now)  # keeps the newest two: the first goes
    assert sorted(p.name for p in folder.iterdir()) == sorted([second.name, third.name])
