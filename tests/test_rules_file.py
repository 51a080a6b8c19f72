"""The one public loader of rules files (``standards.read_rules_file``): what it promises and
its Chinese errors, and that every rules file of the package goes through it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from equity_xlsx.form_layouts import read_form_rules
from equity_xlsx.identity import load_counties
from equity_xlsx.standards import RuleError, load_aliases, read_rules_file
from equity_xlsx.tasks import load_tasks

PACKAGE = Path(__file__).resolve().parents[1] / "equity_xlsx"

MAPPING = '[generation]\nname = "jiaoji-2021"\n\n[[figure]]\nfield = "field_area"\nform = "5176"\nrows = ["运动场地面积"]\n'


def test_tables_come_back_as_plain_dicts_and_lists(tmp_path):
    path = tmp_path / "表式补充.toml"
    path.write_text(MAPPING, encoding="utf-8")
    assert read_rules_file(path) == {"generation": {"name": "jiaoji-2021"},
                                     "figure": [{"field": "field_area", "form": "5176", "rows": ["运动场地面积"]}]}
    assert read_rules_file(str(path)) == read_rules_file(path)


def test_a_file_saved_with_a_bom_is_read(tmp_path):
    # Notepad's "UTF-8" adds a byte-order mark; the person did nothing wrong.
    path = tmp_path / "表式补充.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MAPPING.encode("utf-8"))
    assert read_rules_file(path)["generation"] == {"name": "jiaoji-2021"}
    assert read_form_rules(path).figures[0].rows == (("运动场地面积",),)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(RuleError, match="找不到规则文件") as exc:
        read_rules_file(tmp_path / "没有.toml")
    assert "没有.toml" in str(exc.value)


def test_a_folder_is_not_a_rules_file(tmp_path):
    folder = tmp_path / "表式补充.toml"
    folder.mkdir()
    with pytest.raises(RuleError, match="无法读取规则文件") as exc:
        read_rules_file(folder)
    assert "表式补充.toml" in str(exc.value)


def test_a_file_saved_as_gbk_says_how_to_save_it_again(tmp_path):
    path = tmp_path / "表式补充.toml"
    path.write_bytes(MAPPING.encode("gbk"))
    with pytest.raises(RuleError, match="不是 UTF-8 编码") as exc:
        read_rules_file(path)
    message = str(exc.value)
    assert "表式补充.toml" in message and "另存为" in message and "codec" not in message


def test_a_syntax_error_gives_line_and_column_in_chinese(tmp_path):
    path = tmp_path / "counties.toml"
    path.write_text('[[county]]\nname = "青石县"\ncode = 431102\nname2 "x"\n', encoding="utf-8")
    with pytest.raises(RuleError, match="规则文件格式错误") as exc:
        read_rules_file(path)
    message = str(exc.value).replace(str(path), "<path>")
    assert "<path>" in message and "第 4 行" in message
    assert "line" not in message and "column" not in message


@pytest.mark.parametrize("load", [load_aliases, load_counties, load_tasks, read_form_rules])
def test_every_kind_of_rules_file_meets_the_same_errors(tmp_path, load):
    path = tmp_path / "x.toml"
    path.write_bytes("a = \"县\"\n".encode("gbk"))
    with pytest.raises(RuleError, match="不是 UTF-8 编码"):
        load(str(path) if load is not read_form_rules else path)
    path.write_text("[a\n", encoding="utf-8")
    with pytest.raises(RuleError, match="规则文件格式错误"):
        load(str(path) if load is not read_form_rules else path)


def test_no_module_reaches_into_a_private_name_of_standards():
    offenders = []
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("standards"):
                offenders += [f"{source.name}: {a.name}" for a in node.names if a.name.startswith("_")]
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "standards" and node.attr.startswith("_"):
                offenders.append(f"{source.name}: standards.{node.attr}")
    assert offenders == []
