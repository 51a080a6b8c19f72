"""Intake: workbook file -> normalised CountyData with provenance (no evaluation rules here).

Modules, in the order data flows through them:
grid (file -> cells), header (find and map the header), table / form / county (cells ->
records or county figures), normalise (stages, 口径, splits, composites, unit checks),
reader (``read_file`` / ``read_workbook``, the public entry points).

The 教育事业统计 基层表 (domain.md §7) go through formgrid (header paths, labelled rows),
school_forms (one school's workbook) or export (one school per row), then derive (the
statistics definitions) into the same Records, and assemble (a county's parts together).
"""

from .assemble import assemble
from .reader import read_file, read_workbook

__all__ = ["assemble", "read_file", "read_workbook"]
