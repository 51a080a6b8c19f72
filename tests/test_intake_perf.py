"""Reading must cost little beyond calamine itself: the benchmark reads 100 counties of 300
schools, so a 300-school workbook gets well under 0.1 s of our own work."""

from __future__ import annotations

import time

import python_calamine as pc
import xlsxwriter

from equity_xlsx.intake import read_workbook
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
HEADER = ["序号", "学校名称", "学校标识码", "办学类型", "学段", "在校生数", "班级数", "专任教师数", "高于规定学历教师数",
          "县级及以上骨干教师数", "体育", "音乐", "美术", "教学及辅助用房面积（㎡）", "体育馆面积", "运动场地面积",
          "教学仪器设备值（万元）", "网络多媒体教室（间）", "音乐专用教室", "美术专用教室", "最大班额"]


def test_three_hundred_schools_read_well_under_a_tenth_of_a_second_beyond_calamine(tmp_path):
    path = tmp_path / "大祥区.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("学校")
    ws.write(0, 0, "大祥区2025年义务教育学校办学条件统计表")
    ws.write_row(2, 0, HEADER)
    for i in range(300):
        primary = i % 2 == 0
        ws.write_row(3 + i, 0, [i + 1, f"学校{i}", f"2143{i:06d}", "小学" if primary else "初级中学",
                                "小学" if primary else "初中", 500 + i, 20, 50, 45, 5, 3, 2, 2, 4000 + i, 500, 6000,
                                150, 20, 2, 2, 45])
    ws.write_row(303, 0, ["合计"])
    wb.close()

    def bare():
        book = pc.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()

    def best_of(fn, n=5):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    data = read_workbook(path, STD)
    assert len(data.sections) == 300 and data.errors == []
    assert data.sections[1].values["equipment_value"] == 1_500_000
    extra = best_of(lambda: read_workbook(path, STD)) - best_of(bare)
    assert extra < 0.1, f"{extra * 1000:.0f} ms beyond calamine"
