"""Which files a run picks up, and how outputs are written."""

from pathlib import Path

import pytest

from equity_xlsx.inputs import UsageError, discover
from equity_xlsx.outputs import atomic_write, lock_exists


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_discover_skips_locks_hidden_outputs_and_other_files(tmp_path):
    src = tmp_path / "县表"
    touch(src / "甲县.xlsx")
    touch(src / "乙县 2025.xls")
    touch(src / "丙县.ods")
    touch(src / "sub" / "丁县.xlsm")
    touch(src / "~$甲县.xlsx")  # Excel lock file
    touch(src / ".隐藏.xlsx")
    touch(src / "甲县_评估结果.xlsx")  # our own output
    touch(src / "运行报告.xlsx")
    touch(src / "说明.docx")
    touch(src / ".git" / "x.xlsx")
    files = discover([src], tmp_path / "out")
    assert [f.name for f in files] == ["sub/丁县.xlsm", "丙县.ods", "乙县 2025.xls", "甲县.xlsx"]


def test_discover_skips_the_output_folder_inside_the_input(tmp_path):
    touch(tmp_path / "甲县.xlsx")
    touch(tmp_path / "结果" / "乙县.xlsx")
    files = discover([tmp_path], tmp_path / "结果")
    assert [f.name for f in files] == ["甲县.xlsx"]


def test_missing_input_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="找不到输入"):
        discover([tmp_path / "没有这个文件夹"], tmp_path / "out")


# Excel names the lock "~$" + name, or replaces the first two characters of a long name.
@pytest.mark.parametrize("lock", ["~$甲县_评估结果.xlsx", "~$_评估结果.xlsx", ".~lock.甲县_评估结果.xlsx#"])
def test_lock_file_beside_target_is_detected(tmp_path, lock):
    target = tmp_path / "甲县_评估结果.xlsx"
    assert not lock_exists(target)
    touch(tmp_path / lock)
    assert lock_exists(target)


def test_atomic_write_leaves_old_file_when_writer_fails(tmp_path):
    target = tmp_path / "结果 文件.xlsx"
    target.write_text("old")

    def broken(path):
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
    atomic_write(target, lambda p: p.write_text("new"))
    assert target.read_text() == "new"
