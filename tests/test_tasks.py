"""The bundled 任务清单 equals the 大祥区 seed table, and a county's own list is validated.

tests/data/seed_002_daxiang_tasks.txt is a byte copy of ../shared/seeds/002_956f970e9311ed85.txt
(the seed scripts/extract_tasks.py reads). The expected text below is read from it by a
parser written here on purpose, not imported from the script, so a bug there fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from equity_xlsx.standards import RuleError
from equity_xlsx.identity import CountyId
from equity_xlsx.tasks import DEFAULT_TASKS, TASKS_DIR, load_tasks

SEED = Path(__file__).parent / "data" / "seed_002_daxiang_tasks.txt"

B_SCORES = {"8": 10, "9": 5, "23": 5, "27": 10, "29": 10, "30": 10, "32": 20, "33": 10, "34": 10, "35": 10}


def expected_prose(cell_lines: list[str]) -> str:
    """The documented text rule: a line break survives only after a sentence end or before a
    numbered point ("2." but not "0.45"), otherwise the broken line is glued back."""
    text = "\n".join(line.strip() for line in cell_lines if line.strip())
    return re.sub(r"(?<![。；;：:！？!?])\n(?!\d{1,2}\.(?!\d)|[①-⑳])", "", text)


def seed_rows() -> tuple[list[list[list[str]]], str]:
    """Rows of six cells (each a list of raw lines), walking the seed line by line."""
    cells: list[list[str]] = []
    note: list[str] = []
    for line in SEED.read_text(encoding="utf-8").split("\n"):
        if line.startswith("说明：") or note:
            note.append(line)
        elif line.startswith("\t"):
            cells.append([line[1:]])
        elif cells:
            cells[-1].append(line)
    assert len(cells) % 6 == 0
    return [cells[i:i + 6] for i in range(0, len(cells), 6)], "".join(note).strip()


def expected_items() -> list[dict]:
    rows, _ = seed_rows()
    items: list[dict] = []
    group = ""
    for row in rows[1:]:  # row 0 is the header
        g, text, points, measures, departments, offices = row
        group = expected_prose(g) or group
        if expected_prose(text):
            items.append({
                "group": group,
                "text": expected_prose(text),
                "points": [expected_prose(points)],
                "measures": expected_prose(measures),
                "departments": [x.strip() for x in departments if x.strip()],
                "offices": [x.strip() for x in offices if x.strip()],
            })
        else:
            items[-1]["points"].append(expected_prose(points))
    return items


def test_seed_copy_has_36_items():
    assert len(expected_items()) == 36


def test_task_list_text_equals_seed_for_all_36_items():
    tasks = load_tasks("daxiang")
    expected = expected_items()
    assert [it.id for it in tasks.items] == [str(n) for n in range(1, 37)]
    for item, exp in zip(tasks.items, expected):
        assert item.group == exp["group"], item.id
        assert item.text == exp["text"], item.id
        assert [p.text for p in item.points] == exp["points"], item.id
        assert item.measures == exp["measures"], item.id
        assert list(item.departments) == exp["departments"], item.id
        assert list(item.offices) == exp["offices"], item.id


def test_broken_words_are_joined_and_numbered_points_keep_their_lines():
    tasks = load_tasks("daxiang")
    # Written out by hand from the seed.
    assert tasks.item(13).text == "13.小学、初中所有班级学生数分别不超过45人、50人。"
    assert tasks.item(9).points[1].text == (
        "2.规划建设一万人以上居民住宅区有配置小学，规划建设三万人以上居民住宅区有配置初中（2分）")
    assert tasks.item(6).points[0].text.endswith("初中均小于或等于0.45。")
    assert tasks.item(20).points[0].text == "专任教师（在岗、临聘、公民办）持有教师资格证上岗率达到100%。"
    assert tasks.item(1).points[0].text == (
        "1.全区和所有小学每百名学生拥有大专及以上学历教师4.2人以上；\n"
        "2.全区和所有初中每百名学生拥有本科以上学历教师5.3人以上；\n"
        "3.全区该值差异系数小学均小于或等于0.50，初中均小于或等于0.45。")
    # "；2.不足100" stays inline as written; only the stray break after "100" goes.
    assert tasks.item(14).points[0].text == (
        "1.不足100名学生村小学按100名学生核定公用经费；2.不足100名学生教学点按100名学生核定公用经费。")
    assert tasks.item(36).group == "社会认可度"
    assert tasks.item(36).offices == ("办公室", "督导室")
    assert tasks.item(8).departments == ("区委办", "区政府办", "区委编办", "区发改局", "区人社局",
                                         "区财政局", "区教育局")


def test_header_and_note_match_the_seed():
    tasks = load_tasks("daxiang")
    rows, note = seed_rows()
    assert list(tasks.columns) == [expected_prose(c) for c in rows[0]]
    assert tasks.columns[-1] == "区教育局责任股室"
    assert tasks.note == note
    assert tasks.title == "大祥区推进义务教育优质均衡发展工作任务清单"


def test_categories_scores_and_sub_rows():
    tasks = load_tasks("daxiang")
    assert len(tasks.a_items) == 26 and len(tasks.b_items) == 10
    assert {it.id: it.score for it in tasks.b_items} == B_SCORES
    assert sum(B_SCORES.values()) == 100
    # Item 8's four sub-rows carry (3分),(2分),(3分),(2分).
    assert [p.score for p in tasks.item(8).points] == [3, 2, 3, 2]
    assert len(tasks.item(30).points) == 8
    for it in tasks.b_items:
        assert sum(p.score for p in it.points) == it.score, it.id
        assert it.check.kind == "scored"
    assert str(tasks.item(1).check) == "indicator:1"
    assert str(tasks.item(13).check) == "school:class_size"
    assert str(tasks.item(19).check) == "county:19"


def test_groups_run_in_table_order():
    groups = [(g, [i.id for i in items]) for g, items in load_tasks("daxiang").groups()]
    assert [g for g, _ in groups] == ["资源配置", "政府保障程度", "教育质量", "立德树人", "信息化建设",
                                      "社会认可度"]
    assert groups[0][1] == [str(n) for n in range(1, 8)]
    assert groups[1][1] == [str(n) for n in range(8, 25)]


def test_script_output_is_the_committed_file(tmp_path):
    import runpy

    out = tmp_path / "t.toml"
    script = Path(__file__).parent.parent / "scripts" / "extract_tasks.py"
    mod = runpy.run_path(str(script))
    mod["main"](["x", str(SEED), str(out)])
    committed = (TASKS_DIR / "daxiang.toml").read_text(encoding="utf-8")
    # Only the "generated from" comment names the file it was read from.
    strip = lambda s: re.sub(r"from seeds/\S+;", "", s)  # noqa: E731
    assert strip(out.read_text(encoding="utf-8")) == strip(committed)


# ------------------------------------------------------------------ a county's own file
def _write(tmp_path, text: str) -> str:
    path = tmp_path / "tasks.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _bundled_without(pattern: str, repl: str = "", count: int = 1) -> str:
    text = DEFAULT_TASKS.read_text(encoding="utf-8")
    changed = re.sub(pattern, repl, text, count=count, flags=re.S)
    assert changed != text
    return changed


def _error(tmp_path, text: str) -> str:
    with pytest.raises(RuleError) as info:
        load_tasks(_write(tmp_path, text))
    return str(info.value)


def test_own_copy_loads(tmp_path):
    tasks = load_tasks(_write(tmp_path, DEFAULT_TASKS.read_text(encoding="utf-8")))
    assert len(tasks.items) == 36


def test_missing_item_is_named(tmp_path):
    text = _bundled_without(r'\[\[item\]\]\nid = "14"\n.*?(?=\[\[item\]\])')
    assert "缺少指标：第 14 项" in _error(tmp_path, text)


def test_duplicate_id(tmp_path):
    text = _bundled_without(r'id = "15"', 'id = "14"')
    msg = _error(tmp_path, text)
    assert "指标编号重复：第 14 项" in msg and "缺少指标：第 15 项" in msg


def test_b_item_without_score_and_total_not_100(tmp_path):
    text = _bundled_without(r'(id = "9"\ngroup = "[^"]*"\ncategory = "B"\n)score = 5\n', r"\1")
    text = re.sub(r"point_scores = \[1, 2, 2\]\n", "", text)
    msg = _error(tmp_path, text)
    assert "第 9 项是 B 类指标，缺少分值 score" in msg
    assert "B 类指标分值合计为 95 分，应为 100 分" in msg


def test_unknown_category_and_check(tmp_path):
    text = _bundled_without(r'category = "A"\ncheck = "indicator:1"', 'category = "C"\ncheck = "indicator:9"')
    msg = _error(tmp_path, text)
    assert "第 1 项的类别“C”无法识别" in msg
    assert "资源配置指标编号应为 1–7" in msg


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(RuleError, match="找不到任务清单文件"):
        load_tasks(str(tmp_path / "nope.toml"))
    with pytest.raises(RuleError, match="格式错误") as exc:
        load_tasks(_write(tmp_path, "[[item]\nid ="))
    assert "第 1 行" in str(exc.value) and "line" not in str(exc.value)


# ---------------------------------------------------------------- the neutral national list

def test_the_default_list_is_the_neutral_national_one():
    tasks = load_tasks()
    assert DEFAULT_TASKS.name == "national.toml" and tasks.name == "national"
    text = DEFAULT_TASKS.read_text(encoding="utf-8").split("[meta]", 1)[1]
    assert "大祥" not in text and "区教育局" not in text.replace("{县区}教育局", "")


def test_neutral_script_output_is_the_committed_file(tmp_path):
    import runpy

    out = tmp_path / "national.toml"
    runpy.run_path(str(Path(__file__).parent.parent / "scripts" / "neutral_tasks.py"))["main"](
        [str(TASKS_DIR / "daxiang.toml"), str(out)])
    assert out.read_text(encoding="utf-8") == DEFAULT_TASKS.read_text(encoding="utf-8")


def _neutral_documents() -> tuple[tuple[str, str], ...]:
    import runpy

    return runpy.run_path(str(Path(__file__).parent.parent / "scripts" / "neutral_tasks.py"))["DOCUMENTS"]


def test_rendered_for_daxiang_it_is_the_daxiang_list_but_for_its_own_documents():
    national, daxiang = load_tasks().render(CountyId("大祥区")), load_tasks("daxiang")
    assert national.title == daxiang.title and national.columns == daxiang.columns
    local = {"区公安局": "市公安局大祥分局"}  # the one department named after 大祥 itself (neutral_tasks.py)

    def neutral(text: str) -> str:  # the 大祥区 text with its documents as the national list words them
        for document, words in _neutral_documents():
            text = text.replace(document, words.replace("{县区}", "区"))
        return text

    for a, b in zip(national.items, daxiang.items):
        departments = tuple(local.get(d, d) for d in a.departments)
        assert (a.text, a.points_text, a.measures, departments, a.offices, a.category, a.score, a.check) == \
               (b.text, neutral(b.points_text), neutral(b.measures), b.departments, b.offices, b.category, b.score,
                b.check), a.id


def test_the_national_list_names_no_other_countys_documents_or_laws():
    tasks = load_tasks().render(CountyId("桃源县"))
    everything = "".join(it.text + it.points_text + it.measures + "".join(it.departments) for it in tasks.items)
    for foreign in ("湖南", "湘教", "大祥", "邵阳", "720元", "940元"):
        assert foreign not in everything, foreign
    # No made-up document of this county: 《桃源县贯彻落实…实施方案》 does not exist.
    assert re.findall(r"《[^》]*桃源县[^》]*》", everything) == []
    # Where a county names its own document, staff fill in the name.
    assert "本县学校体育美育教师配备计划（〔请填写文件名称〕）" in tasks.item("10").measures
    assert "本县的实施方案（〔请填写文件名称〕）" in tasks.item("27").measures
    # The 大祥区 list itself is unchanged.
    daxiang = load_tasks("daxiang")
    assert "《湖南省中小学规划建设条例》" in daxiang.item("9").measures
    assert "《大祥区贯彻落实深化新时代教育评价改革重点任务实施方案》" in daxiang.item("27").measures


def test_rendered_for_a_county_it_speaks_of_that_county():
    tasks = load_tasks().render(CountyId("河口县"))
    assert tasks.title == "河口县推进义务教育优质均衡发展工作任务清单"
    assert tasks.columns[5] == "县教育局责任股室"
    item1, item2 = tasks.item("1"), tasks.item("2")
    assert item1.points_text.startswith("1.全县和所有小学每百名学生拥有大专及以上学历教师4.2人以上")
    assert item2.text == "2.每百名学生拥有县级及以上骨干教师数：小学、初中均达到1人以上。"  # the national wording
    assert item1.departments == ("县委编办", "县人社局", "县教育局")
    everything = "".join(it.points_text + it.measures + it.text + "".join(it.departments) for it in tasks.items)
    assert "{" not in everything and "全区" not in everything and "区教育局" not in everything
    assert "城区和镇区" in tasks.item("21").points_text  # words that merely contain 区 are left alone
