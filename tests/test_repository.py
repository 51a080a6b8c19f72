"""The repository holds the project's own files only: a test that writes outside its tmp_path
once committed a workbook named after a header cell (网络多媒体教室（间）) at the root."""

from __future__ import annotations

import ast
import shutil
import subprocess
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
