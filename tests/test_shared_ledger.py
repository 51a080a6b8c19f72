"""Two output folders sharing one ledger for the same county (a city's PostgreSQL, or one
--state file): staff type into each folder's workbook; the later edit wins and both folders
report the conflict on 数据问题, instead of each folder keeping its own value night after night."""

from __future__ import annotations

import os
import time
import uuid
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.batch import run
from equity_xlsx.store import LedgerStore
from runs_by_hand import sample_counties

pytestmark = pytest.mark.whole_run
PG_URL = os.environ.get("EQUITY_TEST_PG_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared(request, tmp_path):
    """(state, county name): one ledger both folders use, and a county no other test uses."""
    county = "".join("子丑寅卯辰巳午未申酉"[int(d, 16) % 10] for d in uuid.uuid4().hex[:5]) + "县"
    if request.param == "postgres":
        if not PG_URL:
            pytest.skip("EQUITY_TEST_PG_URL not set: no PostgreSQL server to test against")
        state = PG_URL
    else:
        state = str(tmp_path / "全市台账" / "equity-ledger.sqlite")
    yield state, county
    with LedgerStore(state) as store:
        for key in store.counties():
            if key == county or store.get_last_run(key) and store.get_last_run(key).county_name == county:
                store.delete_county(key)


def night(src: Path, out: Path, state: str, day: int) -> dict:
    result = run([src], out, standard="national-2017", jobs=1, force=True, state=state, today=date(2026, 11, day))
    (entry,) = result.entries
    assert entry["status"] == "ok", entry["errors"]
    return entry


def ledger_rows(path: Path) -> tuple[openpyxl.Workbook, dict[str, int], list[str]]:
    wb = openpyxl.load_workbook(path)
    ws = wb["整改台账"]
    header = [c.value for c in ws[1]]
    rows = {str(r[0].value): r[0].row for r in ws.iter_rows(min_row=2) if r[0].value}
    return wb, rows, header


def type_owner(path: Path, line: str, owner: str, saved_hours_ago: float) -> None:
    """Staff type 责任人 for ``line`` and save the workbook (its time set ``saved_hours_ago``)."""
    wb, rows, header = ledger_rows(path)
    wb["整改台账"].cell(rows[line], header.index("责任人") + 1, owner)
    wb.save(path)
    when = time.time() - saved_hours_ago * 3600
    os.utime(path, (when, when))


def sheet_values(path: Path, sheet: str) -> list[tuple]:
    """The rows of one sheet, as values, each as wide as the sheet (read-only: only that sheet is parsed)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb[sheet]
        return list(ws.iter_rows(values_only=True, max_col=ws.max_column))
    finally:
        wb.close()


def owner_of(path: Path, line: str) -> str:
    header, *rows = sheet_values(path, "整改台账")
    owners = {str(r[0]): r[header.index("责任人")] for r in rows if r[0]}
    return owners[line]


def conflicts_on_the_sheet(path: Path) -> list[str]:
    return [str(v) for row in sheet_values(path, "数据问题") for v in row if v and "共用一个台账库" in str(v)]


@pytest.mark.parametrize("later", ["乙", "甲"])
def test_the_later_edit_wins_and_both_folders_report_the_conflict(tmp_path, shared, later):
    state, county = shared
    src = sample_counties(tmp_path / "县表", [county])
    out = {"甲": tmp_path / "甲处结果", "乙": tmp_path / "乙处结果"}
    result = {k: out[k] / f"{county}_评估结果.xlsx" for k in out}
    night(src, out["甲"], state, 1)
    night(src, out["乙"], state, 1)
    line = next(iter(ledger_rows(result["甲"])[1]))

    # Both folders' staff fill in the same cell differently; one saves later.
    type_owner(result["甲"], line, "张三", saved_hours_ago=1 if later == "甲" else 2)
    type_owner(result["乙"], line, "李四", saved_hours_ago=1 if later == "乙" else 2)
    kept = {"甲": "张三", "乙": "李四"}[later]

    a = night(src, out["甲"], state, 2)
    b = night(src, out["乙"], state, 2)
    assert "shared_edit_conflict" not in a["problems"]  # 甲 ran first: it could not know yet
    assert b["problems"]["shared_edit_conflict"] == 1  # 乙 finds it
    assert owner_of(result["乙"], line) == kept
    assert kept in conflicts_on_the_sheet(result["乙"])[0] and "张三" in conflicts_on_the_sheet(result["乙"])[0]

    a = night(src, out["甲"], state, 3)
    assert a["problems"]["shared_edit_conflict"] == 1  # and 甲 reports it on its next run
    assert owner_of(result["甲"], line) == owner_of(result["乙"], line) == kept
    assert "李四" in conflicts_on_the_sheet(result["甲"])[0]

    b = night(src, out["乙"], state, 3)  # each folder reports it once
    assert "shared_edit_conflict" not in b["problems"]
    assert owner_of(result["乙"], line) == kept


def test_an_edit_made_after_seeing_the_other_folders_is_no_conflict(tmp_path, shared):
    state, county = shared
    src = sample_counties(tmp_path / "县表", [county])
    a_out, b_out = tmp_path / "甲处结果", tmp_path / "乙处结果"
    a_book, b_book = a_out / f"{county}_评估结果.xlsx", b_out / f"{county}_评估结果.xlsx"
    night(src, a_out, state, 1)
    night(src, b_out, state, 1)
    line = next(iter(ledger_rows(a_book)[1]))
    type_owner(a_book, line, "张三", saved_hours_ago=1)
    night(src, a_out, state, 2)
    night(src, b_out, state, 2)
    assert owner_of(b_book, line) == "张三"  # 乙 now shows 甲's edit
    type_owner(b_book, line, "李四", saved_hours_ago=0.5)  # and changes it, knowingly
    b = night(src, b_out, state, 3)
    a = night(src, a_out, state, 3)
    assert "shared_edit_conflict" not in b["problems"] and "shared_edit_conflict" not in a["problems"]
    assert owner_of(a_book, line) == owner_of(b_book, line) == "李四"
