"""Night after night on files people edit: typed ledger values survive, gaps close and reopen."""

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from staff_typing import SAMPLE, set_county_figure

from equity_xlsx.batch import run

pytestmark = pytest.mark.whole_run
OUT_NAME = "大祥区_评估结果.xlsx"


def ledger_rows(path: Path, sheet: str = "整改台账") -> dict[str, dict]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    head_at = next(i for i, r in enumerate(rows) if r and "台账编号" in r)
    head = rows[head_at]
    return {r[0]: dict(zip(head, r)) for r in rows[head_at + 1:] if r and r[0]}


def type_into_ledger(path: Path, line_id: str, column: str, value: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["整改台账"]
    head_row = next(r for r in ws.iter_rows() if any(c.value == "台账编号" for c in r))
    col = next(c.column for c in head_row if c.value == column)
    row = next(r for r in ws.iter_rows(min_row=head_row[0].row + 1) if r[0].value == line_id)
    ws.cell(row=row[0].row, column=col, value=value)
    wb.save(path)


def test_typed_values_survive_and_gaps_close_and_reopen(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "评估 结果"
    src.mkdir()
    workbook = src / "大祥区.xlsx"
    shutil.copy(SAMPLE, workbook)

    # Night 1.
    assert run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1)).exit_code == 0
    lines = ledger_rows(out / OUT_NAME)
    school_line = next(i for i, r in lines.items() if r["学校"] != "全区")
    disabled = next(i for i, r in lines.items() if str(r["指标编号"]) == "26")
    type_into_ledger(out / OUT_NAME, school_line, "责任人", "李四")
    type_into_ledger(out / OUT_NAME, school_line, "整改进展", "已报预算")

    # Night 2, same data: what staff typed is read all the same, and kept.
    again = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 2))
    assert not again.entries[0].get("skipped")
    assert ledger_rows(out / OUT_NAME)[school_line]["责任人"] == "李四"
    # Night 2b, same data and nothing typed since: skipped.
    assert run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 2)).entries[0].get("skipped")

    # Night 3: the 残疾儿童少年入学率 reaches 96 % → that county line is 已销号 with the date;
    # every other line keeps its number and what staff typed.
    set_county_figure(workbook, "残疾儿童少年入学率", 0.96)
    assert run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 3)).exit_code == 0
    lines3 = ledger_rows(out / OUT_NAME)
    assert (lines3[school_line]["责任人"], lines3[school_line]["整改进展"]) == ("李四", "已报预算")
    assert lines3[disabled]["状态"] == "已销号"
    assert set(lines) == set(lines3)
    assert list((out / "备份").iterdir())  # the typed workbook was backed up before replacement

    # Night 4: the gap returns → reopened with its old number.
    set_county_figure(workbook, "残疾儿童少年入学率", 0.935)
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 4))
    assert ledger_rows(out / OUT_NAME)[disabled]["状态"] != "已销号"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["workbooks"][0]["ledger_changes"]["reopened"] == 1


def test_locked_output_goes_to_a_new_copy_and_its_typing_is_kept(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "out"
    src.mkdir()
    shutil.copy(SAMPLE, src / "大祥区.xlsx")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    original = (out / OUT_NAME).read_bytes()
    line_id = next(iter(ledger_rows(out / OUT_NAME)))

    lock = out / f"~${OUT_NAME}"
    lock.write_bytes(b"")  # Excel has the result open
    res = run([src], out, standard="national-2017", jobs=1, force=True, today=date(2026, 11, 2))
    busy = out / "大祥区_评估结果(新).xlsx"
    assert busy.exists() and (out / OUT_NAME).read_bytes() == original
    assert "output_locked" in [w["code"] for w in res.entries[0]["warnings"]]
    type_into_ledger(busy, line_id, "备注", "在新文件里填的")

    lock.unlink()
    run([src], out, standard="national-2017", jobs=1, force=True, today=date(2026, 11, 3))
    assert ledger_rows(out / OUT_NAME)[line_id]["备注"] == "在新文件里填的"
    assert not busy.exists()
