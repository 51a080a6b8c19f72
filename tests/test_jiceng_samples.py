"""The 基层表 samples (scripts/jicenggen.py, scripts/make_jiceng_samples.py): deterministic, the
committed files current, expected results by the published method, and every needed figure where
the README's location table says. Independent of equity_xlsx: the reader does not exist here yet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import jicenggen as j  # noqa: E402
import make_jiceng_samples as mjs  # noqa: E402
import samplegen as sg  # noqa: E402

SAMPLES = ROOT / "sample_inputs"
FOLDERS = (mjs.QINGSHI_DIR, mjs.LIUXI_DIR, mjs.EXPORT_DIR)
GENERATION = {mjs.QINGSHI_DIR: "jiaoji-2021", mjs.LIUXI_DIR: "jichu-2018"}
COUNTY = j.County("测试县", "480999", "测试市")


def _school(name: str, students: dict[str, int], teaching: float = 0.0, indoor: float = 0.0,
            equipment_wan: float = 0.0, school_type: str = "小学", counted: bool = True) -> j.SchoolSpec:
    """A school with nothing but students and facilities (teachers all zero)."""
    sections = [j.Section(stage, n, dict.fromkeys(j.EDUCATION, 0), dict.fromkeys(j.PE_ART, 0), 0)
                for stage, n in students.items()]
    return j.SchoolSpec(name, "2148099901", school_type, counted, COUNTY, "town", sections,
                        j.Facilities(teaching, indoor, 0.0, equipment_wan, 0))


# ------------------------------------------------------------------ expected results

def test_weighted_cv_matches_the_published_example():
    # domain.md §2: 5 小学, students 45/37/89/76/55, books 279/137/935/160/402 -> CV 0.5153;
    # books stand in as 教学及辅助用房 so the indicator is books per pupil
    schools = [_school(f"S{n}", {"primary": n}, teaching=books)
               for n, books in zip((45, 37, 89, 76, 55), (279, 137, 935, 160, 402))]
    mean, cv = j.evaluate(schools)["primary"].county["teaching"]
    assert mean == pytest.approx(1913 / 302)  # county total / county pupils
    assert cv == pytest.approx(0.5153, abs=5e-5)


def test_nine_year_school_facilities_split_1_to_1_1():
    # 小学 166 + 初中 210 pupils; weighted pupils 166·1 + 210·1.1 = 166 + 231 = 397.
    # 教学及辅助用房 24026 m² of which 室内体育用房 800: the indicator area is 23226 m²
    #   小学部 23226·166/397 = 9711.63 m² -> 58.504 m²/pupil; 初中部 23226·231/397 = 13514.37 m² -> 64.354
    # (the domain.md §3 example: 9711.6 and 13514.4)
    # equipment 39.70 万元 = 397000 元: 小学部 397000·166/397 = 166000 元 -> 1000 元/pupil;
    #   初中部 397000·231/397 = 231000 元 -> 1100 元/pupil
    # 体育运动场馆 = 运动场地 0 + 室内体育用房 800: 小学部 800·166/397/166 = 800/397 per pupil
    school = _school("一贯制", {"primary": 166, "junior": 210}, teaching=24026, indoor=800,
                     equipment_wan=39.70, school_type="九年一贯制学校")
    values = j.section_values(school)
    assert values["primary"]["teaching"] * 166 == pytest.approx(9711.63, abs=0.01)
    assert values["junior"]["teaching"] * 210 == pytest.approx(13514.37, abs=0.01)
    assert values["primary"]["equipment"] == pytest.approx(1000)
    assert values["junior"]["equipment"] == pytest.approx(1100)
    assert values["primary"]["sports"] == pytest.approx(800 / 397)


def test_teaching_points_under_50_pupils_are_excluded_others_counted():
    small = _school("甲教学点", {"primary": 49}, school_type="小学教学点", counted=False)
    fifty = _school("乙教学点", {"primary": 50}, school_type="小学教学点", counted=False)
    not_counted = _school("丙小学", {"primary": 30}, counted=False)
    assert small.exclusion and not_counted.exclusion and not fifty.exclusion
    specs = mjs.build()
    qingshi = {s.name: s for s in specs[mjs.QINGSHI_DIR]}
    liuxi = {s.name: s for s in specs[mjs.LIUXI_DIR]}
    assert qingshi["青石县桃坪村教学点"].exclusion  # 36 pupils, 是否计校数 否
    assert not liuxi["柳溪县杨柳镇茶园村教学点"].exclusion  # 62 pupils, 是否计校数 否: stays in
    counted = {r.school for r in j.evaluate(specs[mjs.LIUXI_DIR])["primary"].sections}
    assert "柳溪县杨柳镇茶园村教学点" in counted


def test_planted_verdicts():
    specs = mjs.build()
    primary = {r.school: r for r in j.evaluate(specs[mjs.QINGSHI_DIR])["primary"].sections}
    by_rule = primary["青石县城关第二小学"]
    assert by_rule.passes and by_rule.met == 6 and by_rule.status["sports"] == "near"
    failing = primary["青石县石门镇中心小学"]
    assert not failing.passes and failing.status["equipment"] == "below"
    assert failing.values["equipment"] < 0.6 * sg.STANDARD["equipment"]["primary"]
    xilin = [s for s in specs[mjs.EXPORT_DIR] if s.county == mjs.XILIN]
    assert j.evaluate(xilin)["primary"].county["equipment"][1] > sg.CV_LIMIT["primary"]


def test_expected_values_follow_the_form_definitions():
    # indicator 1 counts 专科 for 小学 but not for 初中; indicator 3 adds 艺术 to 体育, 音乐, 美术
    school = next(s for s in mjs.build()[mjs.QINGSHI_DIR] if s.name == "青石县白沙学校")
    values = j.section_values(school)
    p, jr = school.section("primary"), school.section("junior")
    e = p.education
    assert values["primary"]["qualified"] == pytest.approx(
        (e["postgrad"] + e["bachelor"] + e["college"]) * 100 / p.students)
    assert values["junior"]["qualified"] == pytest.approx(
        (jr.education["postgrad"] + jr.education["bachelor"]) * 100 / jr.students)
    c = p.courses
    pe_art = c["pe"] + c["music"] + c["art"] + c["arts"]
    assert values["primary"]["pe_art"] == pytest.approx(pe_art * 100 / p.students)


# ------------------------------------------------------------------ the two generations

def test_no_needed_figure_sits_in_the_same_cell_in_both_generations():
    for figure in j.FIGURES:
        for stage in (j.STAGES if "{stage}" in figure else ("",)):
            old = j.figure_cell("jichu-2018", figure, stage)[1:]
            new = j.figure_cell("jiaoji-2021", figure, stage)[1:]
            assert old != new, (figure, stage, old)


def _cells(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def _number(cell) -> float:
    if cell == "":
        return 0.0  # nothing to report is left blank
    return float(str(cell).replace(",", "")) if isinstance(cell, str) else float(cell)


def _expected(school: j.SchoolSpec, figure: str, stage: str):
    fac = school.facilities
    if figure in ("name", "code", "school_type", "location"):
        return {"name": school.name, "code": school.code, "school_type": school.school_type,
                "location": school.county.location}[figure]
    if figure == "counted":
        return "是" if school.counted else "否"
    whole = {"area_code": float(school.county.code), "teaching_area": fac.teaching_area,
             "indoor_sports": fac.indoor_sports, "field_area": fac.field_area, "equipment": fac.equipment_wan,
             "multimedia": fac.multimedia}
    if figure in whole:
        return whole[figure]
    sec = school.section(stage)
    name = figure.removesuffix("_{stage}")
    return {"backbone": sec.backbone, "students": sec.students, "teachers": sec.teachers,
            **sec.education, **sec.courses}[name]


@pytest.mark.parametrize("folder", [mjs.QINGSHI_DIR, mjs.LIUXI_DIR])
def test_every_needed_figure_is_where_the_location_table_says(folder):
    generation = GENERATION[folder]
    for school in mjs.build()[folder]:
        sheets = _cells(next((SAMPLES / folder).glob(f"{school.name}.xls*")))
        assert all(name.endswith(school.sheet_suffix) for name in sheets)
        for figure in j.FIGURES:
            for stage in (j.STAGES if "{stage}" in figure else ("",)):
                if stage and school.section(stage) is None:
                    continue
                sheet, row, col = j.figure_cell(generation, figure, stage)
                if figure == "multimedia" and school.multimedia_on_land_form:
                    sheet = j.GENERATIONS[generation]["land"].sheet
                    grid = sheets[sheet + school.sheet_suffix]
                    col = grid[j.HEADER_TOP].index("网络多媒体教室（间）")
                grid = sheets[sheet + school.sheet_suffix]
                kind, row_key, _ = j.figure_cells(figure, stage)
                assert grid[row][1] == j.GENERATIONS[generation][kind].row(row_key).label
                want, got = _expected(school, figure, stage), grid[row][col]
                if isinstance(want, str):
                    assert got == want, (school.name, figure)
                else:
                    assert _number(got) == pytest.approx(want), (school.name, figure, stage)


def test_per_school_forms_carry_the_grid_row_and_column_numbers():
    sheets = _cells(SAMPLES / mjs.QINGSHI_DIR / "青石县白沙学校.xlsx")
    grid = sheets["教基3112_九年一贯制学校"]
    assert grid[0][1:4] == ["A", "B", "C"] and grid[0][0] == ""
    assert [grid[i][0] for i in (1, 2, 3)] == [1.0, 2.0, 3.0]
    assert grid[1][1] == "小学学生数" and grid[2][1] == "教基3112"
    assert grid[j.HEADER_TOP + 2][1:4] == ["甲", "乙", "1"]  # the index row under a two-row header


def test_nine_year_school_appears_in_both_export_files_with_whole_school_facilities():
    keys = [c.key for c in j.EXPORT_COLUMNS]
    rows = {}
    for stage, name in mjs.EXPORT_FILE.items():
        (grid,) = _cells(SAMPLES / mjs.EXPORT_DIR / name).values()
        assert grid[2][keys.index("students")] == "在校生数" and grid[3][keys.index("students")] == "合计"
        rows[stage] = {r[keys.index("name")]: r for r in grid[5:]}
    facility = [keys.index(k) for k in ("teaching_area", "indoor_sports", "field_area", "equipment", "multimedia")]
    for school in ("东山县梅溪学校", "西林区枫林学校"):
        p, jr = rows["primary"][school], rows["junior"][school]
        assert [p[i] for i in facility] == [jr[i] for i in facility]
        assert p[keys.index("students")] != jr[keys.index("students")]
    counties = {r[keys.index("county")] for r in rows["primary"].values()}
    assert counties == {"东山县", "西林区"}


# ------------------------------------------------------------------ reproducibility

def test_generation_is_deterministic(tmp_path):
    assert mjs.build() == mjs.build()
    mjs.write_all(tmp_path / "a", xls=False)
    mjs.write_all(tmp_path / "b", xls=False)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.xlsx"))
    assert len(files) == 15
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_committed_samples_equal_a_fresh_generation(tmp_path):
    # content, not bytes: the .xls files are LibreOffice conversions, and an xlsxwriter upgrade
    # may change the zip without changing the workbook
    mjs.write_all(tmp_path, xls=False)
    for folder in FOLDERS:
        committed = {p.stem: p for p in (SAMPLES / folder).glob("*.xls*")}
        fresh = {p.stem: p for p in (tmp_path / folder).glob("*.xlsx")}
        assert committed.keys() == fresh.keys(), "run: make samples"
        for stem, path in committed.items():
            assert sg.workbook_content(path) == sg.workbook_content(fresh[stem]), f"{path.name}: run make samples"


def test_readme_block_is_current():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert readme.split(mjs.README_MARK)[1].strip() == mjs.readme(SAMPLES, mjs.build()).strip(), "run: make samples"


def test_generator_does_not_import_equity_xlsx():
    code = ("import sys; sys.path.insert(0, 'scripts'); import make_jiceng_samples; "
            "print(any(m.split('.')[0] == 'equity_xlsx' for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_location_table_lists_the_full_width_labels():
    rows = {fig: (sheet, row, col) for fig, sheet, row, col in j.figure_locations("jichu-2018")}
    assert rows["backbone_primary"] == ("基础基112", "县级及以上骨干教师（小学）（26）", "数量")
    assert rows["backbone_junior"][1] == "县级及以上骨干教师（初中）（27）"
    assert rows["pe_primary"][2] == "按授课课程分 / 体育（与健康）"
