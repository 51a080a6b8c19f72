"""Issue 17 §1: one typed outcome end to end, one reading of a stage's verdict everywhere, and
older JSON read in one place.

* ``CountyOutcome`` carries every block of summary.json as a typed field (no loose dict), and
  its JSON goes back and forth unchanged (the cache answers an unchanged county with it).
* ``StageView`` is the one verdict of a stage: the county brief, the city brief, 市级汇总 (汇总
  and 趋势) and the county's 趋势 sheet say the same word for the same stage — also for a stage
  that did not pass although no school fails and no CV is over its limit (a CV could not be
  computed): 数据不全, as 概览's formula says, never 未达标 in one place and 数据不全 in another.
* ``CountyOutcome.from_json`` reads what older versions wrote (the cache, the store's runs).
"""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest

from equity_xlsx.brief import city_view, county_view
from equity_xlsx.identity import CountyId
from equity_xlsx.outcome import CountyOutcome, StageOutcome, TrendPoint
from equity_xlsx.pipeline import CountyJob, InputFile, evaluate_county
from equity_xlsx.report import write_report
from equity_xlsx.rollup_workbook import rollup_frames
from equity_xlsx.rulebook import Rules, load_rules
from equity_xlsx.stage_view import StageView
from report_county import STD, evaluation
from staff_typing import SAMPLE

SUMMARY_KEYS = ["input", "inputs", "output", "status", "county", "county_code", "errors", "warnings", "problems",
                "stages", "schools", "checks", "ledger", "recheck_on", "ledger_changes", "ledger_totals",
                "data_year", "b_score", "brief"]


def test_an_evaluated_county_is_typed_and_its_json_goes_back_and_forth_unchanged(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "大祥区.xlsx")
    (tmp_path / "结果").mkdir()
    job = CountyJob(county=CountyId("大祥区", "430503"), inputs=(InputFile(tmp_path / "大祥区.xlsx", "大祥区.xlsx"),),
                    out_dir=tmp_path / "结果", stem="大祥区", rules=load_rules("national-2017"), state=None,
                    today="2026-11-01", year=2025)
    outcome = evaluate_county(job)
    doc = outcome.to_json()
    assert list(doc) == SUMMARY_KEYS  # the summary.json contract, in its order
    assert not hasattr(outcome, "extra")
    # Typed blocks, read by attribute: the 36 checks, the open lines, and the counts that agree.
    assert len(outcome.checks) == 36 and outcome.checks["7"].status == "met"
    assert outcome.data_year == 2025 and outcome.brief == "大祥区_简报.html" and outcome.b_score is None
    changes = outcome.ledger_changes
    assert outcome.ledger_totals.open == changes.open == len(outcome.ledger) == changes.opened  # a first night
    assert outcome.ledger_totals.closed == 0
    again = CountyOutcome.from_json(json.loads(json.dumps(doc)))
    assert again == outcome and again.to_json() == doc


def _stage(passed, failing, over, cvs=(0.1, 0.2, None)) -> dict:
    """A 小学 stage of 5 schools as summary.json has it; limit 0.50; CVs by indicator 1, 2, 3 …"""
    return {"schools": 5, "students": 1500, "schools_passing": 5 - failing, "schools_failing": failing,
            "resource_pass": passed, "cv_over_limit": list(over),
            "indicators": {str(i): {"county_value": 1.0, "standard": 1.0, "cv": cv, "cv_limit": 0.5,
                                    "cv_ok": None if cv is None else cv <= 0.5, "schools_meeting": 5 - failing}
                           for i, cv in enumerate(cvs, start=1)}}


# (stage, the verdict by 办法第六条 as 概览's formula reads it, the roll-up's reasons)
STAGES = {
    "passed": (_stage(True, 0, (), cvs=(0.1, 0.2, 0.3)), "达标", ""),
    "a school fails": (_stage(False, 2, ()), "未达标", "未达标学校 2 所；差异系数未提供数据 1 项"),
    "a CV over": (_stage(False, 0, ("2",), cvs=(0.1, 0.6, 0.3)), "未达标", "超限差异系数 1 项"),
    "a CV missing": (_stage(False, 0, ()), "数据不全", "差异系数未提供数据 1 项"),
}


@pytest.mark.parametrize("case", list(STAGES))
def test_a_stage_reads_the_same_in_every_output(case, tmp_path):
    stage, verdict, reasons = STAGES[case]
    entry = {"input": "甲县.xlsx", "status": "ok", "county": "甲县", "county_code": "430121",
             "stages": {"primary": stage}, "schools": [], "ledger": []}
    outcome = CountyOutcome.from_json(entry)
    assert StageView.of(outcome.stages["primary"]).verdict == verdict

    assert county_view(entry)["stages"][0]["verdict"] == verdict
    assert city_view({"counties": [entry]})["rows"][0]["stages"][0]["verdict"] == verdict
    frames = rollup_frames([entry], STD, [{"county": "甲县", "county_code": "430121", "data_year": 2025,
                                           "run_at": "2026-11-01 22:30:00", "stages": {"primary": stage}}])
    summary = frames.summary.iloc[0]
    assert (summary["verdict"], summary["reasons"]) == (verdict, reasons)
    assert frames.trend.iloc[0]["verdict"] == verdict

    # The county's 趋势 sheet, the stage as this year's point.
    point = TrendPoint("测试县", None, 2025, "2026-11-01 22:30:00", {"primary": StageOutcome.from_json(stage)})
    path = tmp_path / "结果.xlsx"
    write_report(evaluation(), path, rules=Rules.of(STD), trend=[point])
    ws = openpyxl.load_workbook(path)["趋势"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == 2025)
    assert row[4] == verdict


def test_an_absent_stage_is_not_provided_everywhere():
    entry = {"input": "甲县.xlsx", "status": "ok", "county": "甲县", "stages": {}}
    assert StageView.of(None).verdict == "未提供数据"
    assert county_view(entry)["stages"][0]["verdict"] == "未提供数据"
    assert city_view({"counties": [entry]})["rows"][0]["stages"][0]["verdict"] == "未提供数据"
    assert rollup_frames([entry], STD).summary.iloc[0]["verdict"] == "未提供数据"


def test_an_entry_an_older_version_wrote_is_read_by_from_json():
    old = {  # before schools_failing, cv_over_limit, ledger_totals and b_score were written
        "input": "乙区.xlsx", "status": "ok", "county": "乙区", "county_code": "430102",
        "errors": [], "warnings": [{"code": "renamed_since", "level": "warning", "message": "旧版本的提示",
                                    "file": "乙区.xlsx", "params": {}}],
        "stages": {"primary": {"schools": 5, "students": 1500, "schools_passing": 3, "resource_pass": False,
                               "indicators": {"1": {"county_value": "4.5", "standard": 4.2, "cv": 0.62,
                                                    "cv_limit": 0.5, "schools_meeting": 3}}}},
        "schools": [{"name": "乙区一小", "stage": "primary", "students": 300, "values": {"1": 4.0}, "met": 5,
                     "passes": False}],
        "ledger": [{"id": "TZ-01-000001", "school": "乙区一小", "stage": "primary", "item": "1",
                    "current": 4.0, "standard": 4.2, "shortfall": 0.2, "unit": "人/百生"}],
        "ledger_changes": {"opened": 1, "closed": 0, "reopened": 0, "open": 7},
    }
    outcome = CountyOutcome.from_json(old)
    stage = outcome.stages["primary"]
    # 5 schools, 3 passing: 2 failing; CV 0.62 > 0.50: indicator 1 over its limit.
    assert (stage.schools_failing, stage.cv_over_limit, stage.indicators["1"].cv_ok) == (2, ["1"], False)
    assert stage.indicators["1"].county_value == 4.5  # a number stored as text
    assert StageView.of(stage).reasons() == ["未达标学校 2 所", "超限差异系数 1 项"]
    assert (outcome.ledger_totals.open, outcome.ledger_totals.closed) == (7, None)
    assert outcome.b_score is None and outcome.ledger[0].need_text is None
    assert outcome.warnings[0].message == "旧版本的提示"  # a code this version does not know
    point = outcome.trend_point(2024, "2025-11-20 22:30:00")
    assert (point.ledger_open, point.ledger_closed, point.stages["primary"].schools_passing) == (7, None, 3)
