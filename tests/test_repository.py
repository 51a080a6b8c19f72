"""The repository holds the project's own files only: a test that writes outside its tmp_path
once committed a workbook named after a header cell (网络多媒体教室（间）) at the root."""

from __future__ import annotations

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
