"""Night after night: what staff typed is kept, fixed gaps are 销号, returning gaps reopen.

Each test plays a few nights. Between nights, staff type into last night's 整改台账 the way
they would in Excel; the workbook is built here with openpyxl (columns in their own order,
found by header name) and read back with ``read_staff_entries``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from equity_xlsx.model import LedgerLine
from equity_xlsx.problems import Code
from equity_xlsx.readback import UnreadableWorkbookError, backup_previous, backups_of, read_staff_entries
from equity_xlsx.reconcile import REASON_CLOSED, REASON_NEW, REASON_REOPENED, reconcile
from equity_xlsx.store import LedgerStore, ledger_history, ledger_lines
from equity_xlsx.vocabulary import LedgerStatus

OPEN, IN_PROGRESS, CLOSED = LedgerStatus.OPEN, LedgerStatus.IN_PROGRESS, LedgerStatus.CLOSED

D1 = dt.date(2024, 3, 1)


def day(n: int) -> dt.date:
    """Night ``n`` (night 1 is D1)."""
    return D1 + dt.timedelta(days=n - 1)



def gap(school: str, item: str = "4", current: float = 3.0, standard: float = 4.5) -> LedgerLine:
    """One school's gap as build_ledger would give it (first_seen = tonight, like the builder)."""
    return LedgerLine(
        id=f"TZ-{item.zfill(2)}-{school}", key=f"大祥区|{school}|primary|{item}", school=school,
        stage="primary", item=item, indicator="生均教学及辅助用房面积", current=current,
        standard=standard, shortfall=standard - current, unit="m²", need=(standard - current) * 800,
        need_unit="m²", need_text=f"面积 {(standard - current) * 800:.0f} m²",
        measure="新建、改扩建校舍", department="区发改局", office="计财股",
    )  # fmt: skip


A, B, C = gap("城南小学"), gap("城北小学"), gap("河西小学")

# Last night's 整改台账 as staff see it; they moved 责任人 to the front and added 联系电话.
SHEET_HEADERS = ["责任人", "联系电话", "台账编号", "学校", "指标", "首次发现", "状态", "计划完成时间", "整改进展",
                 "备注"]  # fmt: skip
FIELD_OF = {"责任人": "owner", "台账编号": "id", "学校": "school", "指标": "indicator", "首次发现": "first_seen",
            "状态": "status", "计划完成时间": "due", "整改进展": "progress", "备注": "remark"}  # fmt: skip


def last_nights_workbook(path: Path, lines: list[LedgerLine], typed: dict[str, dict[str, object]] | None = None,
                         archived: list[LedgerLine] = ()) -> Path:  # fmt: skip
    """The output of last night with what staff then typed (``typed``: id → {header: value})."""
    typed = typed or {}
    wb = openpyxl.Workbook()
    wb.active.title = "概览"
    for name, rows in (("整改台账", lines), ("已销号", archived)):
        ws = wb.create_sheet(name)
        ws.append(SHEET_HEADERS)
        for line in rows:
            cells = {h: getattr(line, f) for h, f in FIELD_OF.items()}
            cells.update(typed.get(line.id, {}))
            ws.append([cells.get(h) for h in SHEET_HEADERS])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def by_id(lines: list[LedgerLine]) -> dict[str, LedgerLine]:
    return {line.id: line for line in lines}


def statuses(store: LedgerStore, county: str, line_id: str) -> list[tuple[str, str, str, str]]:
    """The status history of one line: (date, from, to, reason), oldest first."""
    rows = store.history(county, line_id)
    return [(h.on_date, h.from_value, h.to_value, h.reason) for h in rows if h.field == "status"]


def test_night_two_keeps_what_staff_typed(backend, tmp_path):
    store, county = backend
    out = tmp_path / "大祥区 输出" / "大祥区_评估结果.xlsx"
    night1 = reconcile([A, B], county, store, {}, day(1))
    assert [ln.id for ln in night1.opened] == [A.id, B.id]
    last_nights_workbook(out, night1.lines, {A.id: {
        "责任人": "张三", "计划完成时间": dt.datetime(2024, 12, 31), "整改进展": "已立项", "联系电话": 13800000000,
    }})  # fmt: skip

    night2 = reconcile([A, B], county, store, read_staff_entries(out), day(2))
    a = by_id(night2.lines)[A.id]
    assert (a.owner, a.due, a.progress, a.remark) == ("张三", "2024-12-31", "已立项", "")
    assert a.first_seen == day(1).isoformat()
    assert night2.opened == [] and night2.closed == []

    # Night 3: the workbook is gone (deleted, moved): the store still has every value.
    out.unlink()
    night3 = reconcile([A, B], county, store, read_staff_entries(out), day(3))
    assert by_id(night3.lines)[A.id].owner == "张三"
    assert store.load(county)[A.id].due == "2024-12-31"


def test_an_empty_cell_does_not_erase_a_stored_value(backend, tmp_path):
    store, county = backend
    reconcile([A], county, store, {A.id: {"owner": "张三", "remark": "等财政"}}, day(1))
    # Someone pasted over the row and left 责任人 empty; 备注 column deleted altogether.
    typed = {A.id: {"owner": "", "progress": "招标中"}}
    line = reconcile([A], county, store, typed, day(2)).lines[0]
    assert (line.owner, line.remark, line.progress) == ("张三", "等财政", "招标中")


def test_the_workbook_wins_and_the_old_value_goes_to_history(backend):
    store, county = backend
    reconcile([A], county, store, {A.id: {"owner": "张三"}}, day(1))
    line = reconcile([A], county, store, {A.id: {"owner": "李四"}}, day(2)).lines[0]
    assert line.owner == "李四"
    [change] = [h for h in store.history(county, A.id) if h.field == "owner"]
    assert (change.from_value, change.to_value, change.on_date) == ("张三", "李四", day(2).isoformat())
    # Filling an empty cell is not a replacement: nothing to keep.
    reconcile([A], county, store, {A.id: {"owner": "李四", "remark": "新备注"}}, day(3))
    assert [h.field for h in store.history(county, A.id) if h.field != "status"] == ["owner"]


def test_a_status_typed_by_hand_is_kept_while_the_gap_exists(backend, tmp_path):
    store, county = backend
    out = tmp_path / "结果.xlsx"
    night1 = reconcile([A, B], county, store, {}, day(1))
    last_nights_workbook(out, night1.lines, {A.id: {"状态": IN_PROGRESS}})
    night2 = reconcile([A, B], county, store, read_staff_entries(out), day(2))
    assert by_id(night2.lines)[A.id].status == IN_PROGRESS
    assert by_id(night2.lines)[B.id].status == OPEN
    assert statuses(store, county, A.id)[-1] == (day(2).isoformat(), OPEN, IN_PROGRESS, "人工设置状态")

    # The cell emptied by accident: the manual status stays.
    night3 = reconcile([A, B], county, store, {A.id: {"status": ""}}, day(3))
    assert by_id(night3.lines)[A.id].status == IN_PROGRESS
    # 暂缓 replaces it; typing 未整改 clears it.
    assert reconcile([A], county, store, {A.id: {"status": "暂缓"}}, day(4)).lines[0].status == "暂缓"
    assert reconcile([A], county, store, {A.id: {"status": OPEN}}, day(5)).lines[0].status == OPEN


def test_closed_typed_on_an_open_gap_is_not_taken(backend):
    store, county = backend
    reconcile([A], county, store, {}, day(1))
    result = reconcile([A], county, store, {A.id: {"status": CLOSED}}, day(2))
    assert result.lines[0].status == OPEN
    assert result.closed == []
    assert [(w.code, w.params["line_id"]) for w in result.warnings] == [(Code.LEDGER_CLOSED_TYPED, A.id)]


def test_a_gap_gone_is_closed_with_the_date_greyed_30_days_then_archived(backend):
    store, county = backend
    reconcile([A, B], county, store, {B.id: {"owner": "王五"}}, day(1))

    night2 = reconcile([A], county, store, {}, day(2))
    [closed] = night2.closed
    assert (closed.id, closed.status, closed.closed_on) == (B.id, CLOSED, day(2).isoformat())
    assert closed.owner == "王五" and closed.current == B.current  # last values and staff kept
    assert [ln.id for ln in night2.lines] == [A.id, B.id]  # still on 整改台账, greyed
    assert night2.archived == [] and night2.open_count == 1
    assert statuses(store, county, B.id)[-1] == (day(2).isoformat(), OPEN, CLOSED, REASON_CLOSED)

    # Closed on night 2: visible through 30 days later, on the 已销号 sheet from the 31st day.
    closed_day = day(2)
    still = reconcile([A], county, store, {}, closed_day + dt.timedelta(days=30))
    assert B.id in by_id(still.lines) and still.archived == [] and still.closed == []
    later = reconcile([A], county, store, {}, closed_day + dt.timedelta(days=31))
    assert B.id not in by_id(later.lines)
    [archived] = later.archived
    assert (archived.id, archived.closed_on, archived.status) == (B.id, day(2).isoformat(), CLOSED)


def test_a_returning_gap_is_reopened_with_its_number_and_history(backend, tmp_path):
    store, county = backend
    reconcile([A, B], county, store, {A.id: {"owner": "张三", "status": IN_PROGRESS}}, day(1))
    reconcile([B], county, store, {}, day(2))  # A fixed: 销号
    out = tmp_path / "结果.xlsx"
    # 40 days later A is archived; staff add a note on the 已销号 sheet.
    night = reconcile([B], county, store, {}, day(42))
    last_nights_workbook(out, night.lines, archived=night.archived, typed={A.id: {"备注": "已验收"}})

    back = reconcile([gap("城南小学", current=2.5), B], county, store, read_staff_entries(out), day(50))
    [reopened] = back.reopened
    assert reopened.id == A.id
    assert reopened.first_seen == day(1).isoformat()
    assert (reopened.owner, reopened.remark) == ("张三", "已验收")
    assert reopened.status == IN_PROGRESS  # the manual status comes back with the gap
    assert reopened.closed_on == "" and reopened.current == 2.5
    assert back.opened == [] and back.archived == []
    assert statuses(store, county, A.id) == [
        (day(1).isoformat(), "", IN_PROGRESS, REASON_NEW),
        (day(2).isoformat(), IN_PROGRESS, CLOSED, REASON_CLOSED),
        (day(50).isoformat(), CLOSED, IN_PROGRESS, REASON_REOPENED),
    ]


def test_a_returning_gap_without_manual_status_is_open_again(backend):
    store, county = backend
    reconcile([A], county, store, {}, day(1))
    reconcile([], county, store, {}, day(2))
    back = reconcile([A], county, store, {A.id: {"status": CLOSED}}, day(3))  # the greyed cell read back
    assert back.reopened[0].status == OPEN and back.warnings == []
    assert statuses(store, county, A.id)[-1] == (day(3).isoformat(), CLOSED, OPEN, REASON_REOPENED)


def test_running_twice_on_the_same_data_changes_nothing(backend, tmp_path):
    store, county = backend
    reconcile([A, B, C], county, store, {}, day(1))
    reconcile([A, C], county, store, {A.id: {"owner": "张三", "status": IN_PROGRESS}}, day(2))
    out = last_nights_workbook(tmp_path / "结果.xlsx", reconcile([A, C], county, store, {}, day(2)).lines)

    def snapshot():
        with store.engine.connect() as conn:
            lines = conn.execute(sa.select(ledger_lines).where(ledger_lines.c.county == county)
                                 .order_by(ledger_lines.c.line_id)).all()  # fmt: skip
            hist = conn.execute(sa.select(ledger_history).where(ledger_history.c.county == county)
                                .order_by(ledger_history.c.seq)).all()  # fmt: skip
        return lines, hist

    before = snapshot()
    first = reconcile([A, C], county, store, read_staff_entries(out), day(2))
    second = reconcile([A, C], county, store, read_staff_entries(out), day(2))
    assert snapshot() == before  # not one row written, updated_at included
    assert first.lines == second.lines
    assert (second.opened, second.closed, second.reopened, second.warnings) == ([], [], [], [])
    assert by_id(second.lines)[A.id].status == IN_PROGRESS


def test_tonights_data_replaces_the_old_values_but_not_first_seen(backend):
    store, county = backend
    reconcile([A], county, store, {}, day(1))
    line = reconcile([gap("城南小学", current=4.0)], county, store, {}, day(9)).lines[0]
    assert (line.current, line.shortfall, line.first_seen) == (4.0, 0.5, day(1).isoformat())
    stored = store.load(county)[A.id]
    assert (stored.last_seen, stored.current) == (day(9).isoformat(), 4.0)


def test_an_unreadable_previous_workbook_loses_nothing(backend, tmp_path):
    store, county = backend
    out = tmp_path / "大祥区 输出" / "大祥区_评估结果.xlsx"
    night1 = reconcile([A], county, store, {}, day(1))
    last_nights_workbook(out, night1.lines, {A.id: {"责任人": "张三", "整改进展": "已立项"}})
    reconcile([A], county, store, read_staff_entries(out), day(2))

    out.write_bytes(b"PK\x03\x04 damaged by a sync tool")
    warnings = []
    try:
        typed = read_staff_entries(out)
    except UnreadableWorkbookError as exc:  # what batch does: warn and go on with the store
        warnings.append(str(exc))
        typed = {}
    copy = backup_previous(out)
    line = reconcile([A], county, store, typed, day(3)).lines[0]
    assert (line.owner, line.progress) == ("张三", "已立项")
    assert warnings and "大祥区_评估结果.xlsx" in warnings[0]
    assert backups_of(out) == [copy] and copy.read_bytes() == out.read_bytes()


def test_a_lost_store_is_refilled_from_last_nights_workbook(backend, tmp_path):
    store, county = backend
    out = last_nights_workbook(tmp_path / "结果.xlsx", [A], {A.id: {"首次发现": "2024-01-15", "责任人": "张三"}})
    result = reconcile([A], county, store, read_staff_entries(out), day(1))
    assert (result.lines[0].first_seen, result.lines[0].owner) == ("2024-01-15", "张三")


def test_a_note_typed_on_a_closed_line_is_kept(backend):
    store, county = backend
    reconcile([A], county, store, {}, day(1))
    reconcile([], county, store, {}, day(2))
    line = reconcile([], county, store, {A.id: {"remark": "已验收", "status": CLOSED}}, day(3)).lines[0]
    assert (line.status, line.remark, line.closed_on) == (CLOSED, "已验收", day(2).isoformat())


def test_open_lines_keep_tonights_order_then_greyed_newest_first(backend):
    store, county = backend
    reconcile([A, B, C, gap("东门小学")], county, store, {}, day(1))
    reconcile([A, B, gap("东门小学")], county, store, {}, day(2))  # C closes on night 2
    result = reconcile([gap("东门小学"), A], county, store, {}, day(3))  # B closes on night 3
    assert [ln.id for ln in result.lines] == [gap("东门小学").id, A.id, B.id, C.id]


def test_counties_keep_separate_ledgers(backend):
    store, county = backend
    other = county + " 邻县"
    try:
        reconcile([A], county, store, {A.id: {"owner": "张三"}}, day(1))
        result = reconcile([A], other, store, {}, day(1))
        assert result.lines[0].owner == "" and len(result.opened) == 1
    finally:
        store.delete_county(other)


def test_a_duplicated_line_is_reported_not_doubled(backend):
    store, county = backend
    result = reconcile([A, A], county, store, {}, day(1))
    assert len(result.lines) == 1
    assert [(w.code, w.params["line_id"]) for w in result.warnings] == [(Code.LEDGER_DUPLICATE_ID, A.id)]
