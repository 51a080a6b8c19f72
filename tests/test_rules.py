"""Rule files are typed and strict: a misspelt key, a partial override and a broken reference
are clear Chinese errors when the rules are loaded, never a crash in the middle of a run."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from equity_xlsx.rulebook import Rules, check_rules, load_rules
from equity_xlsx.standards import (SECTIONS, STANDARDS_DIR, RuleError, describe, load_aliases, load_standard,
                                   parse_standard)
from equity_xlsx.tasks import load_tasks


def write_profile(tmp_path: Path, text: str, name: str = "省标准.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_misspelt_key_names_the_file_the_section_and_the_key(tmp_path):
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "x"\n[checks]\nclas_size_max = 40\n')
    with pytest.raises(RuleError) as exc:
        load_standard(str(path))
    message = str(exc.value)
    assert "省标准.toml" in message and "[checks]" in message and "clas_size_max" in message


def test_misspelt_section_is_an_error(tmp_path):
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "x"\n[chekcs]\nschool_size_max = 1\n')
    with pytest.raises(RuleError, match="chekcs"):
        load_standard(str(path))


def test_wrong_type_is_an_error(tmp_path):
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "x"\n[pass_rule]\nmin_met = "六"\n')
    with pytest.raises(RuleError, match="min_met"):
        load_standard(str(path))


def test_one_indicator_override_changes_only_that_indicator(tmp_path):
    # A province raises the 小学 equipment standard to 2500 元 and touches nothing else.
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "某省"\n'
                                   '[[indicator]]\nid = 6\nstandard = { primary = 2500, junior = 3000 }\n')
    std = load_standard(str(path))
    national = load_standard("national-2017")
    assert [i.id for i in std.indicators] == [1, 2, 3, 4, 5, 6, 7]
    assert std.indicator(6).standard == {"primary": 2500.0, "junior": 3000.0}
    assert std.indicator(6).name == national.indicator(6).name  # the rest of 6 is inherited
    assert std.indicator(6).numerator == "equipment_value" and std.indicator(6).scale == 1
    for k in (1, 2, 3, 4, 5, 7):
        assert std.indicator(k) == national.indicator(k)


def test_min_met_larger_than_the_indicators_is_an_error(tmp_path):
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "x"\n[pass_rule]\nmin_met = 8\n')
    with pytest.raises(RuleError, match="min_met"):
        load_standard(str(path))


def test_county_check_needs_exactly_one_bound(tmp_path):
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "x"\n'
                                   '[county_checks]\n"99" = { field = "quota_allocation_rate" }\n')
    with pytest.raises(RuleError, match="min 或 max"):
        load_standard(str(path))


def test_task_list_naming_a_missing_indicator_is_a_cross_reference_error(tmp_path):
    # A six-indicator province standard with the 36-item task list that names indicator 7.
    std = load_standard("national-2017")
    six = dataclasses.replace(std, indicators=std.indicators[:6])
    with pytest.raises(RuleError) as exc:
        check_rules(Rules(six, load_aliases(), load_tasks()))
    assert "第 7 项" in str(exc.value) and "指标 7" in str(exc.value)


def test_county_check_on_an_unknown_field_is_a_cross_reference_error(tmp_path):
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "x"\n'
                                   '[county_checks]\n"22" = { field = "quota_rate_typo", min = 0.5 }\n')
    with pytest.raises(RuleError, match="quota_rate_typo"):
        load_rules(str(path))


def test_settings_move_out_of_code(tmp_path):
    path = write_profile(tmp_path, 'extends = "national-2017"\n[profile]\nname = "x"\n'
                                   '[ledger]\ngrey_days = 14\nbackups_kept = 3\nstatus_choices = ["未整改", "已销号"]\n')
    ledger = load_standard(str(path)).ledger
    assert (ledger.grey_days, ledger.backups_kept, ledger.status_choices) == (14, 3, ("未整改", "已销号"))


@pytest.mark.parametrize("name", sorted(p.stem for p in STANDARDS_DIR.glob("*.toml")))
def test_every_key_of_every_bundled_profile_is_a_typed_setting(name):
    """Docs that cannot drift: each key in the bundled files is a field of its section."""
    raw = tomllib.loads((STANDARDS_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    std = load_standard(name)
    described = {(section, key) for section, key, _, _ in describe(std)}
    for section, body in raw.items():
        if section in SECTIONS:
            for key in body:
                assert (section, key) in described, (name, section, key)
    assert all(help_text for _, _, _, help_text in describe(std)), "every setting has help text"


def test_parse_rejects_a_document_without_indicators():
    with pytest.raises(RuleError, match="indicator"):
        parse_standard({"profile": {"name": "x"}, "cv": {"limit": {"primary": 0.5, "junior": 0.45}}},
                       Path("空.toml"))


def test_every_option_the_rules_files_mention_exists():
    # The comments of the rules files are the users' manual for them: an option they name
    # (--tasks FILE …) must be one `equity-xlsx run` accepts.
    import re

    import typer.main

    from equity_xlsx.cli import app

    run = typer.main.get_command(app).commands["run"]
    options = {opt for p in run.params for opt in p.opts}
    rules_dir = STANDARDS_DIR.parent
    mentioned = {(path.relative_to(rules_dir).as_posix(), opt)
                 for path in sorted(rules_dir.rglob("*.toml"))
                 for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")
                 for opt in re.findall(r"--[a-z][a-z-]*", line)}
    assert {m for m in mentioned if m[1] not in options} == set()
    assert ("counties.toml", "--counties") not in mentioned
