"""``equity-xlsx forms check``: for every figure of every school in a folder of 基层表 (or one
file), where it was found — sheet, row label, header path, cell, value, unit — or why not,
with the labels nearest to the one wanted. The same reader as a run, with tracing on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..form_layouts import merge_local, read_form_rules
from ..problems import Code, Problem
from ..rulebook import Rules
from .local import local_files
from .part import FigureTrace
from .reader import read_file

# Problems that mean a figure the indicators need was not read from the forms.
MISSES = frozenset({Code.FORM_MISSING, Code.FORM_ROW_MISSING, Code.FORM_COLUMN_MISSING, Code.FORM_SECTION_MISSING,
                    Code.FORM_CELL_STARRED, Code.FORM_GENERATION_UNKNOWN, Code.FORM_MAPPING_INVALID,
                    Code.NOT_A_NUMBER, Code.UNKNOWN_UNIT, Code.NO_CACHED_VALUE, Code.NEGATIVE,
                    Code.EXPORT_NO_STAGE, Code.UNREADABLE})


@dataclass
class FileCheck:
    """What the reader made of one file."""

    file: str
    kind: str  # "school" | "export" | "county" (not a 基层表)
    generation: str = ""  # its title
    local: tuple[str, ...] = ()  # the county's own mapping files used
    data_year: int | None = None
    traces: list[FigureTrace] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every figure the indicators need was read."""
        return not any(p.code in MISSES for p in self.problems)


def with_mapping(rules: Rules, mapping: Path) -> Rules:
    """``rules`` with one more mapping file's entries tried first (to try a file before it is
    put beside the workbooks). Raises RuleError."""
    local = read_form_rules(mapping)
    return replace(rules, forms=merge_local(rules.forms, [local]))


def workbooks(target: Path) -> list[tuple[Path, str]]:
    """The workbooks a path names: the file, or every workbook under the folder (name relative
    to it), as a run would read them."""
    from ..inputs import not_read_reason

    if target.is_file():
        # Named with its folder, as in a run: the folder may give the county and the year.
        return [(target, f"{target.parent.name}/{target.name}" if target.parent.name else target.name)]
    return [(p, p.relative_to(target).as_posix()) for p in sorted(target.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(target).parts)
            and not_read_reason(p) is None]


def check_forms(target: Path, rules: Rules) -> list[FileCheck]:
    """Read every workbook under ``target`` with tracing on (see the module doc)."""
    out: list[FileCheck] = []
    for path, name in workbooks(target):
        for part in read_file(path, rules, display_name=name, trace=True):
            gen = next((r for r in rules.forms if r.generation.name == part.generation), None)
            given = tuple(p.name for p in gen.local) if gen is not None else ()
            local = tuple(dict.fromkeys((*given, *(p.name for p in local_files(path))))) if part.generation else ()
            title = gen.generation.title if gen is not None else ""
            out.append(FileCheck(name, part.kind, title, local, part.data_year, part.trace, part.problems))
    return out
