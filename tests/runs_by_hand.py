"""Small inputs for whole runs, written inside the test: a stage export whose every row is a
school of its own county, and the 大祥区 sample copied under another county's title."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import openpyxl

from forms_by_hand import export

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_inputs" / "大祥区义务教育学校办学条件统计表.xlsx"


def school_row(name: str, code: str, county: str, region: str = "") -> dict:
    """One 小学 of ``county`` in a stage export, with every figure the seven indicators need."""
    return {"学校标识码": code, "学校名称": name, "统计二级": "测试市", "统计三级": county, "行政区划代码": region,
            "办学类型": "小学", "是否计校数": "是", "在校生数/合计": 300, "专任教师/合计": 20,
            "专任教师/#按学历分/本科毕业": 10, "县级及以上骨干教师": 2, "校舍建筑面积/教学及辅助用房": 2000,
            "运动场地面积": 3000, "教学、实验仪器设备资产值（万元）": 100, "网络多媒体教室（间）": 8}


def county_export(folder: Path, counties: list[str], name: str = "2025年小学基层表导出.xlsx") -> Path:
    """A stage export in ``folder`` with one school for each county name (as 统计三级)."""
    folder.mkdir(parents=True, exist_ok=True)
    return export(folder / name, "小学", [school_row(f"学校{i}", str(1000 + i), county)
                                         for i, county in enumerate(counties)])


def sample_counties(folder: Path, names: list[str]) -> Path:
    """One copy of the 大祥区 sample per name, retitled so each is its own county (each file is
    one county: a run evaluates them one by one)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name == "大祥区":
            shutil.copy(SAMPLE, folder / f"{name}.xlsx")
            continue
        wb = openpyxl.load_workbook(SAMPLE)
        for ws in wb.worksheets:
            if isinstance(ws["A1"].value, str) and "大祥区" in ws["A1"].value:
                ws["A1"].value = ws["A1"].value.replace("大祥区", name)
        wb.save(folder / f"{name}.xlsx")
    return folder


def summary(out: Path) -> dict:
    """The summary.json a run wrote into output folder ``out``."""
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def whole(path: Path, sheet: str | None = None) -> bool:
    """A complete workbook: a valid zip that openpyxl opens (holding ``sheet``, when given)."""
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                return False
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return sheet is None or sheet in wb.sheetnames
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - anything unreadable is a broken workbook
        return False
