"""The 采集模板: headers from the alias table, validation, and a filled copy read back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.standards import load_aliases, load_standard
from equity_xlsx.template import (COUNTY_SHEET, DATA_SHEET, GUIDE_SHEET, header_text, header_unit,
                                  template_fields, write_template)

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "templates" / "县域义务教育优质均衡数据采集模板.xlsx"


@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "模板.xlsx")


@pytest.fixture(scope="module")
def book(template_path):
    return openpyxl.load_workbook(template_path)


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def test_template_has_data_county_and_guide_sheets(book):
    assert book.sheetnames == [DATA_SHEET, COUNTY_SHEET, GUIDE_SHEET]


def test_headers_are_alias_labels_with_units_of_their_family(book):
    aliases = load_aliases()
    headers = _headers(book[DATA_SHEET])
    fields = template_fields(aliases)
    assert headers == [header_text(f, aliases) for f in fields]
    for spec in fields:
        unit = header_unit(spec, aliases)
        if spec.kind == "text":
            assert unit == ""
        else:
            assert unit in aliases.units[spec.unit], spec.name
    assert "教学仪器设备值（元）" in headers
    assert "教学及辅助用房面积（㎡）" in headers
    assert "在校生数（人）" in headers
    assert "学段" in headers and "办学类型" in headers


def test_only_derivable_fields_are_left_out():
    aliases = load_aliases()
    asked = {f.name for f in template_fields(aliases)}
    left_out = set(aliases.fields) - asked
    # composite totals are summed from their parts; 艺术(计) is the alternative to 音乐 + 美术
    assert left_out == {"pe_art_teachers", "sports_area", "arts_teachers"}
    for total, parts_lists in aliases.composites.items():
        assert set(parts_lists[0]) <= asked, total


def test_number_columns_reject_text_with_a_chinese_message(book):
    aliases = load_aliases()
    ws = book[DATA_SHEET]
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        by_col[col] = dv
    for col, spec in enumerate(template_fields(aliases), start=1):
        letter = openpyxl.utils.get_column_letter(col)
        if spec.kind == "text":
            continue
        dv = by_col[letter]
        want = "whole" if spec.unit in ("count", "rooms") else "decimal"
        assert dv.type == want, spec.name
        assert dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
        assert dv.showErrorMessage and "只能填写" in dv.error and spec.label in dv.error
        assert str(dv.sqref).startswith(f"{letter}2:")


def test_stage_and_school_type_are_drop_down_lists(book):
    ws = book[DATA_SHEET]
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    headers = _headers(ws)
    stage_col = openpyxl.utils.get_column_letter(headers.index("学段") + 1)
    type_col = openpyxl.utils.get_column_letter(headers.index("办学类型") + 1)
    assert lists[stage_col] == '"小学,初中,高中"'
    for word in ("九年一贯制学校", "十二年一贯制学校", "完全中学", "教学点", "特殊教育学校"):
        assert word in lists[type_col]


def test_header_is_frozen_and_commented(book):
    ws = book[DATA_SHEET]
    assert ws.freeze_panes == "B2"
    assert ws["A1"].comment is not None
    headers = _headers(ws)
    eq = headers.index("教学仪器设备值（元）") + 1
    assert "不是万元" in ws.cell(1, eq).comment.text
    assert ws.column_dimensions["A"].width >= 20  # school names are long


def test_county_sheet_lists_every_county_field(book):
    ws = book[COUNTY_SHEET]
    assert [c.value for c in ws[1]] == ["指标", "数值", "说明"]
    labels = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert labels == [f.label for f in load_aliases().county_fields.values()]
    dv = ws.data_validations.dataValidation[0]
    assert dv.type == "decimal" and (dv.formula1, dv.formula2) == ("0", "1")  # between 0 and 100 %


def test_guide_explains_sections_units_and_qualifications(book):
    text = "\n".join(str(v) for row in book[GUIDE_SHEET].iter_rows(values_only=True) for v in row if v)
    for phrase in ("每个学段填一行", "第一行", "1:1.1", "大专", "本科及以上", "不是万元", "未提供数据"):
        assert phrase in text, phrase


def test_committed_template_matches_the_alias_table():
    assert COMMITTED.exists(), "run: .venv/bin/equity-xlsx template --out " + str(COMMITTED)
    committed = openpyxl.load_workbook(COMMITTED)
    aliases = load_aliases()
    assert _headers(committed[DATA_SHEET]) == [header_text(f, aliases) for f in template_fields(aliases)]


def test_cli_template_command(tmp_path):
    from typer.testing import CliRunner

    from equity_xlsx.cli import app

    out = tmp_path / "县" / "采集模板.xlsx"
    result = CliRunner().invoke(app, ["template", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == DATA_SHEET


# ------------------------------------------------------------------ filled copy

def _fill(template_path: Path, target: Path) -> None:
    wb = openpyxl.load_workbook(template_path)
    ws = wb[DATA_SHEET]
    col = {h: i for i, h in enumerate(_headers(ws), start=1)}
    rows = [
        {"学校名称": "城关第一小学", "学校标识码": "2143000001", "办学类型": "小学", "学段": "小学", "办别": "公办",
         "在校生数（人）": 1200, "专任教师数（人）": 70, "高于规定学历教师数（人）": 60,
         "县级及以上骨干教师数（人）": 15, "体育专任教师数（人）": 6, "音乐专任教师数（人）": 4,
         "美术专任教师数（人）": 3, "教学及辅助用房面积（㎡）": 6000, "体育馆面积（㎡）": 1000,
         "运动场地面积（㎡）": 8000, "教学仪器设备值（元）": 3000000, "网络多媒体教室数（间）": 30},
        {"学校名称": "河口镇中学", "学校标识码": "2143000002", "办学类型": "初级中学", "学段": "初中", "办别": "公办",
         "在校生数（人）": 600, "专任教师数（人）": 50, "高于规定学历教师数（人）": 40,
         "县级及以上骨干教师数（人）": 8, "体育专任教师数（人）": 3, "音乐专任教师数（人）": 2,
         "美术专任教师数（人）": 2, "教学及辅助用房面积（㎡）": 4000, "体育馆面积（㎡）": 0,
         "运动场地面积（㎡）": 7000, "教学仪器设备值（元）": 1800000, "网络多媒体教室数（间）": 16},
        # a nine-year school: facilities once, on its first section row
        {"学校名称": "龙潭学校", "学校标识码": "2143000003", "办学类型": "九年一贯制学校", "学段": "小学",
         "办别": "公办", "在校生数（人）": 166, "专任教师数（人）": 10, "高于规定学历教师数（人）": 9,
         "县级及以上骨干教师数（人）": 2, "体育专任教师数（人）": 1, "音乐专任教师数（人）": 1,
         "美术专任教师数（人）": 0, "教学及辅助用房面积（㎡）": 23226, "体育馆面积（㎡）": 0,
         "运动场地面积（㎡）": 4000, "教学仪器设备值（元）": 900000, "网络多媒体教室数（间）": 9},
        {"学校名称": "龙潭学校", "学校标识码": "2143000003", "办学类型": "九年一贯制学校", "学段": "初中",
         "办别": "公办", "在校生数（人）": 210, "专任教师数（人）": 18, "高于规定学历教师数（人）": 15,
         "县级及以上骨干教师数（人）": 3, "体育专任教师数（人）": 1, "音乐专任教师数（人）": 1,
         "美术专任教师数（人）": 1},
    ]
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(r, col[header], value)
    cs = wb[COUNTY_SHEET]
    row_of = {cs.cell(r, 1).value: r for r in range(2, cs.max_row + 1)}
    cs.cell(row_of["交流轮岗教师比例"], 2, 0.12)
    cs.cell(row_of["初中三年巩固率"], 2, 0.963)
    wb.save(target)


def test_filled_template_reads_back_with_the_right_values(template_path, tmp_path):
    try:
        from equity_xlsx.intake import read_workbook
    except ImportError:
        pytest.skip("equity_xlsx.intake.read_workbook 尚未实现")
    target = tmp_path / "示范县优质均衡数据.xlsx"
    _fill(template_path, target)
    data = read_workbook(target, Rules.of(load_standard()))
    assert not data.errors, [p.message for p in data.errors]
    by_key = {(s.school, s.stage): s for s in data.sections}
    assert set(by_key) == {("城关第一小学", "primary"), ("河口镇中学", "junior"),
                           ("龙潭学校", "primary"), ("龙潭学校", "junior")}
    a = by_key[("城关第一小学", "primary")].values
    assert a["students"] == 1200
    assert a["qualified_teachers"] == 60
    assert a["backbone_teachers"] == 15
    assert a["pe_art_teachers"] == 13  # 体育 6 + 音乐 4 + 美术 3
    assert a["teaching_area"] == 6000
    assert a["sports_area"] == 9000  # 体育馆 1000 + 运动场地 8000
    assert a["equipment_value"] == 3000000  # 元, no conversion
    assert a["multimedia_rooms"] == 30
    b = by_key[("河口镇中学", "junior")].values
    assert b["students"] == 600 and b["sports_area"] == 7000
    # domain.md §3 worked example: 23226 split 1:1.1 over 166 + 210 students
    p = by_key[("龙潭学校", "primary")].values
    j = by_key[("龙潭学校", "junior")].values
    assert p["teaching_area"] == pytest.approx(9711.6, abs=0.05)
    assert j["teaching_area"] == pytest.approx(13514.4, abs=0.05)
    assert j["students"] == 210 and j["pe_art_teachers"] == 3
    assert data.county_figures["rotation_rate"] == pytest.approx(0.12)
    assert data.county_figures["junior_retention_rate"] == pytest.approx(0.963)
