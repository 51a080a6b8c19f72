"""Issue 17 §2: one county's run is a short script of named steps handed one open ledger store,
and it enters the store twice — one transaction to read what the store remembers of the county,
one to remember tonight — whatever the night brings: a first run, staff typing into last night's
result, a lost store rebuilt from the result workbook.

The 大祥区 sample is the county; the store is counted by a LedgerStore that notes each store
opened and each transaction begun on it after opening (opening it checks its schema).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from equity_xlsx import pipeline
from equity_xlsx.identity import CountyId
from equity_xlsx.outcome import CountyOutcome
from equity_xlsx.pipeline import CountyJob, InputFile, evaluate_county
from equity_xlsx.problems import Code
from equity_xlsx.rulebook import load_rules
from equity_xlsx.store import DEFAULT_FILENAME, LedgerStore
from staff_typing import RESULT, SAMPLE, rows, type_cell

RULES = load_rules("national-2017")


@pytest.fixture
def stores(monkeypatch) -> list:
    """Every ledger store the county run opens, each with the transactions begun on it."""
    opened: list = []

    class Counted(LedgerStore):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.transactions = 0
            opened.append(self)
            sa.event.listen(self.engine, "begin", self._count)

        def _count(self, _conn) -> None:
            self.transactions += 1

    monkeypatch.setattr(pipeline, "LedgerStore", Counted)
    return opened


def night(tmp_path: Path, day: int) -> CountyOutcome:
    """One county's run of 大祥区 on 2026-11-``day``, into tmp_path/结果."""
    src, out = tmp_path / "大祥区.xlsx", tmp_path / "结果"
    if not src.exists():
        shutil.copy(SAMPLE, src)
    out.mkdir(exist_ok=True)
    job = CountyJob(county=CountyId("大祥区", "430503"), inputs=(InputFile(src, src.name),), out_dir=out,
                    stem="大祥区", rules=RULES, state=None, today=f"2026-11-{day:02d}")
    return evaluate_county(job)


def entered(stores: list) -> tuple[int, int]:
    """(stores opened, transactions begun on them)."""
    return len(stores), sum(s.transactions for s in stores)


def test_a_first_run_opens_one_store_and_enters_it_twice(tmp_path, stores):
    outcome = night(tmp_path, 1)
    assert outcome.ok and outcome.output == RESULT
    assert entered(stores) == (1, 2)  # read what it remembers, then remember tonight


def test_a_night_with_staff_typing_still_enters_the_store_twice(tmp_path, stores):
    first = night(tmp_path, 1)
    line_id = first.ledger[0].id
    type_cell(tmp_path / "结果" / RESULT, line_id, "责任人", "张三")
    stores.clear()
    second = night(tmp_path, 2)
    assert entered(stores) == (1, 2)
    assert second.ok and rows(tmp_path / "结果" / RESULT)[line_id]["责任人"].value == "张三"
    with LedgerStore(tmp_path / "结果" / DEFAULT_FILENAME) as store:  # the store kept it too
        assert store.load("430503")[line_id].owner == "张三"
        assert len(store.year_runs("430503")) == 1 and store.get_last_run("430503").opened == 0


def test_a_lost_store_is_rebuilt_within_the_same_two_entries(tmp_path, stores):
    first = night(tmp_path, 1)
    for path in (tmp_path / "结果").glob(f"{DEFAULT_FILENAME}*"):
        path.unlink()
    stores.clear()
    second = night(tmp_path, 2)
    assert entered(stores) == (1, 2)
    assert Code.LEDGER_REBUILT in [p.code for p in second.warnings]
    # Every line comes back from the workbook: none is new tonight, none closed.
    assert (second.ledger_changes.opened, second.ledger_changes.closed) == (0, 0)
    assert second.ledger_totals.open == first.ledger_totals.open
    with LedgerStore(tmp_path / "结果" / DEFAULT_FILENAME) as store:
        assert set(store.load("430503")) == {ln.id for ln in first.ledger}
