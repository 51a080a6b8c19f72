"""Intake: workbook file -> normalised CountyData with provenance (no evaluation rules here).

Modules, in the order data flows through them:
grid (file -> cells), header (find and map the header), table / form / county (cells ->
records or county figures), normalise (stages, 口径, splits, composites, unit checks),
reader (``read_workbook``, the one public entry point).
"""

from .reader import read_workbook

__all__ = ["read_workbook"]
