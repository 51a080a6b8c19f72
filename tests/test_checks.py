"""A类 checks from school data and county figures (domain.md §4), with hand-computed needs.

Every expected amount is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest

from equity_xlsx.rulebook import Rules
from equity_xlsx.checks import (MET, NO_DATA, TO_SCORE, UNMET, check_county, checks_summary,
                                run_checks)
from equity_xlsx.indicators import evaluate
from equity_xlsx.model import CountyData, Section, Split
from equity_xlsx.needs import Need, round_up
from equity_xlsx.standards import load_aliases, load_standard

DAXIANG = load_standard("hunan-daxiang")
NATIONAL = load_standard("national-2017")


def sec(school: str, stage: str = "primary", school_type: str = "", code: str = "", **values) -> Section:
    return Section(school=school, stage=stage, school_type=school_type, code=code,
                   values={k: float(v) for k, v in values.items()})


def checks(*sections: Section, std=DAXIANG, figures=None, splits=()):
    data = CountyData("县.xlsx", "大祥区", list(sections), splits=list(splits),
                      county_figures=dict(figures or {}))
    return run_checks(data, Rules.of(std), evaluate(data, std))


def one(result, item: str, school: str, part: str = "", stage: str | None = None):
    found = [f for f in result[item].findings
             if f.school == school and f.part == part and (stage is None or f.stage == stage)]
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------ rounding
def test_round_up_ignores_float_noise():
    # 4.2 × 500 / 100 is 21.000000000000004 in binary floating point: still 21, not 22.
    assert round_up(4.2 * 500 / 100) == 21
    assert round_up(2.95) == 3
    assert round_up(0.0) == 0 and round_up(-3) == 0
    assert round_up(1.234, 0.01) == 1.24


# ------------------------------------------------------------------ 资源配置 needs, real units
def test_teachers_short_in_whole_teachers():
    r = checks(sec("甲小学", students=500, qualified_teachers=18))
    f = one(r, "1", "甲小学")
    # 18 / 500 × 100 = 3.6 < 4.2; need = 4.2 × 500 / 100 − 18 = 21 − 18 = 3 人
    assert f.status == UNMET and f.current == pytest.approx(3.6)
    assert f.need == Need(3, "人", "教师")
    assert f.shortfall == pytest.approx(0.6)  # 4.2 − 3.6 人/百生
    assert f.note == "未达标（≥85%）"  # 3.6 / 4.2 = 0.857


def test_area_short_in_whole_square_metres_rounded_up():
    r = checks(sec("甲小学", students=480, teaching_area=2000),
               sec("乙中学", "junior", students=333, teaching_area=1900))
    # 小学: 4.5 × 480 − 2000 = 2160 − 2000 = 160 m²
    assert one(r, "4", "甲小学").need == Need(160, "m²", "教学及辅助用房面积")
    # 初中: 5.8 × 333 − 1900 = 1931.4 − 1900 = 31.4 → rounded up to 32 m²
    assert one(r, "4", "乙中学").need.amount == 32


def test_equipment_short_in_yuan_with_wan_yuan_text():
    r = checks(sec("乙中学", "junior", students=400, equipment_value=900000),
               sec("甲小学", students=301, equipment_value=550000.5))
    junior = one(r, "6", "乙中学")
    # 2500 × 400 − 900000 = 1000000 − 900000 = 100000 元 = 10.00 万元
    assert junior.need == Need(100000, "元", "教学仪器设备值")
    assert junior.need.text == "需补足教学仪器设备值 100,000 元（约 10.00 万元）"
    # 2000 × 301 − 550000.5 = 602000 − 550000.5 = 51999.5 → 52000 元 = 5.20 万元
    primary = one(r, "6", "甲小学")
    assert primary.need.amount == 52000
    assert "约 5.20 万元" in primary.need.text


def test_multimedia_rooms_short_in_whole_rooms():
    r = checks(sec("甲小学", students=650, multimedia_rooms=12))
    # 2.3 × 650 / 100 − 12 = 14.95 − 12 = 2.95 → 3 间
    assert one(r, "7", "甲小学").need == Need(3, "间", "网络多媒体教室")


def test_county_value_under_standard_needs_the_county_total():
    r = checks(sec("甲小学", students=500, qualified_teachers=18),
               sec("乙小学", students=300, qualified_teachers=14))
    county = one(r, "1", "全区", "county")
    # (18 + 14) / 800 × 100 = 4.0 < 4.2; need = 4.2 × 800 / 100 − 32 = 33.6 − 32 = 1.6 → 2 人
    assert county.status == UNMET and county.current == pytest.approx(4.0)
    assert county.need.amount == 2
    # 乙小学 14 / 300 × 100 = 4.667 ≥ 4.2: met, no need
    assert one(r, "1", "乙小学").status == MET and one(r, "1", "乙小学").need is None


# ------------------------------------------------------------------ item 11 专用教室
def test_special_rooms_count_and_area():
    r = checks(sec("甲小学", students=1200, classes=30, music_rooms=1, music_room_min_area=90,
                   art_rooms=3, art_room_area=260))
    music = one(r, "11", "甲小学", "music_rooms")
    # required = ceil(30 / 12) = 3; have 1 → 2 间
    assert (music.status, music.standard, music.need) == (UNMET, 3, Need(2, "间", "音乐专用教室"))
    assert one(r, "11", "甲小学", "art_rooms").status == MET  # 3 ≥ 3
    music_area = one(r, "11", "甲小学", "music_area")
    # smallest music room 90 < 96 → 96 − 90 = 6 m²
    assert music_area.status == UNMET and music_area.need.amount == 6
    art_area = one(r, "11", "甲小学", "art_area")
    # only a total: 3 rooms × 90 = 270 m² needed, 260 present → 10 m², said to be on totals
    assert art_area.standard == 270 and art_area.need.amount == 10
    assert "总面积" in art_area.note
    assert r["11"].status == UNMET and r["11"].schools_unmet == 1


def test_special_rooms_without_area_is_not_met():
    r = checks(sec("甲小学", students=500, classes=12, music_rooms=1, art_rooms=1))
    # counts fine (ceil(12/12) = 1), but no area data: the item cannot be 达标
    assert one(r, "11", "甲小学", "music_rooms").status == MET
    assert one(r, "11", "甲小学", "music_area").status == NO_DATA
    assert r["11"].status == NO_DATA


def test_nine_year_school_rooms_split_are_checked_on_the_whole_school():
    # 2 music rooms given once for the school and split 1:1.1 by weighted students.
    p = sec("丙学校", students=600, classes=13, school_type="九年一贯制", music_rooms=0.95,
            music_room_min_area=100)
    j = sec("丙学校", "junior", students=600, classes=12, school_type="九年一贯制", music_rooms=1.05,
            music_room_min_area=98)
    split = Split("丙学校", "music_rooms", 2.0, (("primary", 600, 0.95), ("junior", 600, 1.05)),
                  (("primary", 1.0), ("junior", 1.1)))
    r = checks(p, j, splits=[split])
    f = one(r, "11", "丙学校", "music_rooms")
    # whole school: ceil((13 + 12) / 12) = ceil(2.08) = 3 rooms; has 2 → 1 间
    assert f.stage == "" and f.standard == 3 and f.need.amount == 1
    assert one(r, "11", "丙学校", "music_area").status == MET  # min(100, 98) ≥ 96


# ------------------------------------------------------------------ item 12 校额
def test_school_size_students_to_move():
    r = checks(sec("大小学", students=2150),
               sec("九年学校", students=1400, school_type="九年一贯制"),
               sec("九年学校", "junior", students=1200, school_type="九年一贯制"),
               sec("一贯学校", students=2100, code="4305000001"),
               sec("一贯学校", "junior", students=300, code="4305000001"))
    # 2150 − 2000 = 150 人 to 分流
    assert one(r, "12", "大小学").need == Need(150, "人", "学生", "需分流")
    through = one(r, "12", "九年学校")
    # 义务教育段 1400 + 1200 = 2600 > 2500 → 100 人, one finding for the whole school
    assert (through.stage, through.current, through.standard) == ("", 2600, 2500)
    assert through.need.amount == 100
    # Both sections under one 标识码: a through school, 2100 + 300 = 2400 ≤ 2500 → met
    # (its 小学部 alone is over 2000, which does not apply to a 一贯制 school).
    assert one(r, "12", "一贯学校").status == MET
    assert r["12"].schools_unmet == 2


# ------------------------------------------------------------------ item 13 班额
def test_class_size_classes_to_add_and_students_to_move():
    r = checks(sec("甲小学", students=900, classes=18, max_class_size=58, classes_56_plus=3,
                   classes_66_plus=0),
               sec("乙中学", "junior", students=600, classes=14, max_class_size=52),
               sec("丙小学", students=400, classes=10, max_class_size=45))
    a = one(r, "13", "甲小学")
    # 18 × 45 = 810 < 900: ceil(900 / 45) − 18 = 20 − 18 = 2 班 (or 900 − 810 = 90 人 out)
    assert a.need == Need(2, "班", "教学班", "需增设")
    assert "分流学生 90 人" in a.detail and "大班额（56人以上）3 个" in a.detail
    assert a.shortfall == 13  # 58 − 45
    b = one(r, "13", "乙中学")
    # 14 × 50 = 700 ≥ 600, so re-grouping is enough: 52 − 50 = 2 人 out of the largest class
    assert b.need == Need(2, "人", "学生（最大班额班）", "需分流")
    assert one(r, "13", "丙小学").status == MET  # 45 ≤ 45


def test_class_size_from_counts_only():
    r = checks(sec("甲小学", students=900, classes_56_plus=2, classes_66_plus=1),
               sec("乙小学", students=300, classes_56_plus=0))
    assert one(r, "13", "甲小学").status == UNMET
    assert "超大班额（66人以上）1 个" in one(r, "13", "甲小学").detail
    # No 56+ class says nothing about 46–55: not 达标
    assert one(r, "13", "乙小学").status == NO_DATA


# ------------------------------------------------------------------ items 10, 17, 20, 28
def test_staff_ratio_needs_staff():
    r = checks(sec("甲小学", students=500, staff=25), sec("乙中学", "junior", students=540, staff=40))
    a = one(r, "10", "甲小学")
    # 500 / 19 = 26.3 → 27 staff needed, 25 present → 2 人; 500 / 25 = 20 students per staff
    assert a.need == Need(2, "人", "教职工", "需增加") and a.current == 20
    # 540 / 13.5 = 40 exactly: met
    assert one(r, "10", "乙中学").status == MET


def test_training_and_certification_rates():
    r = checks(sec("甲小学", students=500, full_time_teachers=22, trained_teachers=20,
                   certified_teachers=22))
    trained = one(r, "17", "甲小学")
    # 20 / 22 = 90.9 % < 100 %: 22 − 20 = 2 teachers still to train
    assert trained.current == pytest.approx(100 * 20 / 22) and trained.need.amount == 2
    assert one(r, "20", "甲小学").status == MET  # 22 / 22


def test_training_funds_share_from_the_standard():
    s = sec("甲小学", students=500, public_funds=300000, training_funds=20000)
    # 大祥区 8 %: 0.08 × 300000 − 20000 = 24000 − 20000 = 4000 元
    f = one(checks(s), "28", "甲小学")
    assert f.standard == 8 and f.need == Need(4000, "元", "教师培训经费", "需增加")
    # national 5 %: 15000 ≤ 20000 → met
    assert one(checks(s, std=NATIONAL), "28", "甲小学").status == MET


# ------------------------------------------------------------------ county figures
def test_county_figures():
    r = checks(sec("甲小学", students=100),
               figures={"rotation_rate": 0.08, "rotation_backbone_share": 0.30,
                        "monitoring_school_gap": 0.15, "social_recognition": 0.90,
                        "quota_allocation_rate": 0.5, "junior_retention_rate": 96})
    rot = one(r, "19", "全区", "rotation_rate")
    # 10 % − 8 % = 2 个百分点
    assert rot.status == UNMET and rot.need == Need(2, "个百分点", "", "差")
    assert one(r, "19", "全区", "rotation_backbone_share").status == MET
    assert r["19"].status == UNMET and r["19"].schools_unmet == 0
    # 差异率 must be below 0.15: exactly 0.15 is not met
    assert r["31"].status == UNMET
    # 社会认可度 0.90 ≥ 0.85 ([b_scoring] social_recognition_min)
    assert r["36"].status == MET
    assert r["22"].status == MET  # 50 % ≥ 50 %
    # 21: no figures at all
    assert r["21"].status == NO_DATA
    # 96 is not a fraction: reported, not used
    assert r["25"].status == NO_DATA and "大于 1" in r["25"].findings[0].note


def test_county_item_without_threshold_is_no_data():
    findings, note = check_county("21", "99", CountyData("x", None), DAXIANG, load_aliases())
    assert findings == [] and "未设定" in note


# ------------------------------------------------------------------ no data is never 达标
def test_no_data_is_never_met():
    r = checks(sec("甲小学", students=500))
    for item in ("1", "4", "10", "11", "12", "13", "17", "20", "28", "19", "36"):
        if item == "12":
            continue  # 校额 needs only students
        assert r[item].status == NO_DATA, item
    assert r["12"].status == MET
    for item in ("14", "15", "16", "18"):
        assert r[item].status == NO_DATA  # 人工核查
    assert r["8"].status == TO_SCORE


def test_partial_data_is_not_met():
    r = checks(sec("甲小学", students=500, staff=30), sec("乙小学", students=300))
    assert one(r, "10", "甲小学").status == MET
    assert r["10"].status == NO_DATA and r["10"].schools_no_data == 1


def test_without_evaluation_resource_items_are_no_data():
    data = CountyData("x", None, [sec("甲小学", students=500, qualified_teachers=30)])
    r = run_checks(data, Rules.of(DAXIANG))
    assert r["1"].status == NO_DATA


def test_checks_summary_has_all_36_items():
    r = checks(sec("甲小学", students=500, qualified_teachers=18))
    summary = checks_summary(r)
    assert list(summary) == [str(n) for n in range(1, 37)]
    assert summary["1"] == {"status": "unmet", "schools_unmet": 1}
    assert summary["32"] == {"status": "to_score", "schools_unmet": 0}
    assert r.counts("A")[TO_SCORE] == 0 and r.counts("B")[TO_SCORE] == 10
    assert sum(r.counts("A").values()) == 26
