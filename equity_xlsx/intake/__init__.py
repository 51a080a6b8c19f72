"""Intake: workbook file -> parts with provenance -> one county's CountyData (no evaluation rules here).

Modules, in the order data flows through them:
grid (file -> cells), header (find and map the header), table / one_school_sheet / county_figures
(cells -> records or county figures), reader (``read_file``: the recognisers, each returning
``part.WorkbookPart``s), assemble (a county's parts -> CountyData: the one place every input
shape is normalised, with normalise: stages, 口径, splits, composites, unit checks).

The 教育事业统计 基层表 (domain.md §7) go through formgrid (one form sheet: header paths,
labelled rows, stage sections, card cells), jiceng_workbook (one school's 基层表 workbook, the rules of
its generation with the county's own ``表式补充.toml`` first, see local) or export (one school
per row), then derive (the statistics definitions) into the same Records; check is
``equity-xlsx forms check``.
"""

from .assemble import assemble
from .part import WorkbookPart
from .reader import read_file, read_workbook

__all__ = ["WorkbookPart", "assemble", "read_file", "read_workbook"]
