"""Text that came from outside — a file name, a sheet name, a school name, what staff typed —
is always written as text, never as a live formula, in every workbook the tool writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.batch import run
from equity_xlsx.template import write_template

EVIL_FILE = "=1+2.xlsx"
EVIL_SHEET = '=HYPERLINK("x","y")'
EVIL_SCHOOL = '=HYPERLINK("http://example.invalid","点我")'
QUOTED_SCHOOL = '甲"乙"小学'
EVIL_TYPED = "=SUM(A1:A9)"


def text(cell, value: str) -> None:
    """``value`` stored as text, as Excel stores '=… typed with a leading apostrophe
    (openpyxl would otherwise write a string starting with "=" as a formula)."""
    cell.value = value
    cell.data_type = "s"


def hostile_county(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = EVIL_SHEET
    ws.append(["学校名称", "学段", "在校生数", "高于规定学历教师数", "网络多媒体教室数"])
    ws.append([None, "小学", 500, 10, None])  # short of teachers: a ledger line; rooms missing: banner
    text(ws.cell(2, 1), EVIL_SCHOOL)
    ws.append([QUOTED_SCHOOL, "小学", 300, 20, 9])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EVIL_FILE
    wb.save(path)
    return path


def text_cells(path: Path, *needles: str) -> list[tuple[str, str, str]]:
    """(sheet, cell, data type) of every cell whose value contains one of ``needles``."""
    found = []
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and any(n in c.value for n in needles):
                    found.append((ws.title, c.coordinate, c.data_type))
    return found


@pytest.mark.whole_run
def test_outside_text_is_text_in_the_result_and_the_run_report(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    hostile_county(src)
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    entry = result.entries[0]
    assert entry["status"] == "ok", entry["errors"]
    produced = out / entry["output"]
    cells = text_cells(produced, "HYPERLINK(\"http://example", "=1+2", 'HYPERLINK("x"', QUOTED_SCHOOL)
    assert cells and all(kind == "s" for _, _, kind in cells), cells
    report = text_cells(out / "运行报告.xlsx", "=1+2", 'HYPERLINK("x"')
    assert report and all(kind == "s" for _, _, kind in report), report

    # Staff type a formula-looking note; the next night writes it back as text.
    wb = openpyxl.load_workbook(produced)
    ws = wb["整改台账"]
    col = [c.value for c in ws[1]].index("备注") + 1
    text(ws.cell(2, col), EVIL_TYPED)
    line_id = ws.cell(2, 1).value
    wb.save(produced)
    run([src], out, standard="national-2017", jobs=1, force=True, today=date(2026, 11, 2))
    ws = openpyxl.load_workbook(produced)["整改台账"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == line_id)
    assert (row[col - 1].value, row[col - 1].data_type) == (EVIL_TYPED, "s")


def test_the_template_writes_no_formula_from_text(tmp_path):
    path = write_template(tmp_path / "模板.xlsx")
    for ws in openpyxl.load_workbook(path).worksheets:
        assert not [c.coordinate for r in ws.iter_rows() for c in r if c.data_type == "f"], ws.title
