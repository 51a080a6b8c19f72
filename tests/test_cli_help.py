"""The command line speaks Chinese: help for every command and option, usage errors, and
nothing cut off (in the manner of sqlite-utils' tests/test_docs.py)."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from equity_xlsx.cli import app

runner = CliRunner()
ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "[required]", "default:", "Error")


def help_of(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"], terminal_width=80, prog_name="equity-xlsx")
    assert result.exit_code == 0, result.output
    return result.output


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("command", [(), ("run",), ("template",), ("standards",)])
def test_help_is_chinese(command):
    text = help_of(*command)
    assert text.startswith("用法：equity-xlsx")
    assert not [w for w in ENGLISH if w in text], text
    assert "显示本帮助并退出" in text


def test_every_option_has_its_whole_help_text():
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        text = flat(help_of(name))
        assert command.help, name
        for param in command.params:
            assert param.help, (name, param.name)
            assert flat(param.help) in text, (name, param.name)  # wrapped, never cut off with "…"


def test_usage_errors_are_chinese_with_exit_code_2(tmp_path):
    missing = runner.invoke(app, ["run", str(tmp_path)])
    assert missing.exit_code == 2 and "缺少必填的 --out/-o" in missing.output
    unknown = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--bogus"])
    assert unknown.exit_code == 2 and "没有这个选项：--bogus" in unknown.output
    bad = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--jobs", "0"])
    assert bad.exit_code == 2 and "--jobs/-j 的值无效，应为不小于 1 的整数" in bad.output
    for result in (missing, unknown, bad):
        assert not [w for w in ENGLISH if w in result.output], result.output
