"""The repository holds the project's own files only: a test that writes outside its tmp_path
once committed a workbook named after a header cell (网络多媒体教室（间）) at the root."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOT_FILES = {".gitignore", "Makefile", "README.md", "pyproject.toml"}


def test_the_repository_root_holds_only_the_projects_own_files():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    at_root = {name for name in tracked.decode("utf-8").split("\0") if name and "/" not in name}
    assert at_root == ROOT_FILES


def test_a_test_runs_in_its_own_folder(tmp_path):
    # conftest.py moves every test into its tmp_path: a relative path written by mistake
    # lands there, never in the repository.
    assert Path.cwd() == tmp_path


def test_no_test_module_imports_another():
    # Shared helpers live in conftest.py (fixtures) or in helper modules (browser.py,
    # staff_typing.py, …): a test module imported by another ties the two together and runs the
    # imported module's code twice.
    importing = {}
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        tests = sorted(n for n in names if n.split(".")[0].startswith("test_") or n.split(".")[0] == "conftest")
        if tests:
            importing[path.name] = tests
    assert importing == {}


# What a test needs beyond Python is declared by a marker, and `make test-fast` leaves those
# tests out: a test that does such work without its marker fails (conftest.py `_declared`).

def test_a_whole_run_without_its_marker_fails():
    from equity_xlsx.batch import Run

    with pytest.raises(pytest.fail.Exception, match="mark it @pytest.mark.whole_run"):
        Run.go(object())


@pytest.mark.parametrize("command, marker", [
    (["/usr/bin/soffice", "--headless", "--convert-to", "pdf", "x.xlsx"], "libreoffice"),
    (["chromium", "--headless", "--print-to-pdf=x.pdf", "x.html"], "chromium"),
    ([sys.executable, "-m", "equity_xlsx.cli", "run", "县表", "--out", "结果"], "whole_run"),
    (["sh", "-ec", f"'{sys.executable}' -m equity_xlsx.cli 'run' '县表' --out '结果'"], "whole_run"),
])
def test_starting_what_a_marker_declares_without_it_fails_before_it_starts(command, marker):
    with pytest.raises(pytest.fail.Exception, match=f"mark it @pytest.mark.{marker}"):
        subprocess.Popen(command)


@pytest.mark.whole_run
def test_a_marked_test_runs_the_tool_itself():
    from equity_xlsx.batch import Run

    assert Run.go.__qualname__ == "Run.go"  # the real one, not the guard
