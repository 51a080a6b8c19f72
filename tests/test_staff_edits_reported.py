"""Every staff edit is kept, or its loss is said out loud at its row: a deleted, renamed or
ID-less 整改台账, rows whose 台账编号 is missing, mistyped or repeated, text starting with "=",
B类 得分 out of range, an unknown 状态. The sample county (大祥区) is run night after night;
staff typing is simulated with openpyxl as a person would leave the file."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from staff_typing import RESULT, SAMPLE, night, rows, scores, stored, type_cell, type_cells, type_score

from equity_xlsx.batch import run

pytestmark = pytest.mark.whole_run


@pytest.fixture
def county(tmp_path):
    """(src, out, line ids of four school lines) after night 1."""
    src, out = tmp_path / "县表", tmp_path / "结果"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区.xlsx")
    night(src, out, 1)
    ids = [i for i, r in rows(out / RESULT).items() if r["学校"].value != "全区"][:4]
    return src, out, ids


def unforced(src: Path, out: Path, day: int):
    """A night on unchanged data (no --force): the edits alone make it read the workbook."""
    return run([src], out, standard="national-2017", jobs=1, today=dt.date(2026, 11, day))


def problems(result, code: str) -> list[dict]:
    entry = result.entries[0]
    return [p for p in entry["errors"] + entry["warnings"] if p["code"] == code]


def listed(out: Path) -> list[tuple]:
    """数据问题 rows: (级别, 文件, 工作表, 行, 列, 说明, 代码)."""
    return list(openpyxl.load_workbook(out / RESULT)["数据问题"].iter_rows(min_row=2, values_only=True))


def test_a_deleted_ledger_sheet_is_loud_and_the_ledger_survives_from_the_store(county):
    src, out, (a, b, *_) = county
    type_cell(out / RESULT, a, "备注", "已报财政")
    unforced(src, out, 2)  # read into the store
    type_cell(out / RESULT, b, "责任人", "赵六")  # typed, then the sheet is deleted: lost
    wb = openpyxl.load_workbook(out / RESULT)
    del wb["整改台账"]
    wb.save(out / RESULT)
    res = unforced(src, out, 3)
    (p,) = problems(res, "ledger_sheet_missing")
    assert p["level"] == "error" and p["file"] == RESULT
    backup = p["params"]["backup"]
    assert backup.startswith("备份/") and (out / backup).exists()
    assert "整改台账" not in openpyxl.load_workbook(out / backup).sheetnames  # the file as staff left it
    got = rows(out / RESULT)
    assert got[a]["备注"].value == "已报财政"  # from the store
    assert set(stored(out)) <= set(got) | {i for i, ln in stored(out).items() if ln.status == "已销号"}
    assert any(r[6] == "ledger_sheet_missing" and r[0] == "错误" for r in listed(out))


def test_a_renamed_ledger_sheet_is_read_under_its_new_name(county):
    src, out, (a, *_) = county
    type_cell(out / RESULT, a, "整改进展", "已招标")
    wb = openpyxl.load_workbook(out / RESULT)
    wb["整改台账"].title = "整改台账（张三改）"
    wb.save(out / RESULT)
    res = unforced(src, out, 2)
    (p,) = problems(res, "ledger_sheet_renamed")
    assert p["sheet"] == "整改台账（张三改）"
    assert rows(out / RESULT)[a]["整改进展"].value == "已招标"


def test_a_ledger_without_its_id_column_lists_every_row_it_cannot_read_back(county):
    src, out, (a, b, *_) = county
    type_cells(out / RESULT, {(a, "责任人"): "王五", (b, "备注"): "等拨款"})
    wb = openpyxl.load_workbook(out / RESULT)
    ws = wb["整改台账"]
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.delete_cols(1)  # 台账编号 gone
    wb.save(out / RESULT)
    res = unforced(src, out, 2)
    (p,) = problems(res, "ledger_id_column_missing")
    assert p["level"] == "error" and p["params"]["rows"] == 2
    lost = problems(res, "ledger_edit_unmatched")
    assert sorted((x["sheet"], x["row"]) for x in lost) == sorted([("整改台账", row_of[a]), ("整改台账", row_of[b])])
    assert any("王五" in x["message"] for x in lost) and any("等拨款" in x["message"] for x in lost)
    assert rows(out / RESULT)[a]["责任人"].value is None  # not guessed onto a line


def test_edits_that_cannot_be_matched_are_shown_with_their_row(county):
    src, out, (a, b, c, d) = county
    wb = openpyxl.load_workbook(out / RESULT)
    ws = wb["整改台账"]
    head = [x.value for x in ws[1]]
    col = {h: i + 1 for i, h in enumerate(head)}
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(row_of[a], 1, "TZ-99-ABCDEF")  # mistyped
    ws.cell(row_of[a], col["备注"], "输错编号的备注")
    ws.cell(row_of[b], 1).value = None  # number deleted
    ws.cell(row_of[b], col["责任人"], "没有编号的责任人")
    ws.cell(row_of[c], col["责任人"], "李四")
    ws.cell(row_of[d], 1, c)  # c's number typed again on d's row, with another 责任人
    ws.cell(row_of[d], col["责任人"], "张三")
    wb.save(out / RESULT)
    res = unforced(src, out, 2)
    lost = {x["row"]: x for x in problems(res, "ledger_edit_unmatched")}
    assert set(lost) == {row_of[a], row_of[b], row_of[d]}
    assert "TZ-99-ABCDEF" in lost[row_of[a]]["message"] and "输错编号的备注" in lost[row_of[a]]["message"]
    assert "没有台账编号" in lost[row_of[b]]["message"] and "没有编号的责任人" in lost[row_of[b]]["message"]
    assert "重复" in lost[row_of[d]]["message"] and "张三" in lost[row_of[d]]["message"]
    got = rows(out / RESULT)
    assert got[c]["责任人"].value == "李四"  # the first row of the id wins
    assert (got[a]["备注"].value, got[b]["责任人"].value) == (None, None)  # nothing placed on a guess
    on_sheet = {(r[2], r[3]) for r in listed(out) if r[6] == "ledger_edit_unmatched"}
    assert on_sheet == {("整改台账", row_of[a]), ("整改台账", row_of[b]), ("整改台账", row_of[d])}


def test_text_starting_with_an_equals_sign_is_kept_as_text(county):
    src, out, (a, *_) = county
    type_cells(out / RESULT, {(a, "备注"): "=见附件2", (a, "整改进展"): "=完成50%"})  # a spreadsheet takes them for formulas
    unforced(src, out, 2)
    got = rows(out / RESULT)[a]
    assert (got["备注"].value, got["备注"].data_type) == ("=见附件2", "s")
    assert got["整改进展"].value == "=完成50%"
    assert stored(out)[a].remark == "=见附件2"


def test_out_of_range_scores_and_an_unknown_status_are_reported_and_not_used(county):
    src, out, (a, *_) = county
    type_score(out / RESULT, "8", 9)  # item 8 is worth 10: fine
    unforced(src, out, 2)
    type_cells(out / RESULT, {(a, "状态"): "搞定了"}, scores={"8": 1e308, "9": 12, "23": -1})  # item 9 is worth 5
    res = unforced(src, out, 3)
    bad = {p["params"]["item"]: p for p in problems(res, "score_invalid")}
    assert set(bad) == {"8", "9", "23"} and all(p["level"] == "error" for p in bad.values())
    assert "0–10" in bad["8"]["message"] and "保留原得分 9" in bad["8"]["message"]
    assert bad["9"]["row"] is not None and bad["9"]["column"]
    assert scores(out / RESULT) == {"8": 9}
    (status,) = problems(res, "ledger_status_unknown")
    assert status["params"]["line_id"] == a and status["row"] is not None
    assert rows(out / RESULT)[a]["状态"].value == "未整改"
