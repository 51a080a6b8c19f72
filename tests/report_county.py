"""A small hand-made county for the report tests: three 小学 and one 初中, values by hand.

小学 (same schools as test_indicators.py), per-school values worked out by hand:
  甲小学 500 students: 25 6 5 2500 4000 1 200 000 12 -> 5.0 1.2 1.0 5.0 8.0 2400 2.4 (7 met, passes)
  乙小学 300 students: 12 3 3 1500 1800   600 000  6 -> 4.0 1.0 1.0 5.0 6.0 2000 2.0 (4 met, fails)
  丙小学 200 students: 10 2 2  900 1600   300 000  5 -> 5.0 1.0 1.0 4.5 8.0 1500 2.5 (6 met, 75 % -> fails)
初中:
  丁中学 400 students: 20 4 4 2400 4000 1 000 000, no 多媒体 -> 5.0 1.0 1.0 6.0 10.0 2500 (no data -> fails)
"""

from __future__ import annotations

from equity_xlsx.indicators import evaluate
from equity_xlsx.model import Conversion, CountyData, Exclusion, LedgerLine, Section, Source, Split
from equity_xlsx.problems import Code, Problem
from equity_xlsx.standards import load_standard

STD = load_standard("national-2017")
FIELDS = ("qualified_teachers", "backbone_teachers", "pe_art_teachers", "teaching_area",
          "sports_area", "equipment_value", "multimedia_rooms")
FILE = "测试县.xlsx"


def section(name, students, *numerators, stage="primary", school_type="小学", row=5):
    values = {"students": students}
    values.update({f: v for f, v in zip(FIELDS, numerators) if v is not None})
    sheet = "小学" if stage == "primary" else "初中"
    sources = {f: Source(FILE, sheet, row, chr(ord("D") + i)) for i, f in enumerate(("students",) + FIELDS)
               if f in values}
    return Section(school=name, stage=stage, school_type=school_type, values=values, sources=sources,
                   origin=Source(FILE, sheet, row))


def county_data() -> CountyData:
    return CountyData(
        file=FILE,
        county="测试县",
        sections=[
            section("甲小学", 500, 25, 6, 5, 2500, 4000, 1_200_000, 12, row=5),
            section("乙小学", 300, 12, 3, 3, 1500, 1800, 600_000, 6, row=6),
            section("丙小学", 200, 10, 2, 2, 900, 1600, 300_000, 5, row=7),
            section("丁中学", 400, 20, 4, 4, 2400, 4000, 1_000_000, None, stage="junior",
                    school_type="初级中学", row=5),
        ],
        exclusions=[Exclusion("河口教学点", "primary", "教学点", 30, "教学点在校生 30 人，少于 50 人",
                              Source(FILE, "小学", 9))],
        splits=[Split("城南九年一贯制学校", "equipment_value", 23226.0,
                      (("primary", 166.0, 9711.6), ("junior", 210.0, 13514.4)),
                      (("primary", 1.0), ("junior", 1.1)))],
        conversions=[Conversion("小学", "J", "教学仪器设备值（万元）", "equipment_value", "万元", 10000.0)],
        problems=[Problem(Code.STUDENTS_FRACTION, FILE, "小学", 8, "F",
                          {"school": "甲小学", "stage": "小学", "value": 812.5}),
                  Problem(Code.NOT_A_NUMBER, FILE, "初中", 6, "K",
                          {"header": "网络多媒体教室", "reason": "“无”不是数字", "value": "无"})],
    )


def evaluation():
    return evaluate(county_data(), STD)


def ledger_lines() -> list[LedgerLine]:
    return [
        LedgerLine(id="TZ-0001", key="测试县|乙小学|primary|1", school="乙小学", stage="primary", item="1",
                   indicator="每百名学生拥有高于规定学历教师数", current=4.0, standard=4.2, shortfall=0.2,
                   unit="人/百生", need=1, need_unit="人", need_text="教师 1 人", measure="招聘",
                   department="区教育局", office="政工股", first_seen="2024-05-01", owner="张三"),
        LedgerLine(id="TZ-0002", key="测试县|丙小学|primary|6", school="丙小学", stage="primary", item="6",
                   indicator="生均教学仪器设备值", current=1500.0, standard=2000.0, shortfall=500.0, unit="元",
                   need=100000, need_unit="元", need_text="设备 100000 元", first_seen="2024-05-01",
                   status="已销号", closed_on="2024-05-20", last_seen="2024-05-19"),
        LedgerLine(id="TZ-0003", key="测试县|乙小学|primary|5", school="乙小学", stage="primary", item="5",
                   indicator="生均体育运动场馆面积", current=6.0, standard=7.5, shortfall=1.5, unit="m²",
                   need=450, need_unit="m²", need_text="面积 450 m²", first_seen="2024-05-02"),
    ]
