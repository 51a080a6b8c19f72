"""A county has an identity: its ledger, cache and output are filed under it, never under a
file name that can change. Two inputs claiming one county are refused by name."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.batch import run
from equity_xlsx.identity import CountyId, Counties, CountyEntry, code_in_text, load_counties, resolve
from equity_xlsx.store import LedgerStore
from runs_by_hand import summary

COUNTIES = Counties((CountyEntry("430503", "大祥区", "邵阳市"), CountyEntry("999001", "城关区", "甲市"),
                     CountyEntry("999002", "城关区", "乙市")))


def county_book(path: Path, title: str | None, students: int = 500, qualified: int = 10) -> Path:
    """A one-school county table; ``qualified`` 10 of 500 pupils leaves indicator 1 short."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "小学"
    if title:
        ws.append([title])
    ws.append(["学校名称", "学段", "在校生数", "高于规定学历教师数"])
    ws.append(["城南小学", "小学", students, qualified])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ---------------------------------------------------------------- resolving an identity

def test_code_in_the_data_wins_over_the_name():
    got = resolve(code="430503", title_name="别的区", file_stem="x", counties=COUNTIES)
    assert got == CountyId("大祥区", "430503", "data")


def test_name_in_the_title_takes_its_code_from_the_mapping():
    assert resolve(code=None, title_name="大祥区", file_stem="x", counties=COUNTIES) == CountyId("大祥区", "430503", "mapping")


def test_a_name_shared_by_two_cities_needs_the_city_in_the_title():
    assert resolve(code=None, title_name="城关区", file_stem="x", counties=COUNTIES).code is None
    got = resolve(code=None, title_name="城关区", file_stem="x", counties=COUNTIES, context="乙市城关区2025年统计表")
    assert got.code == "999002"


def test_file_name_is_the_last_resort():
    got = resolve(code=None, title_name=None, file_stem="新表", counties=COUNTIES)
    assert (got.name, got.code, got.source) == ("新表", None, "file")


def test_code_written_in_a_title_or_note_is_found():
    assert code_in_text(["大祥区义务教育学校统计表", "行政区划代码：430503"]) == "430503"
    assert code_in_text(["统计用区划代码 430503001000"]) == "430503"  # 12-digit code cut to the county
    assert code_in_text(["联系电话 430503"]) is None  # a number without the label is not a code
    assert code_in_text(["行政区划代码:430503001"]) == "430503"  # 9-digit code cut to the county


@pytest.mark.parametrize("name, area, bureau", [("大祥区", "全区", "区教育局"), ("新邵县", "全县", "县教育局"),
                                               ("武冈市", "全市", "市教育局"), ("鄂托克旗", "全旗", "旗教育局"),
                                               ("城步苗族自治县", "全县", "县教育局")])
def test_the_level_word_comes_from_the_name(name, area, bureau):
    county = CountyId(name)
    assert (county.area_word, county.bureau) == (area, bureau)


def test_bundled_mapping_loads():
    assert load_counties().by_name("大祥区").code == "430503"


# ---------------------------------------------------------------- runs

@pytest.mark.whole_run
def test_output_is_named_by_the_county_and_a_renamed_input_keeps_its_ledger(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    county_book(src / "数据.xlsx", "大祥区2025年学校数据")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1))
    first = summary(out)["workbooks"][0]
    assert (first["county"], first["county_code"], first["output"]) == ("大祥区", "430503", "大祥区_评估结果.xlsx")
    (src / "数据.xlsx").rename(src / "大祥区数据（最终）.xlsx")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 2))
    second = summary(out)["workbooks"][0]
    assert second["output"] == "大祥区_评估结果.xlsx"
    assert second["ledger_changes"]["opened"] == 0  # the same gaps, not a new ledger
    assert sorted(p.name for p in out.glob("*_评估结果*.xlsx")) == ["大祥区_评估结果.xlsx"]
    with LedgerStore(out) as store:
        assert store.counties() == ["430503"]


@pytest.mark.whole_run
def test_two_inputs_with_one_stem_are_two_counties_with_two_outputs(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    county_book(src / "县表.xlsx", "甲县2025年学校数据")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1))
    county_book(src / "县表.ods", "乙县2025年学校数据", students=800)  # another county, same stem, next night
    shutil.copy(src / "县表.ods", src / "tmp.xlsx")
    (src / "县表.ods").unlink()
    (src / "tmp.xlsx").rename(src / "县表.xlsm")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 2))
    by_input = {w["input"]: w for w in summary(out)["workbooks"]}
    assert by_input["县表.xlsx"]["output"] == "甲县_评估结果.xlsx" and by_input["县表.xlsx"].get("skipped")
    assert by_input["县表.xlsm"]["output"] == "乙县_评估结果.xlsx" and not by_input["县表.xlsm"].get("skipped")
    assert by_input["县表.xlsm"]["stages"]["primary"]["students"] == 800


def test_two_counties_of_one_name_get_distinct_outputs(tmp_path):
    out = tmp_path / "结果"
    with LedgerStore(out) as store:
        assert store.output_stem(out, "999001", "城关区", "999001") == ("城关区", True)
        assert store.output_stem(out, "999002", "城关区", "999002") == ("城关区(999002)", True)
        assert store.output_stem(out, "999001", "城关区", "999001") == ("城关区", False)  # kept every night


@pytest.mark.whole_run
def test_same_county_twice_is_a_clash_and_neither_is_evaluated(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    county_book(src / "大祥区.xlsx", "大祥区2025年学校数据")
    county_book(src / "大祥区（修订）.xlsx", "大祥区2025年学校数据", students=520)
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1))
    assert result.exit_code == 1
    entries = summary(out)["workbooks"]
    assert [(w["input"], w["status"], w["errors"][0]["code"]) for w in entries] == [
        ("大祥区.xlsx", "error", "county_clash"), ("大祥区（修订）.xlsx", "error", "county_clash")]
    assert "大祥区（修订）.xlsx" in entries[0]["errors"][0]["message"]  # names the other file
    assert not list(out.glob("*_评估结果*.xlsx"))
    with LedgerStore(out) as store:
        assert store.counties() == []  # no ledger written in turns


@pytest.mark.whole_run
def test_prefer_picks_one_of_the_clashing_inputs(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    county_book(src / "大祥区.xlsx", "大祥区2025年学校数据")
    county_book(src / "大祥区（修订）.xlsx", "大祥区2025年学校数据", students=520)
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1), prefer=["大祥区（修订）.xlsx"])
    by_input = {w["input"]: w for w in summary(out)["workbooks"]}
    assert by_input["大祥区（修订）.xlsx"]["status"] == "ok"
    assert by_input["大祥区（修订）.xlsx"]["stages"]["primary"]["students"] == 520
    assert by_input["大祥区.xlsx"]["errors"][0]["code"] == "county_clash_not_preferred"


@pytest.mark.whole_run
def test_county_from_the_file_name_is_a_warning(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    county_book(src / "石门县.xlsx", None)
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1))
    entry = summary(out)["workbooks"][0]
    assert entry["county"] == "石门县" and entry["problems"]["county_from_file_name"] == 1


@pytest.mark.whole_run
def test_an_output_named_by_the_old_version_is_adopted_and_retired(tmp_path):
    """0.1 named results after the input; what staff typed there survives the rename."""
    src, out = tmp_path / "县表", tmp_path / "结果"
    county_book(src / "数据.xlsx", "大祥区2025年学校数据")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1))
    new = out / "大祥区_评估结果.xlsx"
    wb = openpyxl.load_workbook(new)
    ws = wb["整改台账"]
    heads = [c.value for c in ws[1]]
    ws.cell(2, heads.index("责任人") + 1, "王主任")
    wb.save(out / "数据_评估结果.xlsx")  # as if 0.1 had written it under the input's name
    new.unlink()
    with LedgerStore(out) as store, store.begin() as conn:  # and had no name registry
        conn.exec_driver_sql("DELETE FROM equity_outputs")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 2), force=True)
    ws = openpyxl.load_workbook(new)["整改台账"]
    assert ws.cell(2, heads.index("责任人") + 1).value == "王主任"
    assert not (out / "数据_评估结果.xlsx").exists() and list((out / "备份").glob("数据_评估结果_*.xlsx"))


# ---------------------------------------------------------------- a county named only by its file

JIA = [("城南小学", "2143000001"), ("城北小学", "2143000002"), ("河西小学", "2143000003")]


def schools_book(path: Path, schools: list[tuple[str, str]]) -> Path:
    """A collection table whose title names no county (so its county is its file name): each
    school 500 pupils and 10 teachers above the required degree, 2.0 per 100 pupils, short of
    indicator 1's 4.2 by 11 teachers (21 needed), so every school and the county have a line.
    By hand, for the three JIA schools: each 500 × 4.2 / 100 = 21 needed − 10 = 11 short; the
    county 1500 × 4.2 / 100 = 63 needed − 30 = 33 short."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "小学"
    ws.append(["学校名称", "学校标识码", "学段", "在校生数", "高于规定学历教师数"])
    for name, code in schools:
        ws.append([name, code, "小学", 500, 10])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def ledger_rows(path: Path) -> tuple[list[str], list[dict]]:
    ws = openpyxl.load_workbook(path)["整改台账"]
    heads = [c.value for c in ws[1]]
    return heads, [dict(zip(heads, (c.value for c in r))) for r in ws.iter_rows(min_row=2) if r[0].value]


@pytest.mark.whole_run
def test_a_renamed_input_named_only_by_its_file_keeps_its_ledger_by_its_schools(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    schools_book(src / "甲.xlsx", JIA)
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1))
    first = summary(out)["workbooks"][0]
    assert (first["county"], first["output"]) == ("甲", "甲_评估结果.xlsx")
    result = out / "甲_评估结果.xlsx"
    heads, lines = ledger_rows(result)
    ids = [line["台账编号"] for line in lines]
    assert {line["学校"]: line["需补足"] for line in lines if line["指标编号"] == 1} == {
        "全县": "需补足教师 33 人", "城南小学": "需补足教师 11 人", "城北小学": "需补足教师 11 人",
        "河西小学": "需补足教师 11 人"}
    wb = openpyxl.load_workbook(result)
    wb["整改台账"].cell(2, heads.index("责任人") + 1, "王主任")
    wb.save(result)

    (src / "甲.xlsx").rename(src / "乙.xlsx")
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 2))
    second = summary(out)["workbooks"][0]
    assert (second["input"], second["status"], second["county"], second["output"]) == (
        "乙.xlsx", "ok", "甲", "甲_评估结果.xlsx")
    assert second["problems"]["county_known_by_schools"] == 1
    assert second["ledger_changes"]["opened"] == 0  # the same gaps, not a new ledger
    assert sorted(p.name for p in out.glob("*_评估结果*.xlsx")) == ["甲_评估结果.xlsx"]
    _, lines = ledger_rows(result)
    assert [line["台账编号"] for line in lines] == ids
    assert lines[0]["责任人"] == "王主任"  # what staff typed into the first line is kept
    with LedgerStore(out) as store:
        assert store.counties() == ["甲"]

    # Another county's table, one school in common: its own county, its own ledger.
    schools_book(src / "丙.xlsx", [("山口小学", "2143000101"), ("石桥小学", "2143000102"), ("城南小学", "2143000001")])
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 3))
    by_input = {w["input"]: w for w in summary(out)["workbooks"]}
    assert (by_input["丙.xlsx"]["county"], by_input["丙.xlsx"]["output"]) == ("丙", "丙_评估结果.xlsx")
    assert "county_known_by_schools" not in by_input["丙.xlsx"]["problems"]
    _, own = ledger_rows(out / "丙_评估结果.xlsx")
    assert {line["学校"] for line in own if line["指标编号"] == 1} == {"全县", "山口小学", "石桥小学", "城南小学"}
    assert by_input["丙.xlsx"]["ledger_changes"]["opened"] == len(own)  # a new ledger of its own
    assert (by_input["乙.xlsx"]["county"], by_input["乙.xlsx"]["output"]) == ("甲", "甲_评估结果.xlsx")
    with LedgerStore(out) as store:
        assert store.counties() == ["丙", "甲"]


@pytest.mark.whole_run
def test_a_renamed_copy_beside_the_original_is_a_clash(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    schools_book(src / "甲.xlsx", JIA)
    run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 1))
    shutil.copy(src / "甲.xlsx", src / "甲 - 副本.xlsx")
    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 3, 2))
    assert result.exit_code == 1
    assert [(w["input"], w["errors"][0]["code"]) for w in summary(out)["workbooks"]] == [
        ("甲 - 副本.xlsx", "county_clash"), ("甲.xlsx", "county_clash")]


def test_schools_are_the_same_county_when_most_on_both_sides_match():
    from equity_xlsx.filing import Roster, likeness

    county = Roster(frozenset((f"第{i}小学", f"21430000{i:02d}") for i in range(1, 31)))
    assert likeness(Roster(frozenset({("第1小学", "2143000001")})), county) is None  # one school of thirty
    renamed = Roster(frozenset((f"第{i}小学", "") for i in range(1, 17)))  # 16 of the 30 names
    found = likeness(renamed, county)
    assert (found.same, found.of, found.by) == (16, 16, "学校名称")
    assert likeness(Roster(frozenset((f"第{i}小学", "") for i in range(1, 16))), county) is None  # 15: not most
    retyped = Roster(frozenset((f"{i}号学校", f"21430000{i:02d}") for i in range(1, 31)))  # names re-typed
    found = likeness(retyped, county)
    assert (found.same, found.of, found.by) == (30, 30, "学校标识码")
