"""The ledger database has a schema version: a database made by the previous release is upgraded
in place by numbered migrations, keeping every line; a fresh one starts at the newest version."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import sqlalchemy as sa

import schema_v1
from equity_xlsx.model import LedgerLine
from equity_xlsx.store import MIGRATIONS, SCHEMA_VERSION, LedgerStore, ledger_lines, metadata, runs


def v1_database(url: str) -> None:
    """Create the 0.1.0 tables at ``url`` and put one line and one run in them, as 0.1.0 did."""
    engine = sa.create_engine(url)
    schema_v1.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(schema_v1.ledger_lines.insert(), [{
            "county": "大祥区", "line_id": "TZ-06-ABC123", "key": "大祥区|雨溪小学|primary|6|",
            "school": "雨溪小学", "stage": "primary", "item": "6", "indicator": "生均教学仪器设备值",
            "current": 1240.0, "standard": 2000.0, "shortfall": 760.0, "unit": "元", "need": 655000.0,
            "need_unit": "元", "need_text": "需补足教学仪器设备值 655,000 元", "measure": "", "department": "",
            "office": "", "detail": "", "first_seen": "2025-10-01", "last_seen": "2025-11-01", "status": "整改中",
            "closed_on": "", "owner": "张三", "due": "2026-06-30", "progress": "已报预算", "remark": "",
            "manual_status": "整改中", "updated_at": dt.datetime(2025, 11, 1, 22, 30)}])
        conn.execute(schema_v1.runs.insert(), [{
            "county": "大祥区", "input_name": "大祥区.xlsx", "run_at": dt.datetime(2025, 11, 1, 22, 30),
            "input_hash": "abc", "standard": "national-2017", "tool_version": "0.1.0"}])
    engine.dispose()


def assert_upgraded(url: str) -> None:
    with LedgerStore(url) as store:
        assert store.migrated == [name for name, _ in MIGRATIONS[1:]]  # 0001 is the v1 schema itself
        line = store.load("大祥区")["TZ-06-ABC123"]
        assert (line.owner, line.due, line.progress, line.status) == ("张三", "2026-06-30", "已报预算", "整改中")
        assert line.first_seen == "2025-10-01" and line.current == 1240.0
        old_run = store.get_last_run("大祥区")
        assert old_run.input_name == "大祥区.xlsx" and old_run.outcome == ""  # the new column's default
        store.record_run("大祥区", input_name="大祥区.xlsx", county_name="大祥区", outcome='{"county": "大祥区"}')
        assert store.get_last_run("大祥区").outcome == '{"county": "大祥区"}'
        columns = {c["name"] for c in sa.inspect(store.engine).get_columns(runs.name)}
        assert {"county_name", "outcome"} <= columns
    with LedgerStore(url) as store:  # a second open finds nothing left to do
        assert store.migrated == []


def test_sqlite_database_of_the_previous_release_is_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path / '旧台账.sqlite'}"
    v1_database(url)
    assert_upgraded(url)


@pytest.mark.postgres
def test_postgres_database_of_the_previous_release_is_upgraded():
    base = os.environ.get("EQUITY_TEST_PG_URL")
    if not base:
        pytest.skip("EQUITY_TEST_PG_URL not set: no PostgreSQL server to test against")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"equity_v1_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        v1_database(url)
        assert_upgraded(url)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_fresh_database_starts_at_the_newest_schema(tmp_path):
    with LedgerStore(tmp_path / "新.sqlite") as store:
        with store.engine.connect() as conn:
            names = conn.exec_driver_sql("SELECT name FROM equity_migrations").scalars().all()
        assert sorted(names) == [name for name, _ in MIGRATIONS] and SCHEMA_VERSION in names


def test_migrated_schema_equals_a_fresh_one(tmp_path):
    """Migrations bring an old database to exactly the columns the record defines today."""
    old_url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    v1_database(old_url)
    LedgerStore(old_url).close()
    with LedgerStore(tmp_path / "fresh.sqlite") as fresh:
        fresh_engine = fresh.engine
        old_engine = sa.create_engine(old_url)
        for table in metadata.sorted_tables:
            got = {c["name"] for c in sa.inspect(old_engine).get_columns(table.name)}
            want = {c["name"] for c in sa.inspect(fresh_engine).get_columns(table.name)}
            assert got == want, table.name
        old_engine.dispose()


def test_ledger_table_is_derived_from_the_record():
    stored = {f for f in LedgerLine.__dataclass_fields__ if f not in ("sort_key", "id")}
    assert {c.name for c in ledger_lines.columns} == stored | {"line_id", "updated_at"}
