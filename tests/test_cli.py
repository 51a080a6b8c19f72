"""The command line end to end on sample_inputs/, read back with openpyxl.

Expected county figures come from sample_inputs/README.md, computed by the sample generator
(scripts/samplegen.py) with its own arithmetic, independent of equity_xlsx.
"""

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from equity_xlsx.batch import report_order
from equity_xlsx.cli import app
from equity_xlsx.outcome import CountyOutcome

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_inputs"
DAXIANG = "大祥区义务教育学校办学条件统计表"
SHEETS = ["概览", "学校指标", "差异系数", "图表", "趋势", "整改台账", "任务清单", "口径说明", "数据问题"]

runner = CliRunner()


def test_outputs_and_summary_contract(sample_run):
    summary = json.loads((sample_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["schema"] == "equity-xlsx/summary/1"
    assert summary["standard"] == "national-2017"
    names = {w["input"]: w for w in summary["workbooks"]}
    counties = {w["county"]: w for w in summary["workbooks"]}
    # two collection tables, two folders of school 基层表 workbooks, a two-county stage export
    assert set(counties) == {"大祥区", "示范县", "青石县", "柳溪县", "东山县", "西林区"}
    assert all(w["status"] == "ok" for w in summary["workbooks"])
    qs = counties["青石县"]
    assert qs["county_code"] == "480521"  # the schools' 所在地行政区划代码
    assert len(qs["inputs"]) == 8 and all(i.startswith("青石县2025年基层表/") for i in qs["inputs"])
    assert counties["东山县"]["inputs"] == counties["西林区"]["inputs"] == [
        "市级导出2025/2025年初中基层表导出.xlsx", "市级导出2025/2025年小学基层表导出.xlsx"]
    # expected results computed by the sample generator from its own school data (sample_inputs/README.md)
    assert (qs["stages"]["primary"]["schools"], qs["stages"]["primary"]["schools_passing"]) == (5, 3)
    assert qs["stages"]["primary"]["indicators"]["6"]["cv"] == pytest.approx(0.3680, abs=5e-5)
    assert counties["西林区"]["stages"]["primary"]["indicators"]["6"]["cv"] == pytest.approx(0.5401, abs=5e-5)
    dx = names[f"{DAXIANG}.xlsx"]
    assert dx["status"] == "ok" and dx["county"] == "大祥区" and dx["errors"] == []
    assert dx["output"] == "大祥区_评估结果.xlsx"  # named by the county, not by the input file
    assert dx["county_code"] == "430503"  # from rules/counties.toml
    assert (sample_run / dx["output"]).exists() and (sample_run / "运行报告.xlsx").exists()
    primary, junior = dx["stages"]["primary"], dx["stages"]["junior"]
    assert (primary["schools"], primary["schools_passing"]) == (16, 4)
    assert (junior["schools"], junior["schools_passing"]) == (10, 6)
    eq = primary["indicators"]["6"]
    assert eq["county_value"] == pytest.approx(4109.099, abs=1e-3)
    assert eq["cv"] == pytest.approx(0.551, abs=1e-3) and eq["cv_ok"] is False
    assert eq["standard"] == 2000 and eq["cv_limit"] == 0.5
    assert junior["indicators"]["2"]["cv"] == pytest.approx(0.459, abs=1e-3)
    assert junior["indicators"]["2"]["cv_ok"] is False
    school = next(s for s in dx["schools"] if s["name"] == "大祥区敏州小学")
    assert school["passes"] is True and school["met"] == 6
    assert school["values"]["4"] == pytest.approx(3.96, abs=5e-3)
    assert set(dx["checks"]) == {str(i) for i in range(1, 37)}
    assert dx["checks"]["26"]["status"] == "unmet"  # 残疾儿童少年入学率 93.5 % < 95 %
    assert {"id", "school", "stage", "indicator", "current", "standard", "shortfall", "unit"} <= set(dx["ledger"][0])


def test_output_workbook_sheets_and_live_formulas(sample_run):
    wb = openpyxl.load_workbook(sample_run / "大祥区_评估结果.xlsx")
    assert wb.sheetnames[: len(SHEETS)] == SHEETS
    ws = wb["学校指标"]
    formulas = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(formulas) > 16 * 7
    assert ws.freeze_panes is not None and ws.auto_filter.ref


def test_rerun_on_unchanged_inputs_skips_and_keeps_results(sample_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(sample_run, out)  # the shared sample run stays as it was
    before = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    after = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert all(w.get("skipped") for w in after["workbooks"])
    for a, b in zip(before["workbooks"], after["workbooks"]):
        assert a["stages"] == b["stages"] and a["ledger"] == b["ledger"]


def test_the_progress_counter_counts_what_the_closing_line_counts(sample_run, tmp_path):
    # 17 input files make 6 counties: the counter runs [1/6] … [6/6] and the run says 完成：6 项.
    out = tmp_path / "out"
    shutil.copytree(sample_run, out)
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(out), "--jobs", "1"])
    counters = re.findall(r"\[(\d+)/(\d+)\]", result.output)
    assert [(int(a), int(b)) for a, b in counters] == [(i, 6) for i in range(1, 7)], result.output
    assert "完成：6 项，成功 6 项" in result.output


@pytest.mark.whole_run
def test_one_broken_workbook_does_not_stop_the_others(tmp_path):
    src = tmp_path / "输入 文件夹"
    src.mkdir()
    shutil.copy(SAMPLES / f"{DAXIANG}.xlsx", src / "甲县.xlsx")
    (src / "坏文件.xlsx").write_bytes(b"this is not a workbook")
    out = tmp_path / "结果"
    result = runner.invoke(app, ["run", str(src), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    status = {w["input"]: w["status"] for w in summary["workbooks"]}
    assert status == {"坏文件.xlsx": "error", "甲县.xlsx": "ok"}
    bad = next(w for w in summary["workbooks"] if w["input"] == "坏文件.xlsx")
    assert bad["output"] is None and bad["errors"][0]["file"] == "坏文件.xlsx"
    assert (out / "大祥区_评估结果.xlsx").exists()  # the copy's title names 大祥区
    report = openpyxl.load_workbook(out / "运行报告.xlsx")
    assert "坏文件.xlsx" in [c.value for c in report["运行概况"]["A"]]


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["run", str(tmp_path / "没有"), "--out", str(tmp_path / "o")]).exit_code == 2
    res = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path / "o"), "--standard", "不存在的标准"])
    assert res.exit_code == 2 and "找不到标准" in res.output


def test_standards_lists_both_profiles():
    res = runner.invoke(app, ["standards"])
    assert res.exit_code == 0
    assert "national-2017" in res.output and "hunan-daxiang" in res.output
    assert "教师培训经费占公用经费比例下限：8%" in res.output and "教师培训经费占公用经费比例下限：5%" in res.output


def test_standards_speaks_chinese_not_internal_keys():
    res = runner.invoke(app, ["standards"])
    shown = [line for line in res.output.splitlines() if line.strip() and not line.strip().startswith(("文件：", "■"))]
    # Internal names (teaching_area, postgraduate, rotation_rate, min_met = 6) never reach the page;
    # a section is named once, as where to change it: （标准文件 [cv]）.
    words = {w for line in shown for w in re.findall(r"(?<![.\w])[A-Za-z_]{3,}", re.sub(r"\[\[?[a-z_]+\]\]?", "", line))}
    assert words == set(), words
    assert "按全校填报时按加权学生数拆分的字段：教学及辅助用房面积、体育运动场馆面积" in res.output
    assert "高于规定学历所含的学历行（专任教师按学历分）：小学 研究生毕业、本科毕业、专科毕业" in res.output
    assert "第26项 残疾儿童少年入学率：≥ 95%" in res.output


def test_template_command_writes_a_workbook(tmp_path):
    target = tmp_path / "模板 文件.xlsx"
    res = runner.invoke(app, ["template", "--out", str(target)])
    assert res.exit_code == 0 and target.exists()
    assert "填表说明" in openpyxl.load_workbook(target).sheetnames


@pytest.mark.whole_run
def test_files_not_read_are_listed_with_the_reason(tmp_path):
    src = tmp_path / "县表"
    src.mkdir()
    shutil.copy(SAMPLES / f"{DAXIANG}.xlsx", src / "大祥区.xlsx")
    (src / "名单.csv").write_text("学校名称,在校生数\n", encoding="utf-8")
    (src / "县表.et").write_bytes(b"x")
    (src / "~$大祥区.xlsx").write_bytes(b"x")
    out = tmp_path / "结果"
    result = runner.invoke(app, ["run", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    reasons = {n["file"]: n["reason"] for n in summary["not_read"]}
    assert set(reasons) == {"名单.csv", "县表.et", "~$大祥区.xlsx"}
    assert "CSV" in reasons["名单.csv"] and ".et" in reasons["县表.et"] and "锁文件" in reasons["~$大祥区.xlsx"]
    rows = list(openpyxl.load_workbook(out / "运行报告.xlsx")["未读取的文件"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == set(reasons)
    assert "未读取的文件 3 个" in result.output


@pytest.mark.whole_run
def test_data_problems_are_said_on_the_console_even_when_quiet(tmp_path):
    out = tmp_path / "结果"
    result = runner.invoke(app, ["run", str(SAMPLES / f"{DAXIANG}.xlsx"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    # The sample has an empty and a hidden sheet: two warnings, said by name even with --quiet.
    assert "完成（2 个数据问题：空工作表 ×1、隐藏工作表 ×1）" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["workbooks"][0]["problems"] == {"empty_sheet": 1, "hidden_sheet": 1}
    report = openpyxl.load_workbook(out / "运行报告.xlsx")["运行概况"]
    assert "空工作表 ×1、隐藏工作表 ×1" in [c.value for c in report[5]]


def test_counties_sharing_one_input_stand_in_the_same_order_whoever_finished_first():
    """Two counties read from one city export (西林区 first in it, then 东山县) tie on their
    input's place; the order they were planned in (the export's) breaks the tie, so
    summary.json's order does not follow the workers."""
    order = {"甲县.xlsx": 0, "市级导出/小学.xlsx": 1, "乙县.xlsx": 2}
    planned = {("甲县", None): 0, ("西林区", "480702"): 1, ("东山县", "480721"): 2, ("乙县", None): 3}
    done = [CountyOutcome(input="乙县.xlsx", county="乙县"),
            CountyOutcome(input="市级导出/小学.xlsx", county="东山县", county_code="480721"),
            CountyOutcome(input="市级导出/小学.xlsx", county="西林区", county_code="480702"),
            CountyOutcome(input="甲县.xlsx", county="甲县")]
    for finished in (done, done[::-1]):
        assert [o.county for o in sorted(finished, key=lambda o: report_order(o, order, planned))] == \
            ["甲县", "西林区", "东山县", "乙县"]
