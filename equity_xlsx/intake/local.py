"""A county's own form mapping files (placeholder; filled in below)."""

from __future__ import annotations

from pathlib import Path

from ..forms import FormRules


def local_form_rules(path: Path, bundled: tuple[FormRules, ...]) -> tuple[FormRules, ...]:
    return bundled
