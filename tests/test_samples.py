"""sample_inputs/: regenerated identically by the script, headers known to the reader, and
(once the reader exists) read back to the values the generator computed independently."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_samples  # noqa: E402
import samplegen  # noqa: E402

from equity_xlsx.rulebook import Rules
from equity_xlsx.standards import load_aliases, load_standard  # noqa: E402

SAMPLES = ROOT / "sample_inputs"


def _counties():
    """(file, schools) for each committed sample, rebuilt from the script's seeds."""
    dx, _, _ = make_samples.daxiang(random.Random(make_samples.SEED))
    sf = make_samples.shifan(random.Random(make_samples.SEED + 1))
    shifan_file = next(SAMPLES.glob(f"{make_samples.SHIFAN_STEM}.xls*"))
    return [(SAMPLES / make_samples.DAXIANG_FILE, dx), (shifan_file, sf)]


def test_generator_headers_match_the_alias_table():
    samplegen.check_headers()


def test_reader_vocabulary_knows_every_sample_header():
    from equity_xlsx.intake.header import SEP, Vocabulary, norm

    vocab = Vocabulary.build(load_aliases())
    for group, leaf, key in samplegen.LAYOUT_A:
        if key in ("seq", "remark"):
            continue
        text = norm(group) + (SEP + norm(leaf) if leaf else "")
        assert vocab.match(text) is not None, text
    for head, _ in samplegen.LAYOUT_B:
        assert vocab.match(head) is not None, head


def test_daxiang_sample_is_current(tmp_path):
    # same cells, merges and hidden sheets as the committed file (not bytes: an xlsxwriter
    # upgrade may change the zip without changing the workbook)
    rng = random.Random(make_samples.SEED)
    dx, old, figures = make_samples.daxiang(rng)
    target = tmp_path / make_samples.DAXIANG_FILE
    samplegen.write_layout_a(target, "邵阳市大祥区", dx, figures, rng, hidden_old=old)
    assert samplegen.workbook_content(target) == samplegen.workbook_content(SAMPLES / make_samples.DAXIANG_FILE), \
        "run: make samples"


def test_samples_show_a_cv_over_its_limit_and_a_pass_by_the_85_percent_rule():
    dx = _counties()[0][1]
    results, county = samplegen.evaluate(dx)
    assert county["primary"]["equipment"][1] > samplegen.CV_LIMIT["primary"]
    assert any(r.passes and r.met == 6 for r in results)
    assert any(not r.passes for r in results)


def test_weighted_cv_of_generator_matches_the_published_example():
    # domain.md §2: the generator's own CV (used in sample_inputs/README.md) is the weighted one
    schools = []
    for n, books in zip((45, 37, 89, 76, 55), (279, 137, 935, 160, 402)):
        s = samplegen.School(f"S{n}", "", "小学", "town", [samplegen.SectionData("primary", n)],
                             {"teaching_area": books, "gym_area": 0, "field_area": 0, "equipment_value": 0,
                              "multimedia_rooms": 0})
        schools.append(s)
    _, county = samplegen.evaluate(schools)
    assert county["primary"]["teaching"][1] == pytest.approx(0.5153, abs=5e-5)


@pytest.mark.parametrize("index", [0, 1])
def test_reader_reads_samples_to_the_generator_values(index):
    try:
        from equity_xlsx.intake import read_workbook
    except ImportError:
        pytest.skip("equity_xlsx.intake.read_workbook 尚未实现")
    from equity_xlsx.indicators import evaluate

    path, schools = _counties()[index]
    std = load_standard()
    data = read_workbook(path, Rules.of(std))
    assert not data.errors, [(p.sheet, p.row, p.column, p.message) for p in data.errors]
    got = {(r.section.school, r.section.stage): r for r in evaluate(data, std).sections}
    want, _ = samplegen.evaluate(schools)
    assert set(got) == {(r.school, r.stage) for r in want}
    for w in want:
        g = got[(w.school, w.stage)]
        assert g.section.students == w.students
        for ind_id, key in enumerate(samplegen.INDICATORS, start=1):
            assert g.values[ind_id] == pytest.approx(w.values[key], rel=1e-9), (w.school, w.stage, key)
        assert g.passes == w.passes, w.school
    excluded = {e.school for e in data.exclusions}
    assert {s.name for s in schools if s.excluded} <= excluded
