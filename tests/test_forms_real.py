"""Issue 14: the 基层表 read as the real forms are laid out — one invented county (云溪县, 480777)
written in the 2020/21 基础基 forms, in the 2021/22 教基 forms and as a stage export, every
convention of the real workbook in each (``realforms``), every figure worked by hand below.

云溪县 (numbers typed here, the forms written from them):

- 城关小学 (小学, 600 pupils); 河口镇中心小学 (小学, 300); 第一中学 (完全中学: 初中 500, 高中
  250); 石桥学校 (九年一贯制: 小学 200, 初中 150); 岭下村教学点 (小学教学点, not counted, 30).
- Facilities are the whole school's: a 九年一贯制 school's split 小学:初中 = 1:1.1 by weighted
  students (200 + 1.1·150 = 365), a 完全中学's 初中:高中 = 1:1.2 (500 + 1.2·250 = 800).
- 424 / 4156 hold an 初中 and a 高中 part, 4155 a 小学 and an 初中 part; 教基 degree rows are
  博士研究生 / 硕士研究生 / 本科 / 专科; 艺术 is a group (计 | 音乐 | 美术) in the 教基 teacher
  forms and absent (音乐, 美术 as leaves) in the 基础基 forms and the export.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from equity_xlsx.cli import app
from equity_xlsx.form_layouts import parse_form_rules
from equity_xlsx.indicators import evaluate
from equity_xlsx.intake import assemble, read_file
from equity_xlsx.intake.local import local_forms_digest
from equity_xlsx.problems import Code
from equity_xlsx.rulebook import default_rules
from equity_xlsx.standards import RuleError, read_rules_file
from realforms import export, jiaoji_school, jichu_school, lv

RULES = default_rules()
STD = RULES.standard


CHENGGUAN = {"name": "云溪县城关小学", "code": "2148077701", "type": "小学", "type_code": "211",
             "address": "南岭省云州市云溪县城关镇解放路8号", "address_code": "480777100001",
             "stages": {"primary": {"students": 600, "girls": 290, "backbone": 9, "girls_teachers": 25,
                                    "levels": lv(0, 2, 24, 8, 2, 0),
                                    "courses": {"道德与法治": 2, "语文": 12, "数学": 9, "外语": 3, "科学": 3, "体育": 3,
                                                "音乐": 2, "美术": 2}}},
             "aux": 3300, "indoor": 300, "field": 4200, "equipment_wan": 150, "multimedia": 18}
HEKOU = {"name": "云溪县河口镇中心小学", "code": "2148077702", "type": "小学", "type_code": "211",
         "address": "南岭省云州市云溪县河口镇河街1号", "address_code": "480777101002",
         "stages": {"primary": {"students": 300, "girls": 140, "backbone": 3, "girls_teachers": 12,
                                "levels": lv(0, 0, 10, 6, 2, 0),
                                "courses": {"道德与法治": 1, "语文": 6, "数学": 5, "外语": 1, "科学": 1, "体育": 2, "音乐": 1,
                                            "美术": 1}}},
         "aux": 1650, "indoor": 0, "field": 2700, "equipment_wan": 54, "multimedia": 7}
YIZHONG = {"name": "云溪县第一中学", "code": "2148077703", "type": "完全中学", "type_code": "341",
           "address": "南岭省云州市云溪县城关镇学府路2号", "address_code": "480777100002",
           "stages": {"junior": {"students": 500, "girls": 240, "backbone": 10, "girls_teachers": 28,
                                 "levels": lv(1, 4, 33, 6, 1, 0),
                                 "courses": {"道德与法治": 3, "语文": 7, "数学": 7, "外语": 7, "物理": 13, "体育": 4, "音乐": 2,
                                             "美术": 2}},
                      "senior": {"students": 250, "girls": 130, "backbone": 0, "girls_teachers": 18,
                                 "levels": lv(0, 5, 25, 0, 0, 0),
                                 "courses": {"思想政治": 2, "语文": 5, "数学": 5, "外语": 5, "物理": 9, "体育": 2, "音乐": 1,
                                             "美术": 1}}},
           "aux": 5760, "indoor": 960, "field": 8000, "equipment_wan": 280, "multimedia": 24}
SHIQIAO = {"name": "云溪县石桥学校", "code": "2148077704", "type": "九年一贯制学校", "type_code": "312",
           "address": "南岭省云州市云溪县石桥乡石桥村", "address_code": "480777203001",
           "stages": {"primary": {"students": 200, "girls": 95, "backbone": 2, "girls_teachers": 9,
                                  "levels": lv(0, 0, 8, 5, 1, 0),
                                  "courses": {"道德与法治": 1, "语文": 4, "数学": 3, "外语": 1, "科学": 2, "体育": 1, "音乐": 1,
                                              "美术": 1}},
                      "junior": {"students": 150, "girls": 70, "backbone": 2, "girls_teachers": 8,
                                 "levels": lv(0, 1, 10, 2, 0, 0),
                                 "courses": {"道德与法治": 1, "语文": 3, "数学": 3, "外语": 2, "物理": 2, "体育": 1, "音乐": 1,
                                             "美术": 0}}},
           "aux": 2555, "indoor": 365, "field": 3650, "equipment_wan": 109.5, "multimedia": 8}
LINGXIA = {"name": "云溪县岭下村教学点", "code": "2148077705", "type": "小学教学点", "type_code": "218", "counted": "否",
           "address": "南岭省云州市云溪县石桥乡岭下村", "address_code": "480777203101",
           "stages": {"primary": {"students": 30, "girls": 14, "backbone": 0, "girls_teachers": 1,
                                  "levels": lv(0, 0, 1, 1, 0, 0), "courses": {"语文": 1, "数学": 1}}},
           "aux": 120, "indoor": 0, "field": 400, "equipment_wan": 3, "multimedia": 1}
SCHOOLS = [CHENGGUAN, HEKOU, YIZHONG, SHIQIAO, LINGXIA]

# By hand (domain.md §1, §3, §7). Indicators: 1 高于规定学历 (小学 研究生+本科+专科, 初中 研究生+本科)
# per 100 pupils; 2 骨干 per 100; 3 体育+音乐+美术(+艺术) per 100; 4 (教学及辅助用房 − 室内体育用房)
# m²/pupil; 5 (运动场地 + 室内体育用房) m²/pupil; 6 equipment 万元×10000 元/pupil; 7 多媒体教室 per 100.
# 石桥学校 whole-school amounts × 200/365 (小学) or × 165/365 (初中); 第一中学's × 500/800 (初中).
EXPECTED = {
    ("云溪县城关小学", "primary"): {
        1: (0 + 2 + 24 + 8) * 100 / 600, 2: 9 * 100 / 600, 3: (3 + 2 + 2) * 100 / 600, 4: (3300 - 300) / 600,
        5: (4200 + 300) / 600, 6: 150 * 10000 / 600, 7: 18 * 100 / 600},
    ("云溪县河口镇中心小学", "primary"): {
        1: (0 + 0 + 10 + 6) * 100 / 300, 2: 3 * 100 / 300, 3: (2 + 1 + 1) * 100 / 300, 4: (1650 - 0) / 300,
        5: (2700 + 0) / 300, 6: 54 * 10000 / 300, 7: 7 * 100 / 300},
    ("云溪县石桥学校", "primary"): {
        1: (0 + 0 + 8 + 5) * 100 / 200, 2: 2 * 100 / 200, 3: (1 + 1 + 1) * 100 / 200,
        4: (2555 - 365) * 200 / 365 / 200, 5: (3650 + 365) * 200 / 365 / 200, 6: 109.5 * 10000 * 200 / 365 / 200,
        7: 8 * 200 / 365 / 200 * 100},
    ("云溪县第一中学", "junior"): {
        1: (1 + 4 + 33) * 100 / 500, 2: 10 * 100 / 500, 3: (4 + 2 + 2) * 100 / 500,
        4: (5760 - 960) * 500 / 800 / 500, 5: (8000 + 960) * 500 / 800 / 500, 6: 280 * 10000 * 500 / 800 / 500,
        7: 24 * 500 / 800 / 500 * 100},
    ("云溪县石桥学校", "junior"): {
        1: (0 + 1 + 10) * 100 / 150, 2: 2 * 100 / 150, 3: (1 + 1 + 0) * 100 / 150,
        4: (2555 - 365) * 165 / 365 / 150, 5: (3650 + 365) * 165 / 365 / 150, 6: 109.5 * 10000 * 165 / 365 / 150,
        7: 8 * 165 / 365 / 150 * 100},
}
PUPILS = {("云溪县城关小学", "primary"): 600, ("云溪县河口镇中心小学", "primary"): 300, ("云溪县石桥学校", "primary"): 200,
          ("云溪县第一中学", "junior"): 500, ("云溪县石桥学校", "junior"): 150}


def weighted_cv(pairs: list[tuple[float, float]]) -> float:
    """The published method (domain.md §2): S / X̄ with P_i-weighted mean and variance."""
    total = sum(p for p, _ in pairs)
    mean = sum(p * x for p, x in pairs) / total
    return math.sqrt(sum(p * (x - mean) ** 2 for p, x in pairs) / total) / mean


CVS = {stage: {ind: weighted_cv([(PUPILS[k], v[ind]) for k, v in EXPECTED.items() if k[1] == stage])
               for ind in range(1, 8)} for stage in ("primary", "junior")}


def by_section(data) -> dict:  # noqa: ANN001
    ev = evaluate(data, STD)
    return {(r.section.school, r.section.stage): r.values for r in ev.sections}


def codes(data) -> list:  # noqa: ANN001
    return [p.code for p in data.problems]


@pytest.fixture(scope="module")
def jichu_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jichu") / "云溪县基层表"
    folder.mkdir()
    for s in SCHOOLS:
        jichu_school(folder / f"{s['name']}.xlsx", s)
    return folder


@pytest.fixture(scope="module")
def jiaoji_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jiaoji") / "云溪县基层表"
    folder.mkdir()
    for s in SCHOOLS:
        jiaoji_school(folder / f"{s['name']}.xlsx", s)
    return folder


def export_row(s: dict, stage: str) -> dict:
    st = s["stages"][stage]
    lv_ = st["levels"]
    row = {"code": s["code"], "name": s["name"], "city": "云州市", "county": "云溪县", "type": s["type"],
           "counted": 0 if s.get("counted") == "否" else 1, "students": st["students"], "girls": st["girls"],
           "teachers": sum(lv_.values()), "postgraduate": lv_["doctor"] + lv_["master"], "bachelor": lv_["bachelor"],
           "associate": lv_["associate"], "high": lv_["high"], "pe": st["courses"].get("体育", 0),
           "music": st["courses"].get("音乐", 0), "art": st["courses"].get("美术", 0),
           "aux": s["aux"], "indoor": s["indoor"], "field": s["field"], "equipment_wan": s["equipment_wan"],
           "multimedia": s["multimedia"]}
    row[f"backbone_{stage}"] = st["backbone"]
    return row


@pytest.fixture(scope="module")
def export_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("export")
    # No stage in the file names: the title says 小学; the sheet name says 初中; the 高中 file (only
    # the 完全中学's 高中 pupils, for its split) says it in its name.
    return [
        export(folder / "云溪县基层表导出（一）.xlsx", "云溪县2021/2022学年初小学学校基本情况",
               [export_row(s, "primary") for s in SCHOOLS if "primary" in s["stages"]]),
        export(folder / "云溪县基层表导出（二）.xlsx", "云溪县2021/2022学年初学校基本情况",
               [export_row(s, "junior") for s in SCHOOLS if "junior" in s["stages"]], sheet="初中"),
        export(folder / "云溪县高中基层表导出.xlsx", "云溪县2021/2022学年初学校基本情况",
               [export_row(YIZHONG, "senior")]),
    ]


def county(paths: list[Path]):  # noqa: ANN201
    return assemble([p for f in paths for p in read_file(f, RULES)], RULES)


# ----------------------------------------------------------------------------- every figure by hand

@pytest.mark.parametrize("shape", ["jichu", "jiaoji", "export"])
def test_every_figure_of_every_school_by_hand(shape, jichu_folder, jiaoji_folder, export_files):
    paths = {"jichu": sorted(jichu_folder.glob("*.xlsx")), "jiaoji": sorted(jiaoji_folder.glob("*.xlsx")),
             "export": export_files}[shape]
    data = county(paths)
    got = by_section(data)
    assert set(got) == set(EXPECTED)
    for key, values in EXPECTED.items():
        assert got[key] == pytest.approx(values), key
    assert not data.errors, [p.message for p in data.errors]
    # The 教学点 (30 pupils, not counted) is left out by its 办学类型 / 是否计校数.
    assert [(e.school, e.stage) for e in data.exclusions if e.stage in ("primary", "junior")] == [
        ("云溪县岭下村教学点", "primary")]


def test_the_county_cvs_by_hand_are_the_same_from_both_generations_and_the_export(
        jichu_folder, jiaoji_folder, export_files):
    for paths in (sorted(jichu_folder.glob("*.xlsx")), sorted(jiaoji_folder.glob("*.xlsx")), export_files):
        ev = evaluate(county(paths), STD)
        for stage in ("primary", "junior"):
            got = {s.indicator.id: s.cv.cv for s in ev.stages[stage].indicators}
            assert got == pytest.approx(CVS[stage]), stage


def test_the_generation_and_the_year_come_from_the_sheet_names_and_the_school_year_line(jichu_folder, jiaoji_folder):
    (old,) = read_file(jichu_folder / "云溪县城关小学.xlsx", RULES)
    (new,) = read_file(jiaoji_folder / "云溪县城关小学.xlsx", RULES)
    # 基础基 up to the 2020/21 collection, 教基 from autumn 2021: "（2020 /2021 学年初）" is 2020.
    assert (old.generation, old.data_year) == ("jichu-2018", 2020)
    assert (new.generation, new.data_year) == ("jiaoji-2021", 2021)
    # The county from the card's 学校（机构）地址 代码 row (480777100001 -> 480777).
    assert (old.identity.name, old.identity.code) == ("云溪县", "480777")


def test_a_school_year_line_the_generation_does_not_cover_is_a_warning(tmp_path):
    path = jichu_school(tmp_path / "a.xlsx", CHENGGUAN)
    wb = openpyxl.load_workbook(path)
    wb["基础基111"]["B3"] = "（2022/2023 学年初）"
    wb.save(path)
    (part,) = read_file(path, RULES)
    warning = next(p for p in part.problems if p.code == Code.FORM_GENERATION_YEAR)
    assert warning.params["year"] == 2022 and part.data_year == 2022
    assert part.records  # still read, by the sheet names' generation


# ----------------------------------------------------------------------------- the form shapes

def test_the_card_gives_name_code_type_from_under_its_headers_and_the_name_and_code_rows(jichu_folder):
    (part,) = read_file(jichu_folder / "云溪县石桥学校.xlsx", RULES)
    (rec,) = part.records
    assert rec.text == {"name": "云溪县石桥学校", "code": "2148077704", "school_type": "九年一贯制学校"}
    # the value under 学校（机构）名称（章）, and 办学类型 from its 名称 row, not its 代码 row (312)
    assert rec.text_src["name"].cell == "D7" and rec.text_src["school_type"].cell == "D14"


def test_the_112_list_gives_the_backbone_rows_26_and_27_without_an_index_row(jichu_folder):
    data = county([jichu_folder / "云溪县石桥学校.xlsx"])
    primary, junior = sorted(data.sections, key=lambda s: s.stage != "primary")
    assert (primary.values["backbone_teachers"], junior.values["backbone_teachers"]) == (2, 2)
    source = primary.sources["backbone_teachers"]
    assert (source.sheet, source.label) == ("基础基112", "D10（县级及以上骨干教师（小学） × 内容）")
    sheet = openpyxl.load_workbook(jichu_folder / "云溪县石桥学校.xlsx")["基础基112"]
    assert (sheet["C10"].value, sheet["C11"].value) == ("26", "27")  # items 26 and 27, 编号 stored as text


def test_each_stage_takes_its_own_section_never_the_first_matching_label(jichu_folder, jiaoji_folder):
    # 424 / 4156: 总计 75 = 初中 45 + 高中 30; the 初中 part gives 45 and 研究生+本科 1+4+33.
    for folder in (jichu_folder, jiaoji_folder):
        (junior,) = [s for s in county([folder / "云溪县第一中学.xlsx"]).sections if s.stage == "junior"]
        assert junior.values["full_time_teachers"] == 45
        assert junior.values["qualified_teachers"] == 1 + 4 + 33
    # 4155 (教基) holds a 小学 and an 初中 part: 石桥学校's 初中 teachers come from its 初中 part.
    (junior,) = [s for s in county([jiaoji_folder / "云溪县石桥学校.xlsx"]).sections if s.stage == "junior"]
    assert junior.sources["full_time_teachers"].sheet == "教基4155"
    assert junior.values["full_time_teachers"] == 13 and junior.values["qualified_teachers"] == 0 + 1 + 10


def test_doctor_and_master_rows_count_as_postgraduates(jiaoji_folder):
    (junior,) = county([jiaoji_folder / "云溪县第一中学.xlsx"]).sections
    label = junior.sources["qualified_teachers"].label
    assert label == "（E10（博士研究生） + E11（硕士研究生）） + E12（本科毕业）"  # 初中: 研究生 + 本科 only
    (primary,) = county([jiaoji_folder / "云溪县城关小学.xlsx"]).sections
    assert primary.values["qualified_teachers"] == 0 + 2 + 24 + 8  # 小学: + 专科


def test_arts_as_a_group_over_music_and_art_is_never_counted_with_them(jiaoji_folder):
    # 教基4155: 艺术 › 计 (4) | 音乐 (2) | 美术 (2). Counted: 体育 3 + 音乐 2 + 美术 2 = 7, not 11.
    (section,) = county([jiaoji_folder / "云溪县城关小学.xlsx"]).sections
    assert section.values["pe_art_teachers"] == 3 + 2 + 2
    assert any("只计分项" in n for n in section.notes)


def test_music_and_art_as_leaves_with_no_arts_column_count_arts_as_zero(jichu_folder):
    # 基础基423: 音乐, 美术 as leaves, no 艺术 column at all: 体育 3 + 音乐 2 + 美术 2, 艺术 0 (said).
    (section,) = county([jichu_folder / "云溪县城关小学.xlsx"]).sections
    assert section.values["pe_art_teachers"] == 3 + 2 + 2
    assert any("没有“艺术”列，按 0 计" in n for n in section.notes)


def test_arts_as_a_group_without_a_total_column_counts_its_leaves_once(tmp_path):
    path = jiaoji_school(tmp_path / "a.xlsx", CHENGGUAN)
    wb = openpyxl.load_workbook(path)
    ws = wb["教基4155"]
    for row in ws.iter_rows():
        for c in row:
            if c.value == "计" and c.row == 8:
                c.value = "其他艺术"  # the group's total column becomes a third leaf
    wb.save(path)
    (section,) = county([path]).sections
    # 艺术 over 其他艺术 (4, the old total cells) | 音乐 2 | 美术 2: only 音乐 and 美术 are counted.
    assert section.values["pe_art_teachers"] == 3 + 2 + 2


def test_rooms_area_rows_with_ordinals_and_a_vertical_group_in_column_b(jichu_folder, jiaoji_folder):
    # 512: "一、教学及辅助用房" on row 10; 体育馆 in column C under the 其中 merged down B11:B13.
    (old,) = county([jichu_folder / "云溪县城关小学.xlsx"]).sections
    assert old.sources["teaching_area"].label == "E10（教学及辅助用房） − E13（室内体育用房）"
    sheet = openpyxl.load_workbook(jichu_folder / "云溪县城关小学.xlsx")["基础基512"]
    assert (sheet["B10"].value, sheet["B11"].value, sheet["C13"].value) == ("一、教学及辅助用房", "其中", "体育馆")
    assert "B11:B13" in {str(m) for m in sheet.merged_cells.ranges}
    # 5170: "（三）室内体育用房" on row 10, under 校舍建筑面积 › 合计 (column D).
    (new,) = county([jiaoji_folder / "云溪县城关小学.xlsx"]).sections
    assert new.sources["teaching_area"].label == "D7（教学及辅助用房） − D10（室内体育用房）"


def test_the_5176_list_gives_its_values_from_column_d_with_each_rows_unit(jiaoji_folder):
    (section,) = county([jiaoji_folder / "云溪县城关小学.xlsx"]).sections
    assert section.sources["equipment_value"].cell == "D11"
    assert section.values["equipment_value"] == 150 * 10000  # the row's 万元
    assert section.values["multimedia_rooms"] == 18


def test_a_star_cell_where_a_figure_is_wanted_is_reported_never_zero(tmp_path):
    path = jichu_school(tmp_path / "a.xlsx", CHENGGUAN)
    wb = openpyxl.load_workbook(path)
    wb["基础基312"]["F7"] = "*"
    wb.save(path)
    data = county([path])
    starred = next(p for p in data.problems if p.code == Code.FORM_CELL_STARRED)
    assert (starred.sheet, starred.cell if hasattr(starred, "cell") else f"{starred.column}{starred.row}") == (
        "基础基312", "F7")
    assert not data.sections  # no students: the section cannot be evaluated, and nothing is 0


# ----------------------------------------------------------------------------- the export

def test_export_headers_as_a_real_export_script_writes_them(export_files):
    parts = [p for f in export_files for p in read_file(f, RULES)]
    assert {p.kind for p in parts} == {"export"}
    primary = next(p for p in parts if p.file.endswith("（一）.xlsx"))
    rec = next(r for r in primary.records if r.text["name"] == "云溪县城关小学")
    # 本学年校舍建筑面积›教学及辅助用房›计 (3300) − …›#室内体育用房 (300), units from the row below.
    assert rec.values["teaching_area"].value == 3300 - 300
    # 固定资产总值›教学仪器设备资产值(万元), 教基1102›县级以上骨干教师(小学)
    assert rec.values["equipment_value"].value == 150 * 10000
    assert rec.staged["primary"]["backbone_teachers"].value == 9
    # 是否计校数 as 1 / 0
    point = next(r for r in primary.records if r.text["name"] == "云溪县岭下村教学点")
    assert (rec.text["counted"], point.text["counted"]) == ("是", "否")


def test_an_export_without_a_stage_anywhere_is_staged_by_each_schools_type(tmp_path):
    rows = [export_row(CHENGGUAN, "primary"), export_row(SHIQIAO, "primary")]
    path = export(tmp_path / "导出.xlsx", "云溪县学校基本情况", rows)
    (part,) = read_file(path, RULES)
    assert [r.text["name"] for r in part.records] == ["云溪县城关小学"]  # a 小学 by its 办学类型
    problem = next(p for p in part.problems if p.code == Code.EXPORT_NO_STAGE)
    assert problem.params["schools"] == "云溪县石桥学校" and problem.params["count"] == 1


# ----------------------------------------------------------------------------- the county's own mapping

def renamed(path: Path, sheet: str, old: str, new: str) -> Path:
    wb = openpyxl.load_workbook(path)
    for row in wb[sheet].iter_rows():
        for c in row:
            if c.value == old:
                c.value = new
    wb.save(path)
    return path


MAPPING = """\
[generation]
name = "jiaoji-2021"

[[figure]]
field = "field_area"
form = "5176"
rows = ["体育运动场地面积"]
unit = "平方米"
"""


def test_a_county_mapping_file_adds_a_row_label_with_no_code_change(tmp_path, jiaoji_folder):
    folder = tmp_path / "云溪县基层表"
    folder.mkdir()
    path = renamed(shutil.copy(jiaoji_folder / "云溪县城关小学.xlsx", folder / "城关小学.xlsx"), "教基5176",
                   "运动场地面积", "体育运动场地面积")
    before = county([path])
    miss = next(p for p in before.problems if p.code == Code.FORM_ROW_MISSING)
    assert miss.sheet == "教基5176" and "表式补充.toml" in miss.message and "体育运动场地面积" in miss.params["near"]
    assert before.sections[0].values.get("sports_area") is None  # never 0
    (folder / "表式补充.toml").write_text(MAPPING, encoding="utf-8")
    after = county([path])
    assert after.sections[0].values["sports_area"] == 4200 + 300
    assert not after.errors
    assert local_forms_digest(path) != ""  # the run cache reads the workbook again when the file changes


def test_a_county_mapping_file_can_fix_a_cell(tmp_path, jichu_folder):
    folder = tmp_path / "云溪县基层表"
    folder.mkdir()
    path = renamed(shutil.copy(jichu_folder / "云溪县城关小学.xlsx", folder / "城关小学.xlsx"), "基础基522",
                   "运动场地面积", "体育场地")
    (folder / "表式补充.toml").write_text(
        '[generation]\nname = "jichu-2018"\n\n[[figure]]\nfield = "field_area"\nform = "522"\ncell = "F8"\n'
        'unit = "平方米"\n', encoding="utf-8")
    (section,) = county([path]).sections
    assert section.values["sports_area"] == 4200 + 300
    source = section.sources["sports_area"]
    assert (source.sheet, source.label) == ("基础基522", "F8（运动场地面积）（据 表式补充.toml） + 基础基512 E13（室内体育用房）")


def test_a_mapping_file_with_a_mistake_names_itself_and_the_workbook_is_not_read(tmp_path, jichu_folder):
    folder = tmp_path / "云溪县基层表"
    folder.mkdir()
    path = shutil.copy(jichu_folder / "云溪县城关小学.xlsx", folder / "城关小学.xlsx")
    (folder / "表式补充.toml").write_text('[generation]\nname = "jichu-2019"\n', encoding="utf-8")
    (part,) = read_file(path, RULES)
    assert [p.code for p in part.problems] == [Code.FORM_MAPPING_INVALID]
    assert "表式补充.toml" in part.problems[0].message and "jichu-2018" in part.problems[0].message


def test_the_bundled_rules_files_are_in_the_mapping_format(tmp_path):
    from equity_xlsx.form_layouts import FORMS_DIR

    for path in FORMS_DIR.glob("*.toml"):
        copy = tmp_path / f"表式补充-{path.name}"
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        assert parse_form_rules(read_rules_file(copy), copy).figures
    with pytest.raises(RuleError, match="rowz"):
        parse_form_rules({"generation": {"name": "jichu-2018"}, "figure": [{"field": "students", "form": "312",
                                                                           "rowz": ["总计"]}]}, Path("x.toml"))


# ----------------------------------------------------------------------------- forms check

def test_forms_check_says_where_each_figure_was_found(jiaoji_folder):
    result = CliRunner().invoke(app, ["forms", "check", str(jiaoji_folder / "云溪县第一中学.xlsx")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "在校学生数（初中）：教基3115 F6 “总计”行×“在校生数”列 = 500 人" in out
    assert "在校学生数（高中）：教基3118 F6" in out
    assert "研究生毕业（初中）：教基4156 E10 + E11 “博士研究生 + 硕士研究生”行×“专任教师›合计”列 = 1 + 4 人" in out
    assert "教学、实验仪器设备资产值：教基5176 D11 “#教学仪器设备资产值”行×“数值”列 = 280 万元" in out
    assert "艺术（初中）：“专任教师›按授课课程分›艺术›计”是音乐、美术的合计，只计分项，不重复计" in out


def test_forms_check_names_a_miss_and_the_nearest_labels_and_fails(tmp_path, jiaoji_folder):
    path = renamed(shutil.copy(jiaoji_folder / "云溪县城关小学.xlsx", tmp_path / "城关小学.xlsx"), "教基5176",
                   "运动场地面积", "体育运动场地面积")
    result = CliRunner().invoke(app, ["forms", "check", str(path)])
    assert result.exit_code == 1
    assert "未找到  运动场地面积：教基5176：找不到“运动场地面积”行；相近的：体育运动场地面积" in result.output
    mapping = tmp_path / "试用.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    tried = CliRunner().invoke(app, ["forms", "check", str(path), "--forms", str(mapping)])
    assert tried.exit_code == 0 and "运动场地面积：教基5176 D7 “体育运动场地面积”行×“数值”列 = 4200 平方米（试用.toml）" in (
        tried.output)


@pytest.mark.whole_run
def test_a_run_uses_the_mapping_file_reads_again_when_it_changes_and_lists_it(tmp_path, jiaoji_folder):
    from datetime import date

    from equity_xlsx.batch import run

    folder = tmp_path / "入" / "云溪县基层表"
    folder.mkdir(parents=True)
    for s in (CHENGGUAN, HEKOU):
        renamed(shutil.copy(jiaoji_folder / f"{s['name']}.xlsx", folder / f"{s['name']}.xlsx"), "教基5176",
                "运动场地面积", "体育运动场地面积")

    def once():  # noqa: ANN202
        result = run([tmp_path / "入"], tmp_path / "出", standard="national-2017", jobs=1, today=date(2026, 11, 1))
        (entry,) = result.entries
        return result, entry

    _, before = once()
    assert {e["code"] for e in before["errors"]} == {"form_row_missing"}
    (folder / "表式补充.toml").write_text(MAPPING, encoding="utf-8")
    result, after = once()  # the workbooks did not change; the mapping file did
    assert not after["errors"]
    assert [(n.file, "表式补充" in n.reason) for n in result.not_read] == [("云溪县基层表/表式补充.toml", True)]


def test_an_export_is_known_by_its_header_whatever_the_file_is_called(tmp_path):
    # No 统计二级 / 统计三级 columns and a file name that says nothing: 学校标识码 with the 学历
    # columns make it an export; the county comes from the title, the stage from the sheet name.
    path = export(tmp_path / "数据.xlsx", "云溪县2021/2022学年初学校基本情况", [export_row(CHENGGUAN, "primary")],
                  sheet="小学", drop=("city", "county"))
    (part,) = read_file(path, RULES)
    assert (part.kind, part.county, len(part.records)) == ("export", "云溪县", 1)
    assert part.records[0].staged["primary"]["students"].value == 600


def test_sheets_named_by_bare_form_codes_are_known_by_their_codes(tmp_path):
    path = jiaoji_school(tmp_path / "a.xlsx", CHENGGUAN)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ws.title = ws.title.removeprefix("教基")
    wb.save(path)
    (part,) = read_file(path, RULES)
    assert part.generation == "jiaoji-2021"
    assert by_section(assemble([part], RULES))[("云溪县城关小学", "primary")] == pytest.approx(
        EXPECTED[("云溪县城关小学", "primary")])


def test_forms_check_reads_an_export_row_by_row(export_files):
    result = CliRunner().invoke(app, ["forms", "check", str(export_files[0])])
    assert result.exit_code == 0, result.output
    assert "  云溪县城关小学\n    找到    在校学生数（小学）：Sheet1 G6 “在校生数›合计”列 = 600 人" in result.output
    assert "设备资产值：Sheet1 V6 “固定资产总值›教学仪器设备资产值(万元)”列 = 150 万元" in result.output
    assert "已计入  艺术（小学）：表中没有“艺术”列，按 0 计" in result.output


def test_a_1001_written_as_a_plain_label_value_list_is_read(tmp_path):
    # As the 教基 importers read it: 学校名称 in C4, 办学类型 in C25 — labels in B, values beside them.
    path = jiaoji_school(tmp_path / "a.xlsx", CHENGGUAN)
    wb = openpyxl.load_workbook(path)
    del wb["教基1001"]
    ws = wb.create_sheet("教基1001", 0)
    ws["B2"], ws["B3"] = "学校（机构）基本情况", "教基1001"
    lines = {4: ("学校名称", CHENGGUAN["name"]), 5: ("学校标识码", CHENGGUAN["code"]),
             6: ("所在地行政区划代码", "480777"), 25: ("办学类型", "小学")}
    for r in range(4, 26):
        label, value = lines.get(r, (f"其他项目{r}", f"内容{r}"))
        ws.cell(r, 2, label)
        ws.cell(r, 3, value)
    wb.save(path)
    (part,) = read_file(path, RULES)
    (rec,) = part.records
    assert (rec.text["name"], rec.text["school_type"], part.identity.code) == ("云溪县城关小学", "小学", "480777")
    assert (rec.text_src["name"].cell, rec.text_src["school_type"].cell) == ("C4", "C25")


def test_a_kindergarten_among_the_schools_is_said_and_left_out_without_errors(tmp_path, jichu_folder):
    kindergarten = {**CHENGGUAN, "name": "云溪县城关幼儿园", "code": "2148077709", "type": "幼儿园", "type_code": "111",
                    "stages": {}}
    (part,) = read_file(jichu_school(tmp_path / "幼儿园.xlsx", kindergarten), RULES)
    assert (part.records, part.usable) == ([], True)
    assert [p.code for p in part.problems] == [Code.NOT_COMPULSORY_SCHOOL]  # no missing 312, 423 … errors
    data = assemble([part, *read_file(jichu_folder / "云溪县城关小学.xlsx", RULES)], RULES)
    assert [s.school for s in data.sections] == ["云溪县城关小学"] and not data.errors


CELL_MAPPING = ('[generation]\nname = "jichu-2018"\n\n[[figure]]\nfield = "field_area"\nform = "522"\ncell = "F8"\n'
                'unit = "平方米"\n')


def test_a_figure_taken_through_the_county_mapping_file_names_it_in_its_source(tmp_path, jichu_folder):
    folder = tmp_path / "云溪县基层表"
    folder.mkdir()
    path = renamed(shutil.copy(jichu_folder / "云溪县城关小学.xlsx", folder / "城关小学.xlsx"), "基础基522",
                   "运动场地面积", "体育场地")
    (folder / "表式补充.toml").write_text(CELL_MAPPING, encoding="utf-8")
    data = assemble(read_file(path, RULES, display_name="云溪县基层表/城关小学.xlsx"), RULES)
    (section,) = data.sections
    # 运动场地面积 came through the county's file; 室内体育用房 (512) through the bundled rules.
    assert section.sources["sports_area"].via == "云溪县基层表/表式补充.toml"
    assert section.sources["students"].via == ""
    assert data.form_mappings == ["云溪县基层表/表式补充.toml"]
    assert [(m.mapping, m.generation, m.sheet, m.figure, m.school) for m in data.mapped_figures] == [
        ("云溪县基层表/表式补充.toml", "jichu-2018", "基础基522", "运动场地面积", "云溪县城关小学")]


@pytest.mark.whole_run
def test_scope_sheet_says_which_mapping_file_was_used_and_what_it_changed(tmp_path, jichu_folder):
    from datetime import date

    from equity_xlsx.batch import run

    folder = tmp_path / "入" / "云溪县基层表"
    folder.mkdir(parents=True)
    for s in (CHENGGUAN, HEKOU):
        renamed(shutil.copy(jichu_folder / f"{s['name']}.xlsx", folder / f"{s['name']}.xlsx"), "基础基522",
                "运动场地面积", "体育场地")
    (folder / "表式补充.toml").write_text(CELL_MAPPING, encoding="utf-8")
    # A second file for the other generation: merged into no rules these workbooks were read with.
    (folder / "表式补充-教基.toml").write_text(MAPPING, encoding="utf-8")
    result = run([tmp_path / "入"], tmp_path / "出", standard="national-2017", jobs=1, today=date(2026, 11, 1))
    (entry,) = result.entries
    assert not entry["errors"]
    wb = openpyxl.load_workbook(tmp_path / "出" / entry["output"])
    rows = [tuple(c for c in r if c is not None) for r in wb["口径说明"].iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if r and str(r[0]).startswith("本县表式补充文件"))
    assert rows[at + 1] == ("文件", "补充的表式", "表", "取数项", "单元格", "学校")
    assert rows[at + 2] == ("云溪县基层表/表式补充.toml", "2018—2020/21 学年的基层报表（基础基）", "基础基522", "运动场地面积",
                            "F8（单元格 F8）", "2 所：云溪县城关小学、云溪县河口镇中心小学")
    assert not any("表式补充-教基.toml" in str(c) for r in rows for c in r)
    # 学校指标: the 来源 of each school names the file beside the cell it located.
    ws = wb["学校指标"]
    sources = [str(r[-1]) for r in ws.iter_rows(values_only=True) if r and r[0] == "云溪县城关小学"]
    assert sources and "基础基522 F8（运动场地面积）（据 云溪县基层表/表式补充.toml） + 基础基512 E13（室内体育用房）" in sources[0]


def test_an_export_column_named_by_the_county_mapping_file_says_so(tmp_path):
    folder = tmp_path / "云溪县导出"
    folder.mkdir()
    row = export_row(CHENGGUAN, "primary")
    path = export(folder / "小学导出.xlsx", "云溪县2021/2022学年初小学学校基本情况", [row])
    renamed(path, "Sheet1", "运动场地面积", "室外运动场面积")
    (folder / "表式补充.toml").write_text(
        '[generation]\nname = "export"\n\n[[figure]]\nfield = "field_area"\ncolumns = ["室外运动场面积"]\n'
        'unit = "平方米"\nwhole = true\n', encoding="utf-8")
    data = assemble(read_file(path, RULES, display_name="云溪县导出/小学导出.xlsx"), RULES)
    (section,) = data.sections
    assert section.values["sports_area"] == 4200 + 300
    assert section.sources["sports_area"].via == "云溪县导出/表式补充.toml"
    assert data.form_mappings == ["云溪县导出/表式补充.toml"]
    assert [(m.generation, m.figure, m.school) for m in data.mapped_figures] == [
        ("export", "运动场地面积", "云溪县城关小学")]
