"""Issue 10: the 教育事业统计 基层表 read as counties have them — one workbook per school (both
form generations) and the county-wide stage export — with every expected figure worked out
by hand from the cells typed in ``forms_by_hand``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.batch import run
from equity_xlsx.indicators import evaluate
from equity_xlsx.intake import assemble, read_file, read_workbook
from equity_xlsx.problems import Code
from equity_xlsx.rulebook import default_rules
from forms_by_hand import export, school_2018, school_2023

ROOT = Path(__file__).resolve().parent.parent
RULES = default_rules()
STD = RULES.standard


def values(data, stage):
    """Indicator id -> value of the one section of ``stage``."""
    ev = evaluate(data, STD)
    (result,) = [r for r in ev.stages[stage].sections]
    return result.values


def codes(data):
    return [p.code for p in data.problems]


# A 小学 typed by hand (教基 forms):
#   在校学生数 400; 学历 研究生 1, 本科 15, 专科 10, 高中 4, 高中以下 blank; 专任教师合计 30;
#   courses 语文 10, 体育与健康 2, 音乐 1, 美术 1, 艺术 blank; 骨干（小学）5;
#   教学及辅助用房 2400 of which 室内体育用房 400; 运动场地 3000 m²; 设备 120 万元; 多媒体教室 12 间.
PRIMARY = {"students": 400, "backbone": 5, "total": 30,
           "levels": {"研究生毕业": 1, "本科毕业": 15, "专科毕业": 10, "高中阶段毕业": 4, "高中阶段毕业以下": None},
           "courses": {"语文": 10, "体育与健康": 2, "音乐": 1, "美术": 1}}
# By hand, per the indicator definitions (domain.md §1, §7):
PRIMARY_EXPECTED = {
    1: (1 + 15 + 10) * 100 / 400,  # 6.5   高于规定学历 (小学 专科及以上)
    2: 5 * 100 / 400,  # 1.25  骨干
    3: (2 + 1 + 1 + 0) * 100 / 400,  # 1.0   体育、艺术 (艺术 blank = 0)
    4: (2400 - 400) / 400,  # 5.0   教学及辅助用房 without 室内体育用房
    5: (3000 + 400) / 400,  # 8.5   运动场地 + 室内体育用房
    6: 120 * 10000 / 400,  # 3000  万元 -> 元
    7: 12 * 100 / 400,  # 3.0   多媒体教室 per 100
}


def test_one_school_of_the_2023_forms_each_indicator_by_hand(tmp_path):
    path = school_2023(tmp_path / "甲小学.xlsx", name="测试县甲小学", code="2148099901", school_type="小学",
                       stages={"primary": PRIMARY}, aux=2400, indoor=400, field=3000, equipment_wan=120, multimedia=12)
    data = read_workbook(path, RULES)
    assert data.kind == "school" and data.generation == "jiaoji-2021"
    assert values(data, "primary") == pytest.approx(PRIMARY_EXPECTED)
    assert not [p for p in data.problems if p.level == "error"], data.problems
    (section,) = data.sections
    # provenance: the form, the cell and what the cell is
    assert section.sources["students"].sheet == "教基3112"
    assert section.sources["students"].label.endswith("（总计 × 在校学生数›合计）")
    assert "（研究生毕业）" in section.sources["qualified_teachers"].label
    assert "D" in section.sources["teaching_area"].label and "（室内体育用房）" in section.sources["teaching_area"].label


def test_one_school_of_the_2018_forms_each_indicator_by_hand(tmp_path):
    # 初中, 基础基 forms: students 300; 研究生 2, 本科 20, 专科 3 (not 高于规定学历 for 初中); 合计 25;
    # 体育（与健康）2, 音乐 1, 美术 1, 艺术 1; 骨干（初中）4; 教学及辅助用房 2100 of which 室内体育用房 300;
    # 运动场地 3600; 设备 90 万元; 多媒体 9 (on 531).
    junior = {"students": 300, "backbone": 4, "total": 25,
              "levels": {"研究生毕业": 2, "本科毕业": 20, "专科毕业": 3, "高中阶段毕业": None},
              "courses": {"语文": 6, "体育与健康": 2, "音乐": 1, "美术": 1, "艺术": 1}}
    path = school_2018(tmp_path / "乙中学.xlsx", name="测试县乙中学", code="2148099902", school_type="初级中学",
                       stages={"junior": junior}, aux=2100, indoor=300, field=3600, equipment_wan=90, multimedia=9)
    data = read_workbook(path, RULES)
    assert data.generation == "jichu-2018"
    assert values(data, "junior") == pytest.approx({
        1: (2 + 20) * 100 / 300, 2: 4 * 100 / 300, 3: (2 + 1 + 1 + 1) * 100 / 300,
        4: (2100 - 300) / 300, 5: (3600 + 300) / 300, 6: 90 * 10000 / 300, 7: 9 * 100 / 300})


# A 九年一贯制 school: 小学 300 and 初中 200 students; whole school 教学及辅助用房 6000 (室内体育用房
# 500), 运动场地 8000, 设备 200 万元, 多媒体 20. Weighted students 300×1.0 + 200×1.1 = 520.
NINE = {"primary": {"students": 300, "backbone": 3, "total": 20,
                    "levels": {"研究生毕业": 0, "本科毕业": 10, "专科毕业": 8, "高中阶段毕业": 2},
                    "courses": {"语文": 8, "体育与健康": 2, "音乐": 1, "美术": 1}},
        "junior": {"students": 200, "backbone": 2, "total": 18,
                   "levels": {"研究生毕业": 1, "本科毕业": 14, "专科毕业": 3},
                   "courses": {"语文": 4, "体育与健康": 1, "音乐": 1, "美术": 0, "艺术": 1}}}
NINE_EXPECTED = {
    "primary": {1: 18 * 100 / 300, 2: 1.0, 3: 4 * 100 / 300,
                4: 5500 * 300 / 520 / 300, 5: 8500 * 300 / 520 / 300, 6: 2_000_000 * 300 / 520 / 300,
                7: 20 * 300 / 520 / 300 * 100},
    "junior": {1: 15 * 100 / 200, 2: 1.0, 3: 3 * 100 / 200,
               4: 5500 * 220 / 520 / 200, 5: 8500 * 220 / 520 / 200, 6: 2_000_000 * 220 / 520 / 200,
               7: 20 * 220 / 520 / 200 * 100},
}


def export_row(name, code, stage, county="测试县", region="480999", school_type="九年一贯制学校", counted="是", **kw):
    s = NINE[stage]
    row = {"学校标识码": code, "学校名称": name, "统计二级": "测试市", "统计三级": county, "行政区划代码": region,
           "办学类型": school_type, "是否计校数": counted, "在校生数/合计": s["students"], "专任教师/合计": s["total"],
           "县级及以上骨干教师": s["backbone"], "校舍建筑面积/教学及辅助用房": 6000, "校舍建筑面积/#室内体育用房": 500,
           "运动场地面积": 8000, "教学、实验仪器设备资产值（万元）": 200, "网络多媒体教室（间）": 20}
    row.update({f"专任教师/#按学历分/{k}": v for k, v in s["levels"].items()})
    courses = {"体育与健康": "体育（与健康）"}
    row.update({f"专任教师/#按授课课程分/{courses.get(k, k)}": v for k, v in s["courses"].items() if k != "语文"})
    row.update(kw)
    return row


def test_nine_year_school_split_once_the_same_from_its_forms_and_from_the_stage_export(tmp_path):
    forms = school_2023(tmp_path / "丙学校.xlsx", name="测试县丙学校", code="2148099903", school_type="九年一贯制学校",
                        stages=NINE, aux=6000, indoor=500, field=8000, equipment_wan=200, multimedia=20,
                        suffix="_九年一贯制学校")
    from_forms = read_workbook(forms, RULES)
    primary = export(tmp_path / "2025年小学基层表导出.xlsx", "小学", [export_row("测试县丙学校", "2148099903", "primary")])
    junior = export(tmp_path / "2025年初中基层表导出.xlsx", "初中", [export_row("测试县丙学校", "2148099903", "junior")])
    parts = read_file(primary, RULES) + read_file(junior, RULES)
    assert [p.kind for p in parts] == ["export", "export"]
    from_export = assemble(parts, RULES)
    for stage in ("primary", "junior"):
        assert values(from_forms, stage) == pytest.approx(NINE_EXPECTED[stage])
        assert values(from_export, stage) == pytest.approx(NINE_EXPECTED[stage])
    assert [(s.field, s.total) for s in from_export.splits] == [(s.field, s.total) for s in from_forms.splits]
    assert {s.field: s.total for s in from_export.splits}["teaching_area"] == 5500


def test_the_same_county_as_school_workbooks_and_as_a_stage_export_gives_identical_cvs(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    import jicenggen as j
    import make_jiceng_samples as mjs

    schools = mjs.build()[mjs.QINGSHI_DIR]
    files = []
    for stage in ("primary", "junior"):
        path = tmp_path / f"青石县2025年{'小学' if stage == 'primary' else '初中'}导出.xlsx"
        j.write_stage_export(path, "云州市2025年基层表导出", schools, stage)
        files.append(path)
    by_export = evaluate(assemble([p for f in files for p in read_file(f, RULES)], RULES), STD)
    folder = ROOT / "sample_inputs" / mjs.QINGSHI_DIR
    by_forms = evaluate(assemble([p for f in sorted(folder.glob("*.xlsx")) for p in read_file(f, RULES)], RULES), STD)
    for stage in ("primary", "junior"):
        a, b = by_export.stages[stage], by_forms.stages[stage]
        assert len(a.sections) == len(b.sections) == {"primary": 5, "junior": 3}[stage]
        for x, y in zip(a.indicators, b.indicators):
            assert x.cv.cv == pytest.approx(y.cv.cv, abs=1e-12)
    # the published figure for this county (sample_inputs/README.md): 小学 仪器设备 CV 0.3680
    assert by_forms.stages["primary"].indicators[5].cv.cv == pytest.approx(0.3680, abs=5e-5)


@pytest.mark.parametrize("name, counted, school_type, students, excluded", [
    ("测试县桃坪村小学", "否", "小学", 36, True),  # 是否计校数 = 否: a 教学点 under 50
    ("测试县茶园村教学点", "否", "小学教学点", 62, False),  # 50 or more stays in
    ("测试县竹溪村小学", "是", "小学教学点", 41, True),  # 办学类型 教学点 under 50
    ("测试县石门村小学", "是", "小学", 36, False),  # a small school counted as a school stays in
])
def test_teaching_points_under_the_threshold_are_excluded_by_name(tmp_path, name, counted, school_type, students,
                                                                  excluded):
    small = {**PRIMARY, "students": students}
    path = school_2023(tmp_path / "点.xlsx", name=name, code="2148099905", school_type=school_type,
                       counted=counted, stages={"primary": small}, aux=300, indoor=0, field=600, equipment_wan=5,
                       multimedia=1)
    data = read_workbook(path, RULES)
    assert (len(data.exclusions), len(data.sections)) == ((1, 0) if excluded else (0, 1))
    if excluded:
        assert data.exclusions[0].school == name and "50" in data.exclusions[0].reason


# ------------------------------------------------------------------ consistency checks

def test_levels_adding_up_past_the_total_warn_and_are_still_used(tmp_path):
    over = {**PRIMARY, "total": 25}  # 学历 rows add up to 30
    data = read_workbook(school_2023(tmp_path / "a.xlsx", name="甲", code="1", school_type="小学",
                                     stages={"primary": over}, aux=2400, indoor=400, field=3000,
                                     equipment_wan=120, multimedia=12), RULES)
    p = next(p for p in data.problems if p.code == Code.LEVELS_OVER_TOTAL)
    assert p.level == "warning" and p.params["levels"] == 30 and p.params["total"] == 25
    assert values(data, "primary")[1] == pytest.approx(6.5)


def test_more_backbone_than_teachers_warns(tmp_path):
    many = {**PRIMARY, "backbone": 31}
    data = read_workbook(school_2023(tmp_path / "a.xlsx", name="甲", code="1", school_type="小学",
                                     stages={"primary": many}, aux=2400, indoor=400, field=3000,
                                     equipment_wan=120, multimedia=12), RULES)
    assert Code.BACKBONE_OVER_TEACHERS in codes(data)
    assert values(data, "primary")[2] == pytest.approx(31 * 100 / 400)


def test_equipment_zero_with_rooms_warns_and_counts_as_zero(tmp_path):
    data = read_workbook(school_2023(tmp_path / "a.xlsx", name="甲", code="1", school_type="小学",
                                     stages={"primary": PRIMARY}, aux=2400, indoor=400, field=3000,
                                     equipment_wan=0, multimedia=12), RULES)
    p = next(p for p in data.problems if p.code == Code.EQUIPMENT_ZERO)
    assert "教学及辅助用房 2400" in p.message and "网络多媒体教室 12" in p.message
    assert values(data, "primary")[6] == 0


def test_a_nine_year_school_in_one_stage_export_only_has_its_facilities_left_out(tmp_path):
    primary = export(tmp_path / "小学导出.xlsx", "小学", [export_row("测试县丙学校", "2148099903", "primary")])
    data = assemble(read_file(primary, RULES), RULES)
    p = next(p for p in data.problems if p.code == Code.ONE_STAGE_ONLY)
    assert p.params["missing"] == "初中" and p.level == "warning"
    got = values(data, "primary")
    assert got[1] == pytest.approx(6.0)  # its own teachers still count
    assert got[4] is None and got[6] is None  # never the whole school's rooms for one stage


def test_the_same_code_twice_warns_and_keeps_the_first(tmp_path):
    a = school_2023(tmp_path / "甲.xlsx", name="测试县甲小学", code="2148099901", school_type="小学",
                    stages={"primary": PRIMARY}, aux=2400, indoor=400, field=3000, equipment_wan=120, multimedia=12)
    b = school_2023(tmp_path / "甲（副本）.xlsx", name="测试县甲小学（新）", code="2148099901", school_type="小学",
                    stages={"primary": {**PRIMARY, "students": 800}}, aux=2400, indoor=400, field=3000,
                    equipment_wan=120, multimedia=12)
    data = assemble(read_file(a, RULES) + read_file(b, RULES), RULES)
    p = next(p for p in data.problems if p.code == Code.DUPLICATE_CODE)
    assert p.file == "甲（副本）.xlsx" and p.params["first_school"] == "测试县甲小学"
    assert [s.students for s in data.sections] == [400]


@pytest.mark.whole_run
def test_a_school_of_another_county_in_the_folder_is_filed_by_the_folder_with_a_warning(tmp_path):
    folder = tmp_path / "入" / "测试县2025年基层表"
    folder.mkdir(parents=True)
    school_2023(folder / "甲.xlsx", name="测试县甲小学", code="2148099901", school_type="小学",
                stages={"primary": PRIMARY}, aux=2400, indoor=400, field=3000, equipment_wan=120, multimedia=12)
    school_2023(folder / "乙.xlsx", name="邻县乙小学", code="2148088801", school_type="小学", region="480888",
                place="南岭省测试市邻县", stages={"primary": PRIMARY}, aux=2400, indoor=400, field=3000,
                equipment_wan=120, multimedia=12)
    result = run([tmp_path / "入"], tmp_path / "出", standard="national-2017", jobs=1, today=date(2026, 11, 1))
    (entry,) = result.entries
    assert entry["county"] == "测试县" and entry["county_code"] == "480999"
    warn = next(w for w in entry["warnings"] if w["code"] == "school_county_differs")
    assert warn["file"] == "测试县2025年基层表/乙.xlsx" and "邻县" in warn["message"]
    assert entry["stages"]["primary"]["schools"] == 2


# ------------------------------------------------------------------ bad input

def test_an_unknown_form_generation_is_a_clear_error(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "综基1001"
    wb.create_sheet("综基3112")
    wb.save(tmp_path / "新表式.xlsx")
    (data,) = read_file(tmp_path / "新表式.xlsx", RULES)
    (p,) = data.problems
    assert p.code == Code.FORM_GENERATION_UNKNOWN and p.level == "error"
    assert "综基1001" in p.message and "教基" in p.message and "基础基" in p.message


def test_a_missing_form_leaves_its_indicators_without_data_never_zero(tmp_path):
    path = school_2023(tmp_path / "缺表.xlsx", name="测试县甲小学", code="1", school_type="小学",
                       stages={"primary": PRIMARY}, aux=2400, indoor=400, field=3000, equipment_wan=120,
                       multimedia=12, skip=("5176",))
    data = read_workbook(path, RULES)
    p = next(p for p in data.problems if p.code == Code.FORM_MISSING)
    assert p.params["form"] == "教基5176"
    assert "生均体育运动场馆面积" in p.message and "生均教学仪器设备值" in p.message
    got = values(data, "primary")
    assert got[5] is None and got[6] is None  # not 0
    assert got[4] == pytest.approx(5.0) and got[7] == pytest.approx(3.0)  # the rest still evaluated


def test_a_missing_row_and_a_missing_column_are_named(tmp_path):
    path = school_2023(tmp_path / "a.xlsx", name="甲", code="1", school_type="小学", stages={"primary": PRIMARY},
                       aux=2400, indoor=400, field=3000, equipment_wan=120, multimedia=12)
    wb = openpyxl.load_workbook(path)
    ws = wb["教基5170"]
    for row in ws.iter_rows():
        for c in row:
            if c.value == "其中：室内体育用房":
                c.value = "其中：风雨操场"
    ws = wb["教基5180"]
    for row in ws.iter_rows():
        for c in row:
            if c.value == "网络多媒体教室（间）":
                c.value = "多媒体教室（间）"
    wb.save(path)
    data = read_workbook(path, RULES)
    row = next(p for p in data.problems if p.code == Code.FORM_ROW_MISSING)
    # Both labels jiaoji-2021.toml tries for indoor_sports_area, in order, are named.
    assert row.sheet == "教基5170" and row.params["label"] == "室内体育用房”或“体育馆"
    col = next(p for p in data.problems if p.code == Code.FORM_COLUMN_MISSING)
    assert col.sheet == "教基5180" and "多媒体教室（间）" in col.params["found"]
    got = values(data, "primary")
    assert got[4] is None and got[5] is None and got[7] is None  # both need the missing row; no rooms column


def test_text_in_a_form_cell_is_named_by_cell_and_left_out(tmp_path):
    path = school_2023(tmp_path / "a.xlsx", name="甲", code="1", school_type="小学",
                       stages={"primary": {**PRIMARY, "students": "四百"}}, aux=2400, indoor=400, field=3000,
                       equipment_wan=120, multimedia=12)
    data = read_workbook(path, RULES)
    p = next(p for p in data.problems if p.code == Code.NOT_A_NUMBER)
    # title row 2, form code row 3, header rows 4–5, index row 6: 总计 is row 7; 在校学生数›合计 is column E
    assert (p.sheet, f"{p.column}{p.row}") == ("教基3112", "E7")
    assert not data.sections


@pytest.mark.whole_run
def test_a_corrupt_workbook_in_a_county_folder_fails_alone_and_names_the_school(tmp_path):
    folder = tmp_path / "入" / "测试县2025年基层表"
    folder.mkdir(parents=True)
    for i, name in enumerate(["甲小学", "乙小学"], start=1):
        school_2023(folder / f"测试县{name}.xlsx", name=f"测试县{name}", code=f"21480999{i:02d}", school_type="小学",
                    stages={"primary": PRIMARY}, aux=2400, indoor=400, field=3000, equipment_wan=120, multimedia=12)
    (folder / "测试县丙小学.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = run([tmp_path / "入"], tmp_path / "出", standard="national-2017", jobs=2, today=date(2026, 11, 1))
    (entry,) = result.entries
    assert entry["status"] == "ok" and entry["stages"]["primary"]["schools"] == 2
    assert "测试县2025年基层表/测试县丙小学.xlsx" in entry["inputs"]
    missing = next(e for e in entry["errors"] if e["code"] == "school_file_failed")
    assert "测试县丙小学" in missing["message"] and "未参与本县计算" in missing["message"]
    assert missing["file"] == "测试县2025年基层表/测试县丙小学.xlsx"


def test_a_two_county_export_gives_one_part_per_county(tmp_path):
    rows = [export_row("东县甲学校", "2148011101", "primary", county="东县", region="480111"),
            export_row("西区乙学校", "2148022201", "primary", county="西区", region="480222"),
            export_row("东县丙学校", "2148011102", "primary", county="东县", region="480111")]
    parts = read_file(export(tmp_path / "2025年小学基层表导出.xlsx", "小学", rows), RULES)
    assert {(p.county, p.identity.code, len(p.records)) for p in parts} == {("东县", "480111", 2), ("西区", "480222", 1)}


def test_an_export_that_names_no_stage_is_an_error(tmp_path):
    (data,) = read_file(export(tmp_path / "2025年基层表导出.xlsx", "导出", [export_row("甲", "1", "primary")]), RULES)
    assert Code.EXPORT_NO_STAGE in codes(data)


def test_the_template_says_where_each_field_sits_in_the_forms():
    from equity_xlsx.template import write_template

    path = write_template(Path(__import__("tempfile").mkdtemp()) / "模板.xlsx")
    ws = openpyxl.load_workbook(path)["学校基础数据"]
    comments = {c.value.split("（")[0]: c.comment.text for c in ws[1] if c.comment}
    assert "教基3112（小学）" in comments["在校生数"] and "基础基312（小学）" in comments["在校生数"]
    assert "“在校生数›合计”列" in comments["在校生数"]  # the export column
    assert "教基5170" in comments["教学及辅助用房面积"] and "室内体育用房" in comments["教学及辅助用房面积"]
    assert "×10000" in comments["教学仪器设备值"]


def test_the_sample_generator_and_the_reader_agree_on_the_seeded_samples():
    # every 基层表 county of sample_inputs/ against the generator's own evaluation of its specs
    sys.path.insert(0, str(ROOT / "scripts"))
    import jicenggen as j
    import make_jiceng_samples as mjs

    specs = mjs.build()
    folders = {mjs.QINGSHI_DIR: specs[mjs.QINGSHI_DIR], mjs.LIUXI_DIR: specs[mjs.LIUXI_DIR]}
    for folder, schools in folders.items():
        files = sorted((ROOT / "sample_inputs" / folder).glob("*.xls*"))
        ev = evaluate(assemble([p for f in files for p in read_file(f, RULES)], RULES), STD)
        expected = j.evaluate(schools)
        for stage, res in expected.items():
            got = {r.section.school: r for r in ev.stages[stage].sections}
            assert set(got) == {r.school for r in res.sections}
            for want in res.sections:
                assert [got[want.school].values[i + 1] for i in range(7)] == pytest.approx(
                    [want.values[k] for k in j.sg.INDICATORS], rel=1e-9)
