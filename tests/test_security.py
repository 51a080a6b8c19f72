"""Names and files an attacker controls: a county name, a title or a file name never decides a
path outside --out, a link planted in the output folder is never followed, the run lock never
truncates the file a link points to, and --state never renames a file that is not a ledger."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from equity_xlsx.batch import run
from equity_xlsx.outputs import NAME_BYTES, NAME_CHARS, OutsideOutput, clean_name, inside
from equity_xlsx.store import LedgerStore
from forms_by_hand import export
from runs_by_hand import school_row as export_row


# ---------------------------------------------------------------- cleaned names (Windows rules on every OS)

@pytest.mark.parametrize("given, expected", [
    ("大祥区", "大祥区"),
    ("../../x", "x"),
    ("/other/大祥区", "other_大祥区"),
    ("C:\\Windows\\大祥区", "C_Windows_大祥区"),
    ("甲\n县", "甲_县"),
    (".hidden", "hidden"),
    ("a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h"),
    ("县名. ", "县名"),                 # Windows drops trailing dots and spaces: the file would lose them
    ("CON", "CON_"), ("nul.txt", "nul_.txt"), ("com1", "com1_"),  # device names, whatever the case
    ("甲\u202e县", "甲_县"),             # a right-to-left override cannot disguise a name
    ("~$甲县", "$甲县"),                 # not an Excel lock file's name
    ("..", "未命名"), ("", "未命名"),
])
def test_clean_name_follows_windows_rules_on_every_os(given, expected):
    assert clean_name(given) == expected


def test_a_long_name_is_cut_to_80_characters_and_a_tag_is_kept_whole():
    assert len(clean_name("a" * 300)) == NAME_CHARS
    cut = clean_name("长" * 300)  # 3 bytes each: the byte limit comes first
    assert cut == "长" * (NAME_BYTES // 3)
    tagged = clean_name("长" * 300, tag="(430503)")
    assert tagged.endswith("(430503)") and len(tagged.encode("utf-8")) <= NAME_BYTES
    # every file made from it fits the 255-byte limit of a Linux file name
    assert len(f".{tagged}_评估结果(新).99999999.tmp.xlsx".encode("utf-8")) <= 255
    assert len(f"{tagged}_评估结果(新)_20261101-223000-12.xlsx".encode("utf-8")) <= 255


def test_inside_refuses_a_path_that_leaves_the_folder(tmp_path):
    out = tmp_path / "结果"
    out.mkdir()
    assert inside(out, out / "大祥区_评估结果.xlsx") == out / "大祥区_评估结果.xlsx"
    for escaping in (out / ".." / "x.xlsx", out / "/etc/x.xlsx", out):
        with pytest.raises(OutsideOutput):
            inside(out, escaping)
    (out / "链接.xlsx").symlink_to(tmp_path / "别处.xlsx")
    with pytest.raises(OutsideOutput):
        inside(out, out / "链接.xlsx")


def test_colliding_names_get_the_code_or_a_short_hash(tmp_path):
    out = tmp_path / "结果"
    with LedgerStore(out) as store:
        assert store.output_stem(out, "甲", "a/b") == ("a_b", True)
        second = store.output_stem(out, "乙", "a_b")[0]
        assert second.startswith("a_b_") and len(second) == len("a_b_") + 6  # not a path, not "a_b" again
        assert store.output_stem(out, "丙", "A_B")[0] not in ("A_B", second)  # Windows ignores case
        assert store.output_stem(out, "430503", "a:b", "430503") == ("a_b(430503)", True)
        assert store.output_stem(out, "甲", "a/b") == ("a_b", False)  # kept every night


def test_a_stem_an_older_version_stored_unclean_is_assigned_afresh(tmp_path):
    out = tmp_path / "结果"
    with LedgerStore(out) as store:
        from equity_xlsx.store import outputs

        with store.begin() as c:
            c.execute(outputs.insert(), [{"out_dir": str(out.resolve()), "stem": "../../x", "county": "甲",
                                          "assigned_at": __import__("datetime").datetime(2026, 1, 1)}])
        assert store.output_stem(out, "甲", "../../x") == ("x", True)


def listing(root: Path, *skip: Path) -> dict[str, bytes]:
    """Every file under ``root`` but not under ``skip``, with its content."""
    return {str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*") if p.is_file() and not any(s == p or s in p.parents for s in skip)}


@pytest.mark.whole_run
def test_county_names_from_the_data_never_decide_a_path_outside_out(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    theirs = other / "大祥区_评估结果.xlsx"
    theirs.write_bytes(b"another folder's staff-edited workbook")
    src, out = tmp_path / "县表", tmp_path / "a" / "b" / "结果"
    src.mkdir()
    hostile = ["../../x", str(other / "大祥区"), "甲\n县", ".隐藏县", "长" * 300, "CON", "a/b", "a_b"]
    export(src / "2025年小学基层表导出.xlsx", "小学",
           [export_row(f"学校{i}", str(1000 + i), county) for i, county in enumerate(hostile)])
    before = listing(tmp_path, out)

    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))

    assert listing(tmp_path, out) == before  # nothing outside --out created or changed
    entries = result.entries
    assert [e["status"] for e in entries] == ["ok"] * len(hostile), [e["errors"] for e in entries]
    outputs = [e["output"] for e in entries]
    assert len(set(outputs)) == len(hostile)
    for name in outputs:
        stem = name.removesuffix("_评估结果.xlsx")
        assert stem == clean_name(stem) and (out / name).is_file() and (out / f"{stem}_简报.html").is_file()
    assert outputs[:3] == ["x_评估结果.xlsx", f"{clean_name(str(other / '大祥区'))}_评估结果.xlsx", "甲_县_评估结果.xlsx"]
    assert outputs[6] == "a_b_评估结果.xlsx" and outputs[7].startswith("a_b_")
    assert entries[2]["county"] == "甲\n县"  # the county keeps its name, as the data gave it


@pytest.mark.whole_run
def test_a_link_planted_in_the_output_folder_is_not_followed(tmp_path):
    src, out = tmp_path / "县表", tmp_path / "结果"
    src.mkdir()
    out.mkdir()
    export(src / "2025年小学基层表导出.xlsx", "小学", [export_row("学校", "1001", "甲县")])
    secret = tmp_path / "别人的工作簿.xlsx"
    secret.write_bytes(b"not ours")
    (out / "甲县_评估结果.xlsx").symlink_to(secret)

    result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))

    assert secret.read_bytes() == b"not ours"
    assert (out / "甲县_评估结果.xlsx").is_symlink()
    assert [e["errors"][0]["code"] for e in result.entries] == ["output_outside"]
    assert not [p for p in out.rglob("*") if p.is_file() and not p.is_symlink() and p.read_bytes() == b"not ours"]  # not copied in


# ---------------------------------------------------------------- the run lock

@pytest.mark.parametrize("windows", [False, True], ids=["O_NOFOLLOW", "no O_NOFOLLOW (Windows)"])
def test_the_run_lock_never_follows_a_link(tmp_path, monkeypatch, windows):
    import equity_xlsx.outputs as outputs

    if windows:
        monkeypatch.setattr(outputs, "_NOFOLLOW", 0)
    out = tmp_path / "结果"
    out.mkdir()
    victim = tmp_path / "重要文件.txt"
    victim.write_text("不能被截断", encoding="utf-8")
    (out / outputs.LOCK_FILE).symlink_to(victim)
    with pytest.raises(outputs.UnsafeLock, match="链接"):
        with outputs.folder_lock(out, 0):
            pytest.fail("the lock was taken through a link")
    assert victim.read_text(encoding="utf-8") == "不能被截断"


def test_the_run_lock_refuses_a_hard_link_to_another_file(tmp_path):
    import equity_xlsx.outputs as outputs

    out = tmp_path / "结果"
    out.mkdir()
    victim = tmp_path / "重要文件.txt"
    victim.write_text("不能被截断", encoding="utf-8")
    os.link(victim, out / outputs.LOCK_FILE)
    with pytest.raises(outputs.UnsafeLock):
        with outputs.folder_lock(out, 0):
            pass
    assert victim.read_text(encoding="utf-8") == "不能被截断"


def test_a_plain_lock_file_is_taken_and_names_its_holder(tmp_path):
    import equity_xlsx.outputs as outputs

    out = tmp_path / "结果"
    with outputs.folder_lock(out, 0):
        assert f"进程 {os.getpid()}" in (out / outputs.LOCK_FILE).read_text(encoding="utf-8")
    with outputs.folder_lock(out, 0):  # released and taken again
        pass


@pytest.mark.parametrize("name", ["备份", ".equity-cache", "equity-ledger.sqlite"])
def test_a_fixed_output_name_linked_out_of_the_folder_stops_the_run_before_anything_is_written(tmp_path, name):
    from equity_xlsx.inputs import UsageError

    src, out = tmp_path / "县表", tmp_path / "结果"
    src.mkdir()
    out.mkdir()
    export(src / "2025年小学基层表导出.xlsx", "小学", [export_row("学校", "1001", "甲县")])
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    (out / name).symlink_to(elsewhere if name != "equity-ledger.sqlite" else elsewhere / "x.sqlite")
    with pytest.raises(UsageError, match="链接"):
        run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in out.iterdir()) == [name]


# ---------------------------------------------------------------- what is not a file in the input folder

@pytest.mark.whole_run
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_non_files_in_the_input_folder_are_listed_with_a_reason_and_never_opened(tmp_path):
    import json
    import socket

    from runs_by_hand import sample_counties

    src, out = sample_counties(tmp_path / "县表", ["大祥区"]), tmp_path / "结果"
    os.mkfifo(src / "管道.xlsx")  # opening it to read would wait forever
    (src / "文件夹.xlsx").mkdir()
    (src / "缺失.xlsx").symlink_to(tmp_path / "不存在.xlsx")
    (src / "环甲.xlsx").symlink_to(src / "环乙.xlsx")
    (src / "环乙.xlsx").symlink_to(src / "环甲.xlsx")
    (src / "设备.xlsx").symlink_to("/dev/null")
    (src / "链接文件夹").symlink_to(tmp_path, target_is_directory=True)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(src / "套接字.xlsx"))
    try:
        result = run([src], out, standard="national-2017", jobs=1, today=date(2026, 11, 1))
    finally:
        sock.close()
    assert [e["status"] for e in result.entries] == ["ok"]
    reasons = {n["file"]: n["reason"] for n in json.loads((out / "summary.json").read_text(encoding="utf-8"))["not_read"]}
    assert "命名管道" in reasons["管道.xlsx"]
    assert "文件夹" in reasons["文件夹.xlsx"]
    assert "不存在" in reasons["缺失.xlsx"]
    assert "循环" in reasons["环甲.xlsx"] and "循环" in reasons["环乙.xlsx"]
    assert "设备" in reasons["设备.xlsx"]
    assert "套接字" in reasons["套接字.xlsx"]
    assert "链接" in reasons["链接文件夹"]
    listed = [r for r in openpyxl.load_workbook(out / "运行报告.xlsx")["未读取的文件"].iter_rows(values_only=True)]
    assert {row[0] for row in listed} >= set(reasons)


def test_a_fifo_given_as_the_input_is_a_usage_error(tmp_path):
    from equity_xlsx.inputs import UsageError

    if not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are POSIX")
    os.mkfifo(tmp_path / "管道")
    with pytest.raises(UsageError, match="命名管道"):
        run([tmp_path / "管道"], tmp_path / "结果", standard="national-2017", jobs=1)
