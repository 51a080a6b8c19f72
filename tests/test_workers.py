"""One file's worker dying, or running out of memory, takes down only that file: the others
are run again in a fresh worker and finish. (Hostile behaviour is injected into forked
workers by patching the reader in the test process.)"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from datetime import date

import pytest
from runs_by_hand import sample_counties

import equity_xlsx.batch as batch
import equity_xlsx.pipeline as pipeline
import equity_xlsx.workers as workers

pytestmark = [pytest.mark.whole_run,
              pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                                 reason="patches reach the workers only when they are forked")]


def test_a_worker_that_dies_reading_takes_down_only_its_file(tmp_path, monkeypatch):
    src, out = tmp_path / "县表", tmp_path / "结果"
    sample_counties(src, ["甲县", "乙县", "丙县", "丁县"])
    real = workers.read_input

    def dying(f, rules):
        if f.name == "乙县.xlsx":
            os._exit(9)  # as the kernel's OOM killer or a native crash would end it
        return real(f, rules)

    monkeypatch.setattr(workers, "read_input", dying)
    result = batch.run([src], out, standard="national-2017", jobs=2, today=date(2026, 11, 1))
    status = {e["input"]: (e["status"], [p["code"] for p in e["errors"]]) for e in result.entries}
    assert status["乙县.xlsx"] == ("error", ["worker_died"])
    assert all(status[f"{n}.xlsx"][0] == "ok" for n in ("甲县", "丙县", "丁县"))
    message = next(e for e in result.entries if e["input"] == "乙县.xlsx")["errors"][0]["message"]
    assert "意外退出" in message and "BrokenProcessPool" not in message  # the detail goes to the log


def test_a_worker_that_dies_evaluating_takes_down_only_its_county(tmp_path, monkeypatch):
    src, out = tmp_path / "县表", tmp_path / "结果"
    sample_counties(src, ["甲县", "乙县", "丙县"])
    real = pipeline._evaluate_county

    def dying(job):
        if job.county.name == "丙县":
            os._exit(9)
        return real(job)

    monkeypatch.setattr(pipeline, "_evaluate_county", dying)
    result = batch.run([src], out, standard="national-2017", jobs=2, today=date(2026, 11, 1))
    status = {e["county"]: e["status"] for e in result.entries}
    assert status == {"甲县": "ok", "乙县": "ok", "丙县": "error"}
    assert {p.name for p in out.glob("*_评估结果.xlsx")} == {"甲县_评估结果.xlsx", "乙县_评估结果.xlsx"}


def test_a_worker_past_its_memory_cap_fails_alone_with_a_chinese_reason(tmp_path, monkeypatch):
    src, out = tmp_path / "县表", tmp_path / "结果"
    sample_counties(src, ["甲县", "乙县", "丙县"])
    rules_dir = tmp_path / "规则"
    rules_dir.mkdir()
    capped = rules_dir / "capped.toml"
    capped.write_text('extends = "national-2017"\n[profile]\nname = "capped"\n[limits]\nmax_worker_memory_mb = 3072\n',
                      encoding="utf-8")
    real = workers.read_input

    def greedy(f, rules):
        if f.name == "乙县.xlsx":
            bytearray(8 * 1024 ** 3)  # 8 GiB, far past the 3 GiB cap
        return real(f, rules)

    monkeypatch.setattr(workers, "read_input", greedy)
    result = batch.run([src], out, standard=str(capped), jobs=2, today=date(2026, 11, 1))
    by_input = {e["input"]: e for e in result.entries}
    assert [p["code"] for p in by_input["乙县.xlsx"]["errors"]] == ["out_of_memory"]
    assert "3072 MB" in by_input["乙县.xlsx"]["errors"][0]["message"]
    assert by_input["甲县.xlsx"]["status"] == by_input["丙县.xlsx"]["status"] == "ok"
    shutil.rmtree(out)
