"""Reading back what staff typed into last night's 整改台账, and keeping backups.

Each workbook is built here with openpyxl the way a person would leave it: columns moved,
a column added, a title row inserted, notes under the table, dates typed as Excel dates.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.readback import (
    UnreadableWorkbookError,
    backup_previous,
    backups_of,
    read_staff_entries,
)

HEADERS = ["台账编号", "学校", "学段", "指标编号", "指标", "现值", "标准值", "差距", "需补足", "整改措施",
           "责任部门", "责任股室", "首次发现", "状态", "责任人", "计划完成时间", "整改进展", "备注"]  # fmt: skip


def save(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def row(**cells) -> list:
    """One 整改台账 row in the writer's column order, from header → value."""
    return [cells.get(h) for h in HEADERS]


def test_staff_columns_found_by_header_text(tmp_path):
    path = save(tmp_path / "结果.xlsx", {"整改台账": [
        HEADERS,
        row(台账编号="DX-001", 学校="城南小学", 状态="整改中", 责任人="张三", 计划完成时间="2024年底",
            整改进展="已立项", 备注="等待财政"),
        row(台账编号="DX-002", 学校="城北小学", 状态="未整改"),
    ]})  # fmt: skip
    entries = read_staff_entries(path)
    assert entries["DX-001"] == {
        "owner": "张三", "due": "2024年底", "progress": "已立项", "remark": "等待财政",
        "status": "整改中", "first_seen": "", "measure": "", "department": "", "office": "",
    }  # fmt: skip
    assert entries["DX-002"]["owner"] == "" and entries["DX-002"]["status"] == "未整改"


def test_reordered_and_added_columns_and_a_title_row(tmp_path):
    # A person moved 责任人 to the front, added 联系电话, and typed a title above the header.
    headers = ["责任人", "联系电话", "台账编号", "备注", "整改\n进展", "状态", "计划完成时间（手填）"]
    path = save(tmp_path / "结果.xlsx", {"整改台账": [
        ["大祥区整改台账（2024年）"],
        headers,
        ["王五", 13800000000, "DX-007", "见附件", "施工中", "暂缓", None],
    ]})  # fmt: skip
    entries = read_staff_entries(path)
    # 联系电话, a column of their own, is read by its header and kept too.
    assert entries == {"DX-007": {"owner": "王五", "remark": "见附件", "progress": "施工中",
                                  "status": "暂缓", "due": "", "extra:联系电话": "13800000000"}}  # fmt: skip


def test_dates_become_iso_and_numbers_text(tmp_path):
    path = save(tmp_path / "结果.xlsx", {"整改台账": [
        HEADERS,
        row(台账编号="DX-001", 计划完成时间=dt.datetime(2024, 12, 31), 备注=3.0, 整改进展=0.5,
            首次发现=dt.date(2024, 3, 1)),
        row(台账编号=1002, 计划完成时间=dt.datetime(2024, 6, 30, 17, 30)),
    ]})  # fmt: skip
    entries = read_staff_entries(path)
    assert entries["DX-001"]["due"] == "2024-12-31"
    assert entries["DX-001"]["first_seen"] == "2024-03-01"
    assert entries["DX-001"]["remark"] == "3"
    assert entries["DX-001"]["progress"] == "0.5"
    assert entries["1002"]["due"] == "2024-06-30 17:30"


def test_rows_without_a_number_are_skipped(tmp_path):
    path = save(tmp_path / "结果.xlsx", {"整改台账": [
        HEADERS,
        row(台账编号="DX-001", 责任人="张三"),
        [],
        row(责任人="自己加的一行，没有编号"),
        ["注：本表由系统生成，灰色为已销号条目。"],
    ]})  # fmt: skip
    assert list(read_staff_entries(path)) == ["DX-001"]


def test_a_duplicated_row_does_not_blank_the_first(tmp_path):
    path = save(tmp_path / "结果.xlsx", {"整改台账": [
        HEADERS,
        row(台账编号="DX-001", 责任人="张三"),
        row(台账编号="DX-001", 备注="复制的一行"),
    ]})  # fmt: skip
    entry = read_staff_entries(path)["DX-001"]
    assert (entry["owner"], entry["remark"]) == ("张三", "复制的一行")


def test_archive_sheet_is_read_too(tmp_path):
    path = save(tmp_path / "结果.xlsx", {
        "概览": [["县", "大祥区"]],
        "整改台账": [HEADERS, row(台账编号="DX-001", 责任人="张三")],
        "已销号": [HEADERS + ["销号日期"], row(台账编号="DX-009", 状态="已销号", 备注="已验收")],
    })  # fmt: skip
    entries = read_staff_entries(path)
    assert entries["DX-009"]["remark"] == "已验收"
    assert entries["DX-001"]["owner"] == "张三"


def test_missing_file_or_sheet_gives_nothing(tmp_path):
    assert read_staff_entries(tmp_path / "没有 这个.xlsx") == {}
    path = save(tmp_path / "结果.xlsx", {"学校指标": [["学校"], ["城南小学"]]})
    assert read_staff_entries(path) == {}


def test_a_sheet_without_the_number_header_gives_nothing(tmp_path):
    path = save(tmp_path / "结果.xlsx", {"整改台账": [["学校", "责任人"], ["城南小学", "张三"]]})
    assert read_staff_entries(path) == {}


@pytest.mark.parametrize(
    "content",
    [b"", b"this is not a workbook", None],
    ids=["empty", "text renamed xlsx", "truncated zip"],
)
def test_unreadable_workbook_raises_a_specific_error(tmp_path, content):
    path = tmp_path / "上次 结果.xlsx"
    if content is None:
        good = save(tmp_path / "good.xlsx", {"整改台账": [HEADERS, row(台账编号="DX-1")]}).read_bytes()
        content = good[: len(good) // 2]
    path.write_bytes(content)
    with pytest.raises(UnreadableWorkbookError) as err:
        read_staff_entries(path)
    assert "上次 结果.xlsx" in str(err.value)
    assert err.value.path == path


def test_a_zip_that_is_not_a_workbook_is_unreadable(tmp_path):
    path = tmp_path / "结果.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableWorkbookError):
        read_staff_entries(path)


def test_backup_copies_the_old_output_into_backup_folder(tmp_path):
    folder = tmp_path / "大祥区 输出"
    path = save(folder / "大祥区_评估结果.xlsx", {"整改台账": [HEADERS]})
    copy = backup_previous(path, now=dt.datetime(2024, 3, 1, 2, 0, 5))
    assert copy == folder / "备份" / "大祥区_评估结果_20240301-020005.xlsx"
    assert copy.read_bytes() == path.read_bytes()
    assert path.exists()  # a copy, not a move: the caller replaces it atomically


def test_no_backup_when_there_is_no_previous_output(tmp_path):
    assert backup_previous(tmp_path / "无.xlsx") is None
    assert not (tmp_path / "备份").exists()


def test_backups_keep_the_last_ten_versions_per_file(tmp_path):
    path = save(tmp_path / "A县.xlsx", {"整改台账": [HEADERS]})
    other = save(tmp_path / "A县_2.xlsx", {"整改台账": [HEADERS]})
    backup_previous(other, now=dt.datetime(2024, 1, 1))
    start = dt.datetime(2024, 3, 1, 2, 0)
    for night in range(12):
        save(path, {"整改台账": [HEADERS, row(台账编号=f"DX-{night}")]})  # a different workbook each night
        backup_previous(path, now=start + dt.timedelta(days=night))
    kept = backups_of(path)
    assert len(kept) == 10
    assert kept[0].name == "A县_20240303-020000.xlsx"
    assert kept[-1].name == "A县_20240312-020000.xlsx"
    # Another file's backups (whose name merely starts the same) are untouched.
    assert len(backups_of(other)) == 1


def test_two_backups_in_the_same_second_both_kept(tmp_path):
    path = save(tmp_path / "A.xlsx", {"整改台账": [HEADERS]})
    t = dt.datetime(2024, 3, 1, 2, 0)
    first = backup_previous(path, now=t)
    save(path, {"整改台账": [HEADERS, row(台账编号="DX-9")]})
    second = backup_previous(path, now=t)
    assert first != second and first.exists() and second.exists()
    assert backups_of(path) == [first, second]


def test_an_unchanged_workbook_is_not_backed_up_again(tmp_path):
    path = save(tmp_path / "A.xlsx", {"整改台账": [HEADERS]})
    first = backup_previous(path, now=dt.datetime(2024, 3, 1))
    assert backup_previous(path, now=dt.datetime(2024, 3, 2)) is None
    assert backups_of(path) == [first]


def test_reads_back_what_the_ledger_sheet_writer_wrote(tmp_path):
    """Contract with report/ledger_sheet.py: its headers are the ones read back here."""
    import xlsxwriter

    from equity_xlsx.model import LedgerLine
    from equity_xlsx.report import ledger_sheet
    from equity_xlsx.report.formats import Formats, ReportWorksheet
    from equity_xlsx.vocabulary import LedgerStatus

    line = LedgerLine(
        id="TZ-04-3F9A2C", key="k", school="城南小学", stage="primary", item="4", indicator="生均",
        current=3.0, standard=4.5, shortfall=1.5, unit="m²", need=1200.0, need_unit="m²",
        need_text="面积 1200 m²", first_seen="2024-03-01", status=LedgerStatus.IN_PROGRESS, owner="张三",
        due="2024-12-31", progress="已立项", remark="等财政",
    )  # fmt: skip
    path = tmp_path / "大祥区 结果.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    fm = Formats.build(wb)
    ledger_sheet.write_lines(wb.add_worksheet(ledger_sheet.SHEET, ReportWorksheet), [line], fm)
    ledger_sheet.write_lines(wb.add_worksheet(ledger_sheet.CLOSED_SHEET, ReportWorksheet), [], fm, archive=True)
    wb.close()
    assert read_staff_entries(path) == {"TZ-04-3F9A2C": {
        "owner": "张三", "due": "2024-12-31", "progress": "已立项", "remark": "等财政",
        "status": LedgerStatus.IN_PROGRESS, "first_seen": "2024-03-01", "measure": "", "department": "", "office": "",
    }}  # fmt: skip
