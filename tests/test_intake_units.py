"""Unit conversion gives back the number the person wrote, not binary noise."""

from equity_xlsx.rulebook import Rules
from equity_xlsx.intake import read_workbook
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)


def test_wan_yuan_converts_to_the_exact_yuan_amount(write_xlsx):
    # 98.32 万元 = 983,200 元 exactly (98.32 × 10000 is 983199.9999999999 in floating point).
    path = write_xlsx({"小学": [["学校名称", "在校生数", "教学仪器设备值（万元）"], ["甲小学", 400, 98.32]]})
    data = read_workbook(path, RULES)
    assert data.sections[0].values["equipment_value"] == 983200
    assert data.sections[0].sources["equipment_value"].cell == "C2"
