"""Issue 11 §2 and §4 wired into the run: 市级汇总.xlsx and 市级简报.html when a run covers two or
more counties, the same roll-up from the ledger store alone (`equity-xlsx rollup`), and each
county's brief printed by a real browser with the numbers of summary.json."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from equity_xlsx.batch import run
from equity_xlsx.cli import app
from browser import assert_one_a4_page, browser, chromium, page_problems, print_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_inputs"


def table(path: Path, sheet: str) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [r for r in ws.iter_rows(min_row=6, values_only=True) if any(v is not None for v in r)]


def test_a_run_of_several_counties_writes_the_rollup_and_the_city_brief(sample_run):
    summary = json.loads((sample_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["city"] == {"rollup": "市级汇总.xlsx", "brief": "市级简报.html"}
    rows = table(sample_run / "市级汇总.xlsx", "汇总")
    by_key = {(r[0], r[2]): r for r in rows if r[2] in ("小学", "初中")}
    for entry in summary["workbooks"]:
        for stage, label in (("primary", "小学"), ("junior", "初中")):
            row = by_key[(entry["county"], label)]
            st = entry["stages"][stage]
            assert row[1] == entry["county_code"]
            # columns: 县, 代码, 学段, 结论, 原因, 达标, 全部, 限值, the seven CVs (header rows 4–5)
            assert (row[5], row[6]) == (st["schools_passing"], st["schools"])
            assert row[3] == ("达标" if st["resource_pass"] else "未达标")
            assert list(row[8:15]) == pytest.approx([st["indicators"][str(i)]["cv"] for i in range(1, 8)], abs=1e-12)
    html = (sample_run / "市级简报.html").read_text(encoding="utf-8")
    assert all(e["county"] in html for e in summary["workbooks"])


def test_rollup_from_the_store_alone_equals_the_runs_rollup(sample_run, tmp_path):
    target = tmp_path / "市" / "市级汇总.xlsx"
    result = CliRunner().invoke(app, ["rollup", "--state", str(sample_run / "equity-ledger.sqlite"),
                                      "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "6 个县" in result.output and (target.parent / "市级简报.html").exists()
    for sheet in ("汇总", "未达标学校"):
        assert table(target, sheet) == table(sample_run / "市级汇总.xlsx", sheet)


def test_rollup_of_an_empty_store_is_a_usage_error(tmp_path):
    (tmp_path / "空").mkdir()
    from equity_xlsx.store import LedgerStore

    LedgerStore(tmp_path / "空" / "equity-ledger.sqlite").close()
    result = CliRunner().invoke(app, ["rollup", "--state", str(tmp_path / "空" / "equity-ledger.sqlite"),
                                      "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "没有任何县的运行结果" in result.output


@pytest.mark.whole_run
def test_one_county_writes_no_rollup(tmp_path):
    src = tmp_path / "入"
    src.mkdir()
    shutil.copy(SAMPLES / "示范县2025年学校基础数据.xls", src)
    run([src], tmp_path / "出", standard="national-2017", jobs=1, today=date(2026, 11, 1))
    assert not (tmp_path / "出" / "市级汇总.xlsx").exists()
    assert json.loads((tmp_path / "出" / "summary.json").read_text(encoding="utf-8"))["city"] is None


@browser
def test_a_county_brief_from_the_run_prints_on_one_a4_page_with_the_summary_numbers(sample_run, tmp_path):
    summary = json.loads((sample_run / "summary.json").read_text(encoding="utf-8"))
    entry = next(e for e in summary["workbooks"] if e["county"] == "青石县")
    html = (sample_run / entry["brief"]).read_text(encoding="utf-8")
    info, text = print_pdf(html, tmp_path, "qingshi")
    assert_one_a4_page(info)
    for stage in ("primary", "junior"):
        for ind in entry["stages"][stage]["indicators"].values():
            assert f"{ind['cv']:.3f}" in text
    assert f"达标学校 {entry['stages']['primary']['schools_passing']} 所" in text
    png = tmp_path / "qingshi.png"
    log = chromium(sample_run / entry["brief"], f"--screenshot={png}", "--window-size=794,1123", "--hide-scrollbars")
    assert page_problems(log) == [] and png.stat().st_size > 20_000


@browser
def test_the_city_brief_from_the_run_prints_on_one_a4_page(sample_run, tmp_path):
    summary = json.loads((sample_run / "summary.json").read_text(encoding="utf-8"))
    info, text = print_pdf((sample_run / "市级简报.html").read_text(encoding="utf-8"), tmp_path, "city")
    assert_one_a4_page(info)
    xl = next(e for e in summary["workbooks"] if e["county"] == "西林区")
    assert f"{xl['stages']['primary']['indicators']['6']['cv']:.3f}" in text  # 0.540, over the limit
