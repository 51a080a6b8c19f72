""".xls (old Excel / WPS) and .ods read like .xlsx: the same workbook converted by LibreOffice
gives the same sections, including merged headers and a merged whole-school amount."""

from __future__ import annotations

import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.problems import Code
from equity_xlsx.intake import read_workbook
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)

pytestmark = pytest.mark.libreoffice


@pytest.fixture
def messy_xlsx(write_xlsx):
    return write_xlsx({
        "学校": [
            ["大祥区2025年义务教育学校办学条件统计表"],
            ["学校名称", "学段", "在校生数", "专任教师", None, "教学及辅助用房面积（㎡）", "教学仪器设备值（万元）"],
            [None, None, None, "合计", "高于规定学历教师数", None, None],
            ["城南学校", "小学", 166, 12, 11, 23226, 80],
            [None, "初中", 210, "20", 19, None, None],
            ["城北小学", "小学", "1,234", 60, 58, 6000, 300],
            ["合计", None, 1610],
        ],
        "隐藏": [["学校名称", "在校生数"], ["x", 1]],
    }, merges={"学校": ["A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3", "G2:G3", "A4:A5", "F4:F5", "G4:G5"]},
        hidden=["隐藏"])


def summary(data):
    return {(s.school, s.stage): {k: round(v, 3) for k, v in s.values.items()} for s in data.sections}


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_converted_workbook_reads_the_same_as_xlsx(messy_xlsx, soffice_convert, fmt):
    expected = read_workbook(messy_xlsx, RULES)
    converted = soffice_convert(messy_xlsx, fmt)
    data = read_workbook(converted, RULES)
    assert data.county == "大祥区"
    assert summary(data) == summary(expected)
    s = {(x.school, x.stage): x for x in data.sections}
    assert s[("城南学校", "primary")].values["teaching_area"] == pytest.approx(9711.6, abs=0.05)
    assert s[("城南学校", "junior")].values["qualified_teachers"] == 19
    assert s[("城南学校", "junior")].sources["qualified_teachers"].cell == "E5"
    assert s[("城北小学", "primary")].values["equipment_value"] == pytest.approx(3_000_000)
    assert Code.HIDDEN_SHEET in [w.code for w in data.warnings]
    assert data.errors == []
