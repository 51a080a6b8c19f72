"""Small 基层表 workbooks written cell by cell in the tests, in the layout counties export
(row 1 column letters, column A row numbers, title, form code, merged header rows, the
甲 乙 1 2 … index row, labelled rows with their 编号). Independent of the reader and of the
sample generator: every figure a test expects is typed here and worked out by hand there.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

TEXT_HEADS = {"项目", "编号", "指标名称", "计量单位", "代码", "内容"}


def merged_header(ws, top: int, left: int, split: list[tuple[str, ...]], depth: int) -> None:
    """Header paths as merged cells from row ``top``, column ``left`` (1-based): a group over
    the run of its leaves, a leaf down to the last header row."""
    width = len(split)
    for level in range(depth):
        c = 0
        while c < width:
            p = split[c]
            if len(p) <= level:
                c += 1
                continue
            end = c
            if len(p) > level + 1:
                while end + 1 < width and split[end + 1][: level + 1] == p[: level + 1] and len(split[end + 1]) > level + 1:
                    end += 1
            bottom = top + depth - 1 if len(p) == level + 1 else top + level
            ws.cell(top + level, left + c, p[level])
            if bottom > top + level or end > c:
                ws.merge_cells(start_row=top + level, start_column=left + c, end_row=bottom, end_column=left + end)
            c = end + 1


def put_form(ws, title: str, code_line: str, paths: list[str], rows: list[tuple[str, dict[str, object]]]) -> None:
    """One form: ``paths`` are "group/leaf" header paths (the first two: label and 编号);
    ``rows`` are (label, {path: value}); a value left out is a blank cell."""
    split = [tuple(p.split("/")) for p in paths]
    depth = max(2, max(len(p) for p in split))
    width = len(split)
    for j in range(width):
        ws.cell(1, 2 + j, get_column_letter(j + 1))
    ws.cell(2, 2, title)
    ws.merge_cells(start_row=2, start_column=2, end_row=2, end_column=1 + width)
    ws.cell(3, 2, code_line)
    top = 4
    merged_header(ws, top, 2, split, depth)
    index = top + depth
    symbols, n = iter("甲乙丙丁"), 0
    for j, p in enumerate(split):
        if p[-1] in TEXT_HEADS and j < 3:
            ws.cell(index, 2 + j, next(symbols))
        else:
            n += 1
            ws.cell(index, 2 + j, str(n))
    for i, (label, values) in enumerate(rows, start=1):
        r = index + i
        ws.cell(r, 2, label)
        ws.cell(r, 3, f"{i:02d}")
        for j, path in enumerate(paths[2:], start=2):
            if path in values and values[path] is not None:
                ws.cell(r, 2 + j, values[path])
    for r in range(2, index + len(rows) + 1):
        ws.cell(r, 1, r - 1)


def school_2023(path: Path, *, name: str, code: str, school_type: str, counted: str = "是",
                region: str = "480999", place: str = "南岭省测试市测试县", stages: dict[str, dict],
                aux: float | None, indoor: float | None, field: float | None, equipment_wan: float | None,
                multimedia: float | None, skip: tuple[str, ...] = (), suffix: str = "") -> Path:
    """A school's 教基 workbook. ``stages[stage]`` = {students, backbone, levels: {研究生毕业: n …},
    total, courses: {体育与健康: n …}}; ``skip`` leaves out forms by code ("5176")."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)

    def sheet(code: str):
        return None if code in skip else wb.create_sheet(f"教基{code}{suffix}")

    if ws := sheet("1001"):
        put_form(ws, "学校（机构）基本情况", "教基1001", ["指标名称", "编号", "代码", "内容"], [
            ("学校标识码", {"内容": code}), ("学校名称", {"内容": name}), ("所在地", {"内容": place}),
            ("所在地行政区划代码", {"内容": region}), ("办学类型", {"内容": school_type}),
            ("是否计校数", {"内容": counted})])
    if ws := sheet("1102续"):
        put_form(ws, "学校（机构）其他情况", "教基1102续", ["指标名称", "编号", "计量单位", "数量"], [
            ("寄宿生数", {"数量": 12}), ("其中：骨干教师", {"数量": 3}),
            ("县级及以上骨干教师（小学）", {"数量": stages.get("primary", {}).get("backbone")}),
            ("县级及以上骨干教师（初中）", {"数量": stages.get("junior", {}).get("backbone")})])
    for stage, form, first in (("primary", "3112", "一年级"), ("junior", "3115", "七年级")):
        if stage in stages and (ws := sheet(form)):
            put_form(ws, "学生数", f"教基{form}", ["项目", "编号", "毕业生数/合计", "在校学生数/合计", "在校学生数/其中：女", "班数"],
                     [("总计", {"在校学生数/合计": stages[stage]["students"], "毕业生数/合计": 99}),
                      (first, {"在校学生数/合计": 7})])
    courses = ["语文", "体育与健康", "音乐", "美术", "艺术"]
    for stage, form in (("primary", "4155"), ("junior", "4156")):
        if stage in stages and (ws := sheet(form)):
            s = stages[stage]
            paths = ["项目", "编号", "专任教师/合计"] + [f"专任教师/按授课课程分/{c}" for c in courses]
            total = {"专任教师/合计": s["total"], **{f"专任教师/按授课课程分/{c}": n for c, n in s["courses"].items()}}
            rows = [("合计", total), ("其中：女", {"专任教师/合计": 1}), ("正高级", {"专任教师/合计": 1})]
            rows += [(lv, {"专任教师/合计": n}) for lv, n in s["levels"].items()]
            put_form(ws, "专任教师学历、课程情况", f"教基{form}", paths, rows)
    if ws := sheet("5170"):
        put_form(ws, "校舍情况", "教基5170", ["项目", "编号", "校舍建筑面积/合计", "校舍建筑面积/其中：学校产权"], [
            ("总计", {"校舍建筑面积/合计": 99999}), ("教学及辅助用房", {"校舍建筑面积/合计": aux}),
            ("其中：普通教室", {"校舍建筑面积/合计": 10}), ("其中：室内体育用房", {"校舍建筑面积/合计": indoor})])
    if ws := sheet("5176"):
        put_form(ws, "学校占地面积、图书及资产情况", "教基5176",
                 ["项目", "编号", "图书（册）/合计", "占地面积/运动场地面积（平方米）", "资产情况/教学、实验仪器设备资产值（万元）"],
                 [("总计", {"占地面积/运动场地面积（平方米）": field, "资产情况/教学、实验仪器设备资产值（万元）": equipment_wan,
                           "图书（册）/合计": 5000}),
                  ("其中：学校产权", {"占地面积/运动场地面积（平方米）": 1})])
    if ws := sheet("5180"):
        put_form(ws, "信息化建设情况", "教基5180", ["项目", "编号", "数字终端数（台）/合计", "网络多媒体教室（间）"],
                 [("总计", {"网络多媒体教室（间）": multimedia, "数字终端数（台）/合计": 40})])
    wb.save(path)
    return path


def school_2018(path: Path, *, name: str, code: str, school_type: str, stages: dict[str, dict], aux: float,
                indoor: float, field: float, equipment_wan: float, multimedia: float, counted: str = "是",
                region: int = 480999) -> Path:
    """The same in the 基础基 forms: other sheet names, rows in another order, the teachers'
    合计 column without a 专任教师 group, 网络多媒体教室 on 531."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    put_form(wb.create_sheet("基础基111"), "学校（机构）基本情况", "表号：基础基111", ["指标名称", "编号", "内容", "代码"], [
        ("学校名称", {"内容": name}), ("学校标识码", {"内容": code}), ("办学类型", {"内容": school_type}),
        ("所在地", {"内容": "南岭省测试市测试县"}), ("所在地行政区划代码", {"内容": region}), ("是否计校数", {"内容": counted})])
    put_form(wb.create_sheet("基础基112"), "学校（机构）基本情况（续）", "表号：基础基112", ["指标名称", "编号", "计量单位", "数量"], [
        ("教职工数", {"数量": 80}), ("县级及以上骨干教师（小学）", {"数量": stages.get("primary", {}).get("backbone")}),
        ("县级及以上骨干教师（初中）", {"数量": stages.get("junior", {}).get("backbone")})])
    for stage, form in (("primary", "312"), ("junior", "313")):
        if stage in stages:
            put_form(wb.create_sheet(f"基础基{form}"), "学生数", f"表号：基础基{form}",
                     ["项目", "编号", "班数", "招生数", "在校学生数/合计", "在校学生数/其中：女"],
                     [("总计", {"在校学生数/合计": stages[stage]["students"], "招生数": 50})])
    for stage, form in (("primary", "423"), ("junior", "424")):
        if stage in stages:
            s = stages[stage]
            courses = {"体育与健康": "体育（与健康）"}
            paths = ["项目", "编号", "合计"] + [f"按授课课程分/{courses.get(c, c)}" for c in ("语文", "体育与健康", "音乐", "美术", "艺术")]
            total = {"合计": s["total"], **{f"按授课课程分/{courses.get(c, c)}": n for c, n in s["courses"].items()}}
            rows = [("合计", total), ("其中：女", {"合计": 2})] + [(lv, {"合计": n}) for lv, n in s["levels"].items()]
            put_form(wb.create_sheet(f"基础基{form}"), "专任教师学历、课程情况", f"表号：基础基{form}", paths, rows)
    put_form(wb.create_sheet("基础基512"), "校舍情况", "表号：基础基512",
             ["项目", "编号", "学校产权校舍建筑面积/合计", "学校产权校舍建筑面积/其中：危房", "非学校产权校舍建筑面积/独立使用"], [
                 ("总计", {"学校产权校舍建筑面积/合计": 99999}), ("教学及辅助用房", {"学校产权校舍建筑面积/合计": aux}),
                 ("其中：教室", {"学校产权校舍建筑面积/合计": 10}), ("室内体育用房", {"学校产权校舍建筑面积/合计": indoor})])
    put_form(wb.create_sheet("基础基522"), "学校占地面积、图书、计算机及资产情况", "表号：基础基522",
             ["项目", "编号", "学校占地面积（平方米）/合计", "运动场地面积（平方米）", "教学、实验仪器设备资产值（万元）"],
             [("总计", {"运动场地面积（平方米）": field, "教学、实验仪器设备资产值（万元）": equipment_wan}),
              ("学校产权", {"运动场地面积（平方米）": 1})])
    put_form(wb.create_sheet("基础基531"), "信息化建设情况", "表号：基础基531", ["项目", "编号", "网络多媒体教室（间）"],
             [("总计", {"网络多媒体教室（间）": multimedia})])
    wb.save(path)
    return path


EXPORT_PATHS = [
    "序号", "学校标识码", "学校名称", "统计二级", "统计三级", "行政区划代码", "办学类型", "是否计校数",
    "在校生数/合计", "专任教师/合计", "专任教师/#按学历分/研究生毕业", "专任教师/#按学历分/本科毕业",
    "专任教师/#按学历分/专科毕业", "专任教师/#按学历分/高中阶段毕业", "专任教师/#按学历分/高中阶段毕业以下",
    "专任教师/#按授课课程分/体育（与健康）", "专任教师/#按授课课程分/音乐", "专任教师/#按授课课程分/美术",
    "专任教师/#按授课课程分/艺术", "县级及以上骨干教师", "校舍建筑面积/教学及辅助用房", "校舍建筑面积/#室内体育用房",
    "运动场地面积", "教学、实验仪器设备资产值（万元）", "网络多媒体教室（间）",
]


def export(path: Path, title: str, rows: list[dict[str, object]], sheet: str = "Sheet1") -> Path:
    """A stage export: title row, unit row, merged header rows (paths above), one school per row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    split = [tuple(p.split("/")) for p in EXPORT_PATHS]
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(split))
    ws.cell(2, 1, "单位：人、平方米、万元、间")
    top, depth = 3, 3
    merged_header(ws, top, 1, split, depth)
    for i, row in enumerate(rows, start=1):
        for j, key in enumerate(EXPORT_PATHS):
            value = {"序号": i, **row}.get(key)
            if value is not None:
                ws.cell(top + depth + i - 1, 1 + j, value)
    wb.save(path)
    return path
