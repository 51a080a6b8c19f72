"""Nothing staff typed is ever lost: five scripted nights with edits in the result and in its
(新) copy, an Excel lock file on some nights, a conflicting edit, a gap closing and coming
back. Every typed value survives, unchanged in value and type (a date stays a date cell)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from staff_typing import (BUSY, RESULT, SAMPLE, night, rows, saved_at, scores, set_county_figure, stored, type_cell,
                          type_cells)

from equity_xlsx.batch import run

pytestmark = pytest.mark.whole_run


def test_five_nights_lose_nothing_staff_typed(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    src.mkdir()
    data = src / "大祥区.xlsx"
    shutil.copy(SAMPLE, data)

    night(src, out, 1)
    first = rows(out / RESULT)
    schools = [i for i, r in first.items() if r["学校"].value != "全区"]
    l1, l2, l4, l5 = schools[:4]
    l3 = next(i for i, r in first.items() if str(r["指标编号"].value) == "26")  # 残疾儿童少年入学率, a county line
    default_measure = first[l2]["整改措施"].value

    # Staff type into the result and keep it open in Excel.
    original = out / RESULT
    type_cells(original, {(l1, "责任人"): "王主任", (l1, "计划完成时间"): dt.date(2026, 6, 30),
                          (l2, "整改措施"): "新建教学楼一栋（2026 年预算）"}, scores={"8": 9})
    saved_at(original, dt.datetime(2026, 11, 1, 16, 0))

    # Night 2: the result is open, so the run writes the (新) copy, carrying what was typed.
    assert night(src, out, 2, lock=True).exit_code == 0
    busy = out / BUSY
    assert busy.exists()
    got = rows(busy)
    assert got[l1]["责任人"].value == "王主任" and got[l2]["整改措施"].value.startswith("新建教学楼")

    # Staff type into the copy, and also into the original they still have open (saved later).
    type_cells(busy, {(l1, "整改进展"): "已立项", (l3, "备注"): "等财政拨款", (l4, "责任人"): "李四"}, scores={"9": 4.5})
    saved_at(busy, dt.datetime(2026, 11, 2, 10, 0))
    # the same cell, differently: the later save wins
    type_cells(original, {(l4, "责任人"): "王五", (l5, "备注"): "原文件里的备注"})
    saved_at(original, dt.datetime(2026, 11, 2, 17, 30))

    expected = {(l1, "责任人"): "王主任", (l1, "计划完成时间"): dt.datetime(2026, 6, 30),
                (l2, "整改措施"): "新建教学楼一栋（2026 年预算）", (l1, "整改进展"): "已立项",
                (l3, "备注"): "等财政拨款", (l4, "责任人"): "王五", (l5, "备注"): "原文件里的备注"}

    def check(path: Path) -> None:
        got = rows(path)
        lost = {k: v for k, v in expected.items() if got[k[0]][k[1]].value != v}
        assert lost == {}, lost
        due = got[l1]["计划完成时间"]
        assert isinstance(due.value, dt.datetime) and "yy" in due.number_format  # a date cell, not text
        assert got[l2]["整改措施"].font.i  # shown as edited
        assert scores(path) == {"8": 9, "9": 4.5}

    # Night 3: closed again; both files are read cell by cell, the copy is merged and retired.
    res = night(src, out, 3)
    check(original)
    assert not busy.exists()
    warnings = res.entries[0]["warnings"]
    conflict = next(w for w in warnings if w["code"] == "edit_conflict")
    assert "王五" in conflict["message"] and "李四" in conflict["message"]
    listed = [r[5] for r in openpyxl.load_workbook(original)["数据问题"].iter_rows(values_only=True)]
    assert conflict["message"] in listed

    # Night 4: 残疾儿童少年入学率 reaches 96 %: l3 is 已销号, its note kept. Excel is open again.
    set_county_figure(data, "残疾儿童少年入学率", 0.96)
    night(src, out, 4, lock=True)
    assert rows(busy)[l3]["状态"].value == "已销号"
    check(busy)
    type_cell(busy, l2, "责任部门", "区教育局、区发改局")
    saved_at(busy, dt.datetime(2026, 11, 4, 9, 0))
    expected[(l2, "责任部门")] = "区教育局、区发改局"

    # Night 5: the gap is back: reopened under its old number with everything typed.
    set_county_figure(data, "残疾儿童少年入学率", 0.935)
    res = night(src, out, 5)
    check(original)
    assert rows(original)[l3]["状态"].value != "已销号"
    assert res.entries[0]["ledger_changes"]["reopened"] == 1
    assert rows(original)[l2]["整改措施"].value != default_measure  # never reset to the task list


def test_an_unchanged_night_still_reads_what_staff_typed(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区.xlsx")
    run([src], out, standard="national-2017", jobs=1, today=dt.date(2026, 11, 1))
    line = next(iter(rows(out / RESULT)))
    type_cell(out / RESULT, line, "备注", "只在工作簿里")
    # The data did not change, but the workbook did: the edit is read into the ledger store.
    res = run([src], out, standard="national-2017", jobs=1, today=dt.date(2026, 11, 2))
    assert not res.entries[0].get("skipped")
    assert rows(out / RESULT)[line]["备注"].value == "只在工作簿里"
    assert stored(out)[line].remark == "只在工作簿里"
    # Nothing typed since, nothing changed: the next night skips.
    res = run([src], out, standard="national-2017", jobs=1, today=dt.date(2026, 11, 3))
    assert res.entries[0].get("skipped")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["workbooks"][0]["skipped"] is True


def test_an_unchanged_night_merges_a_new_copy_once_the_result_is_closed(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区.xlsx")
    night(src, out, 1)
    line = next(iter(rows(out / RESULT)))
    night(src, out, 2, lock=True)  # Excel had the result open: tonight's went to (新)
    busy = out / BUSY
    type_cell(busy, line, "整改进展", "在(新)里填的")
    (out / f"~${RESULT}").unlink()  # Excel closed
    # Night 3, same data, no --force: the (新) copy is merged, retired, and its warning gone.
    res = run([src], out, standard="national-2017", jobs=1, today=dt.date(2026, 11, 3))
    assert not busy.exists()
    assert rows(out / RESULT)[line]["整改进展"].value == "在(新)里填的"
    assert "output_locked" not in [w["code"] for w in res.entries[0]["warnings"]]


def test_renamed_headers_and_inserted_columns_are_kept(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区.xlsx")
    night(src, out, 1)
    result = out / RESULT
    wb = openpyxl.load_workbook(result)
    ws = wb["整改台账"]
    heads = [c.value for c in ws[1]]
    owner = heads.index("责任人") + 1
    ws.cell(1, owner, "负责人")  # staff renamed the header
    ws.insert_cols(owner + 1)  # and inserted their own column after it
    ws.cell(1, owner + 1, "联系电话")
    ws.insert_cols(owner + 2)  # and one they forgot to give a header
    first, second = ws.cell(2, 1).value, ws.cell(3, 1).value
    ws.cell(2, owner, "赵六")
    ws.cell(2, owner + 1, "13800000000")
    ws.cell(3, owner + 1, "0739-1234567")
    ws.cell(3, owner + 2, "这一列没有表头")
    wb.save(result)

    res = night(src, out, 2)
    got = rows(result)
    assert got[first]["责任人"].value == "赵六"  # read under the new name, written back under ours
    assert (got[first]["联系电话"].value, got[second]["联系电话"].value) == ("13800000000", "0739-1234567")
    assert got[first]["联系电话"].protection.locked is False  # still theirs to type into
    unplaced = [w for w in res.entries[0]["warnings"] if w["code"] == "staff_column_unplaced"]
    assert len(unplaced) == 1 and "没有表头" in unplaced[0]["message"] and "1 行" in unplaced[0]["message"]

    night(src, out, 3)  # and the next night, from the store, again
    assert rows(result)[second]["联系电话"].value == "0739-1234567"
