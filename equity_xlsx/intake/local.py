"""A county's own form mapping files: ``表式补充.toml`` (any ``表式补充*.toml``) beside its school
workbooks or stage exports, or in the folder above.

Same format as the bundled ``rules/forms/*.toml``: ``[generation] name`` says which generation
(``jichu-2018``, ``jiaoji-2021``, ``export``) it adds to, and its ``[[figure]]`` / ``[[teachers]]``
entries are tried before the bundled ones — a row label, a header path or a fixed cell for a
form the county fills in differently, with no code change. Example (a 522 whose 运动场地面积
column is headed otherwise, taken by its cell)::

    [generation]
    name = "jichu-2018"

    [[figure]]
    field = "field_area"
    form = "522"
    cell = "F8"
    unit = "平方米"
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path, PurePosixPath

from ..form_layouts import FormRules, merge_local, read_form_rules

PATTERN = "表式补充*.toml"


def local_files(path: Path) -> list[Path]:
    """The mapping files that apply to the workbook at ``path``: its own folder's first, then
    the folder above's (each folder's in name order)."""
    out: list[Path] = []
    folder = Path(path).resolve().parent
    for where in (folder, folder.parent):
        try:
            out += sorted(p for p in where.glob(PATTERN) if p.is_file())
        except OSError:
            continue
    return list(dict.fromkeys(out))


def shown_names(path: Path, shown: str) -> dict[str, str]:
    """The mapping files of the workbook at ``path`` as the user sees them, by file name:
    beside the workbook shown as ``云溪县基层表/城关小学.xlsx`` → ``云溪县基层表/表式补充.toml``; in
    the folder above → ``表式补充.toml`` (or ``云溪县/表式补充.toml`` when the workbook is shown
    by its name alone). A name in both folders is the workbook's own folder's (tried first)."""
    folder = PurePosixPath(shown).parent
    own = Path(path).resolve().parent
    out: dict[str, str] = {}
    for f in local_files(path):
        if f.parent == own:
            where = folder / f.name
        elif str(folder) != ".":
            where = folder.parent / f.name
        else:
            where = PurePosixPath(f.parent.name) / f.name
        out.setdefault(f.name, str(where))
    return out


@lru_cache(maxsize=64)
def _parsed(path: Path, mtime: float, size: int) -> FormRules:  # noqa: ARG001 - the cache key
    return read_form_rules(path)


def local_form_rules(path: Path, bundled: tuple[FormRules, ...]) -> tuple[FormRules, ...]:
    """The form rules for the workbook at ``path``: the bundled ones with the county's own
    files' entries first. Raises RuleError (Chinese, naming the file) for a file with a mistake."""
    files = local_files(path)
    if not files:
        return bundled
    parsed = []
    for f in files:
        st = f.stat()
        parsed.append(_parsed(f, st.st_mtime, st.st_size))
    return merge_local(bundled, parsed)


def local_forms_digest(path: Path) -> str:
    """A digest of the mapping files that apply to ``path`` ("" when none): a changed mapping
    file makes its workbooks be read again."""
    files = local_files(path)
    if not files:
        return ""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode("utf-8"))
        try:
            digest.update(f.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()
