"""县级指标 sheet: county-wide figures as label | value rows (issue 3)."""

from __future__ import annotations

import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.problems import Code
from equity_xlsx.intake import read_workbook
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
RULES = Rules.of(STD)
SCHOOLS = [["学校名称", "在校生数"], ["甲校", 100]]


def test_county_sheet_fills_county_figures_as_fractions(write_xlsx):
    path = write_xlsx({"小学": SCHOOLS, "县级指标": [
        ["大祥区县级指标"],
        ["指标", "数值"],
        ["交流轮岗教师比例", "12%"],
        ["初中三年巩固率", 0.96],
        ["残疾儿童少年入学率", "95.5%"],
        ["校际差异率", 0.12],
    ]})
    data = read_workbook(path, RULES)
    assert data.county_figures == pytest.approx({
        "rotation_rate": 0.12, "junior_retention_rate": 0.96,
        "disabled_enrolment_rate": 0.955, "monitoring_school_gap": 0.12,
    })
    assert data.county_sources["junior_retention_rate"].cell == "B4"
    assert data.county_sources["junior_retention_rate"].sheet == "县级指标"
    assert data.errors == []


def test_percent_column_header_means_96_is_0_96(write_xlsx):
    path = write_xlsx({"小学": SCHOOLS, "县级": [["项目", "比例（%）"], ["名额分配比例", 55], ["社会认可度", 0.9]]})
    data = read_workbook(path, RULES)
    assert data.county_figures == pytest.approx({"quota_allocation_rate": 0.55, "social_recognition": 0.9})


def test_ambiguous_or_text_ratio_is_an_error(write_xlsx):
    path = write_xlsx({"小学": SCHOOLS, "县级指标": [["巩固率", 96], ["名额分配比例", "过半"], ["社会认可度", None]]})
    data = read_workbook(path, RULES)
    assert data.county_figures == {}
    errs = {(e.row, e.column) for e in data.errors}
    assert errs == {(1, "B"), (2, "B")}
    assert (Code.COUNTY_VALUE_MISSING, 3) in [(w.code, w.row) for w in data.warnings]
