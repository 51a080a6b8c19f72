"""Issue 14: a 十二年一贯制 school read through the 基层表 reader (2020/21 基础基, 2021/22 教基, and
the stage exports), its whole-school facilities split 小学:初中:高中 = 1:1.1:1.32 by weighted
students (domain.md §3), every share worked by hand below.

云溪县实验学校 (十二年一贯制学校, 办学类型代码 345): 小学 300, 初中 200, 高中 100 pupils.
Weighted students: 300·1 + 200·1.1 + 100·1.32 = 300 + 220 + 132 = 652.

Whole-school amounts and their shares (amount · weighted pupils of the stage / 652):

- 教学及辅助用房 10400 m², of which 室内体育用房 400 m²: indicator 4 counts 10000 m²;
  小学 10000·300/652 = 4601.2270, 初中 10000·220/652 = 3374.2331, 高中 10000·132/652 = 2024.5399
  (sum 10000); per pupil 小学 4601.2270/300 = 15.337423, 初中 3374.2331/200 = 16.871166.
- 体育运动场馆 = 运动场地 6120 + 室内体育用房 400 = 6520 m²: 小学 3000, 初中 2200, 高中 1320;
  per pupil 小学 10.0, 初中 11.0.
- 教学仪器设备 65.2 万元 = 652000 元: 小学 300000, 初中 220000, 高中 132000; per pupil 1000, 1100.
- 网络多媒体教室 20 间: 小学 20·300/652 = 9.202454, 初中 20·220/652 = 6.748466, 高中 4.049080;
  per 100 pupils 小学 9.202454/3 = 3.067485, 初中 6.748466/2 = 3.374233.

Teachers and 骨干 are each stage's own (never split): 小学 高于规定学历 = 研究生+本科+专科 =
1+12+6 = 19 → 19/300·100 = 6.333333; 初中 = 研究生+本科 = 2+14 = 16 → 16/200·100 = 8.0;
骨干 小学 6 → 2.0, 初中 4 → 2.0; 体育+音乐+美术 小学 2+1+1 = 4 → 1.333333, 初中 2+1+1 = 4 → 2.0.

The 高中 enters no 资源配置 calculation: its pupils only weigh the split.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.indicators import evaluate
from equity_xlsx.intake import assemble, read_file
from equity_xlsx.problems import Code
from equity_xlsx.rulebook import default_rules
from realforms import export, jiaoji_school, jichu_school, lv

RULES = default_rules()


SHIYAN = {"name": "云溪县实验学校", "code": "2148077709", "type": "十二年一贯制学校", "type_code": "345",
          "address": "南岭省云州市云溪县城关镇文昌路6号", "address_code": "480777100009",
          "stages": {"primary": {"students": 300, "girls": 140, "backbone": 6, "girls_teachers": 15,
                                 "levels": lv(0, 1, 12, 6, 1, 0),
                                 "courses": {"道德与法治": 2, "语文": 6, "数学": 5, "外语": 2, "科学": 1, "体育": 2,
                                             "音乐": 1, "美术": 1}},
                     "junior": {"students": 200, "girls": 95, "backbone": 4, "girls_teachers": 10,
                                "levels": lv(0, 2, 14, 3, 0, 0),
                                "courses": {"道德与法治": 2, "语文": 4, "数学": 4, "外语": 3, "物理": 3, "体育": 2,
                                            "音乐": 1, "美术": 1}},
                     "senior": {"students": 100, "girls": 52, "backbone": 0, "girls_teachers": 6,
                                "levels": lv(0, 2, 10, 0, 0, 0),
                                "courses": {"思想政治": 1, "语文": 2, "数学": 2, "外语": 2, "物理": 3, "体育": 1,
                                            "音乐": 1, "美术": 0}}},
          "aux": 10400, "indoor": 400, "field": 6120, "equipment_wan": 65.2, "multimedia": 20}

# (field, stage) -> the share worked out in the module docstring.
SHARES = {
    ("teaching_area", "primary"): 4601.2270, ("teaching_area", "junior"): 3374.2331,
    ("teaching_area", "senior"): 2024.5399,
    ("sports_area", "primary"): 3000.0, ("sports_area", "junior"): 2200.0, ("sports_area", "senior"): 1320.0,
    ("equipment_value", "primary"): 300000.0, ("equipment_value", "junior"): 220000.0,
    ("equipment_value", "senior"): 132000.0,
    ("multimedia_rooms", "primary"): 9.202454, ("multimedia_rooms", "junior"): 6.748466,
    ("multimedia_rooms", "senior"): 4.049080,
}
VALUES = {
    "primary": {1: 6.333333, 2: 2.0, 3: 1.333333, 4: 15.337423, 5: 10.0, 6: 1000.0, 7: 3.067485},
    "junior": {1: 8.0, 2: 2.0, 3: 2.0, 4: 16.871166, 5: 11.0, 6: 1100.0, 7: 3.374233},
}


def export_row(stage: str) -> dict:
    st = SHIYAN["stages"][stage]
    levels = st["levels"]
    row = {"code": SHIYAN["code"], "name": SHIYAN["name"], "city": "云州市", "county": "云溪县", "type": SHIYAN["type"],
           "counted": 1, "students": st["students"], "girls": st["girls"], "teachers": sum(levels.values()),
           "postgraduate": levels["doctor"] + levels["master"], "bachelor": levels["bachelor"],
           "associate": levels["associate"], "high": levels["high"], "pe": st["courses"].get("体育", 0),
           "music": st["courses"].get("音乐", 0), "art": st["courses"].get("美术", 0),
           "aux": SHIYAN["aux"], "indoor": SHIYAN["indoor"], "field": SHIYAN["field"],
           "equipment_wan": SHIYAN["equipment_wan"], "multimedia": SHIYAN["multimedia"]}
    row[f"backbone_{stage}"] = st["backbone"]
    return row


def written(shape: str, folder: Path) -> list[Path]:
    if shape == "jichu":
        return [jichu_school(folder / f"{SHIYAN['name']}.xlsx", SHIYAN)]
    if shape == "jiaoji":
        return [jiaoji_school(folder / f"{SHIYAN['name']}.xlsx", SHIYAN)]
    # One file per stage, as a county exports them; the school is in all three.
    return [export(folder / "云溪县小学基层表导出.xlsx", "云溪县2021/2022学年初小学学校基本情况", [export_row("primary")]),
            export(folder / "云溪县初中基层表导出.xlsx", "云溪县2021/2022学年初初中学校基本情况", [export_row("junior")]),
            export(folder / "云溪县高中基层表导出.xlsx", "云溪县2021/2022学年初高中学校基本情况", [export_row("senior")])]


@pytest.mark.parametrize("shape", ["jichu", "jiaoji", "export"])
def test_a_twelve_year_school_splits_its_facilities_1_to_1_1_to_1_32(shape, tmp_path):
    paths = written(shape, tmp_path)
    data = assemble([p for f in paths for p in read_file(f, RULES)], RULES)
    assert not data.errors, [p.message for p in data.errors]
    # Every whole-school amount split three ways, by the 十二年一贯制 weights, over 300/200/100 pupils.
    shares = {(s.field, stage): amount for s in data.splits for stage, _, amount in s.shares}
    assert shares == pytest.approx(SHARES)
    for s in data.splits:
        assert dict(s.weights) == {"primary": 1.0, "junior": 1.1, "senior": 1.32}, s.field
        assert {st: n for st, n, _ in s.shares} == {"primary": 300, "junior": 200, "senior": 100}, s.field
    # The 小学部 and 初中部 enter the evaluation; the 高中 is listed as left out.
    got = {r.section.stage: r.values for r in evaluate(data, RULES.standard).sections}
    assert set(got) == {"primary", "junior"}
    for stage, values in VALUES.items():
        assert got[stage] == pytest.approx(values, rel=1e-6), stage
    assert [(e.school, e.stage) for e in data.exclusions] == [("云溪县实验学校", "senior")]


@pytest.mark.parametrize("shape", ["jichu", "jiaoji", "export"])
def test_without_its_senior_pupils_a_twelve_year_schools_facilities_are_left_out_not_split_1_to_1_1(
        shape, tmp_path):
    """Split 1:1.1 over 小学 and 初中 alone, 10000 m² would give 小学 10000·300/520 = 5769.2 m²
    (19.23 m²/生, not 15.34): the 高中's share credited to the compulsory stages. So the
    whole-school amounts are not used, and the warning names the missing stage."""
    paths = written(shape, tmp_path)
    if shape == "export":
        paths = paths[:2]  # the 小学 and 初中 exports only
    else:
        wb = openpyxl.load_workbook(paths[0])
        for sheet in [n for n in wb.sheetnames if n.endswith(("314", "3118"))]:
            del wb[sheet]
        wb.save(paths[0])
    data = assemble([p for f in paths for p in read_file(f, RULES)], RULES)
    (warning,) = [p for p in data.problems if p.code == Code.ONE_STAGE_ONLY]
    assert (warning.params["found"], warning.params["missing"]) == ("小学、初中", "高中")
    assert not data.splits
    got = {r.section.stage: r.values for r in evaluate(data, RULES.standard).sections}
    for stage in ("primary", "junior"):
        assert [got[stage][i] for i in (4, 5, 6, 7)] == [None] * 4, stage
        assert got[stage][1] == pytest.approx(VALUES[stage][1])  # its own teachers still count


def test_a_complete_middle_school_in_the_junior_export_only_keeps_no_facilities(tmp_path):
    """A 完全中学 (初中 200, 高中 100) without the 高中 export: its whole-school 10000 m² split
    初中:高中 = 1:1.2 would give 初中 10000·200/320 = 6250 m²; with no 高中 pupils known, all
    10000 m² would fall on 初中 (50 m²/生). Neither is guessed: the amounts are left out."""
    school = {**SHIYAN, "name": "云溪县第二中学", "code": "2148077710", "type": "完全中学",
              "stages": {s: SHIYAN["stages"][s] for s in ("junior", "senior")}}
    row = {**export_row("junior"), "name": school["name"], "code": school["code"], "type": school["type"]}
    path = export(tmp_path / "云溪县初中基层表导出.xlsx", "云溪县2021/2022学年初初中学校基本情况", [row])
    data = assemble(read_file(path, RULES), RULES)
    (warning,) = [p for p in data.problems if p.code == Code.ONE_STAGE_ONLY]
    assert (warning.params["found"], warning.params["missing"]) == ("初中", "高中")
    (section,) = evaluate(data, RULES.standard).sections
    assert section.values[4] is None and section.values[1] == pytest.approx(8.0)
