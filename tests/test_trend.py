"""Issue 11 §3: every run's figures are stored with their data year; 趋势 shows one point per
year (a re-run of a year replaces its point), with a line chart per indicator; the first run
says it is the only point; the brief and summary.json carry the same numbers."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.batch import run
from equity_xlsx.store import LedgerStore
from forms_by_hand import school_2023

pytestmark = pytest.mark.whole_run

PRIMARY = {"backbone": 5, "total": 30, "levels": {"研究生毕业": 1, "本科毕业": 15, "专科毕业": 10},
           "courses": {"语文": 10, "体育与健康": 2, "音乐": 1, "美术": 1}}


def county(folder: Path, rooms_b: float) -> Path:
    """Two 小学: A 400 pupils with 12 多媒体教室 (3.0 per 100), B 200 pupils with ``rooms_b``."""
    folder.mkdir(parents=True, exist_ok=True)
    school_2023(folder / "甲.xlsx", name="测试县甲小学", code="2148099901", school_type="小学",
                stages={"primary": {**PRIMARY, "students": 400}}, aux=2400, indoor=400, field=3000,
                equipment_wan=120, multimedia=12)
    school_2023(folder / "乙.xlsx", name="测试县乙小学", code="2148099902", school_type="小学",
                stages={"primary": {**PRIMARY, "students": 200}}, aux=1200, indoor=200, field=1500,
                equipment_wan=60, multimedia=rooms_b)
    return folder.parent


def weighted_cv(pairs):
    """By hand: S / X̄ with S² = Σ P (X − X̄)² / Σ P (domain.md §2)."""
    n = sum(p for p, _ in pairs)
    mean = sum(p * x for p, x in pairs) / n
    return math.sqrt(sum(p * (x - mean) ** 2 for p, x in pairs) / n) / mean


# 多媒体教室 per 100 pupils: A 3.0; B 5.0 (10 rooms) or 10.0 (20 rooms)
CV_10 = weighted_cv([(400, 3.0), (200, 5.0)])  # 0.257130
CV_20 = weighted_cv([(400, 3.0), (200, 10.0)])  # 0.618718


def trend_rows(path: Path) -> dict[int, tuple]:
    ws = openpyxl.load_workbook(path)["趋势"]
    rows = {}
    for r in ws.iter_rows(min_row=1, values_only=True):
        if isinstance(r[0], int) and isinstance(r[1], str) and r[1][:2] == "20":
            rows.setdefault(r[0], r)  # the 小学 table comes first
    return rows


def test_three_years_and_a_rerun_of_one_give_three_points_with_that_year_replaced(tmp_path):
    src, out = tmp_path / "入", tmp_path / "出"
    assert CV_10 == pytest.approx(0.257130, abs=1e-6) and CV_20 == pytest.approx(0.618718, abs=1e-6)
    county(src / "测试县基层表", rooms_b=10)
    for year, day in ((2024, date(2025, 3, 1)), (2025, date(2025, 11, 1)), (2026, date(2026, 11, 1))):
        assert run([src], out, standard="national-2017", jobs=1, today=day, year=year).exit_code == 0
    county(src / "测试县基层表", rooms_b=20)  # a correction to 2025's data, re-run as 2025
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 20), year=2025)
    (entry,) = result.entries
    assert entry["data_year"] == 2025
    assert entry["stages"]["primary"]["indicators"]["7"]["cv"] == pytest.approx(CV_20, abs=1e-9)

    rows = trend_rows(out / "测试县_评估结果.xlsx")
    assert sorted(rows) == [2024, 2025, 2026]
    cv7 = 5 + 6  # columns: 年度, 日期, 学校数, 达标学校数, 资源配置, then CV 1..7
    assert rows[2024][cv7] == pytest.approx(CV_10, abs=1e-9)
    assert rows[2025][cv7] == pytest.approx(CV_20, abs=1e-9)  # replaced by the re-run
    assert rows[2026][cv7] == pytest.approx(CV_10, abs=1e-9)
    assert rows[2025][1] == "2026-11-20"  # the date of the run that now stands for 2025

    with LedgerStore(out) as store:
        years = store.year_runs()
        assert [(r.county, r.data_year) for r in years] == [("480999", 2024), ("480999", 2025), ("480999", 2026)]
        assert len([r for r in store.last_runs()]) == 1

    ws = openpyxl.load_workbook(out / "测试县_评估结果.xlsx")["趋势"]
    charts = [c for c in ws._charts if c.tagname == "scatterChart"]
    assert len(charts) == 7
    first = charts[0].series[0]
    assert first.yVal.numRef.f.endswith("$F$6:$F$8") and first.xVal.numRef.f.endswith("$A$6:$A$8")


def limit_series(path, name: str) -> tuple[dict, dict]:
    """The 趋势 chart series called ``name`` as written (chart XML): marker, dash, the cells of
    its x and y values; and the chart's x axis bounds."""
    import xml.etree.ElementTree as ET
    import zipfile

    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    with zipfile.ZipFile(path) as z:
        for part in (n for n in z.namelist() if n.startswith("xl/charts/chart")):
            root = ET.fromstring(z.read(part))
            for ser in root.iter(f"{{{ns['c']}}}ser"):
                if ser.findtext("c:tx/c:v", namespaces=ns) != name:
                    continue

                def cells(tag: str) -> list[str]:
                    ref = ser.findtext(f"c:{tag}/c:numRef/c:f", namespaces=ns).split("!")[1].replace("$", "")
                    return ref.split(":")

                dash = ser.find("c:spPr/a:ln/a:prstDash", ns)
                scaling = root.find(".//c:valAx/c:scaling", ns)
                return ({"symbol": ser.find("c:marker/c:symbol", ns).get("val"),
                         "dash": dash.get("val") if dash is not None else None, "x": cells("xVal"), "y": cells("yVal")},
                        {"min": scaling.find("c:min", ns).get("val"), "max": scaling.find("c:max", ns).get("val")})
    raise KeyError(name)


def test_the_first_run_shows_one_point_and_says_so_and_the_year_comes_from_the_folder(tmp_path):
    src = county(tmp_path / "入" / "测试县2025年基层表", rooms_b=10)
    result = run([src], tmp_path / "出", standard="national-2017", jobs=1, today=date(2026, 11, 1))
    (entry,) = result.entries
    assert entry["data_year"] == 2025
    ws = openpyxl.load_workbook(tmp_path / "出" / "测试县_评估结果.xlsx")["趋势"]
    assert "只有 2025 年度一次运行的结果" in ws["A2"].value
    assert list(trend_rows(tmp_path / "出" / "测试县_评估结果.xlsx")) == [2025]
    # One data year: the limit is still a line across the chart, from 2024 to 2026 at 0.5,
    # not a dash marker on a single category.
    limit, axis = limit_series(tmp_path / "出" / "测试县_评估结果.xlsx", "小学限值")
    assert limit["symbol"] == "none" and limit["dash"] == "dash"
    assert [ws[c].value for c in limit["x"]] == [2024, 2026]
    assert [ws[c].value for c in limit["y"]] == ["=限值_小学", "=限值_小学"]
    assert (axis["min"], axis["max"]) == ("2024", "2026")


def test_the_brief_beside_the_workbook_carries_the_runs_numbers(tmp_path):
    src = county(tmp_path / "入" / "测试县2025年基层表", rooms_b=10)
    out = tmp_path / "出"
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    (entry,) = result.entries
    assert entry["brief"] == "测试县_简报.html"
    html = (out / "测试县_简报.html").read_text(encoding="utf-8")
    assert "测试县" in html and f"{CV_10:.3f}" in html  # 0.257, the 多媒体教室 CV
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["workbooks"][0]["brief"] == "测试县_简报.html"
