"""市级汇总.xlsx: one run's counties side by side, for the city's statisticians.

Sheets:

* 汇总 — one row per county × stage (小学 block, then 初中 block, counties by 行政区划代码):
  the 资源配置 verdict with its reasons, schools passing, the seven CVs coloured against the
  stage limit, the worst indicator (largest CV ÷ limit), the county's 整改台账 counts and its
  B类 score. Counties that could not be evaluated follow, with their first error.
* 图表 — per stage, a clustered column chart of every county's seven CVs with the limit as a
  line; the series point at the 汇总 cells (filtering 汇总 filters the charts).
* 未达标学校 — every ledger line of every failing school section, and the county-level lines
  (全县 / 全区 …), with the gap in the indicator's unit and what must be added in real units.
* 趋势 — per stage, county × data year × the seven CVs, and per stage and indicator a line
  chart (one series per county, x = data year) with the limit line.

Input: ``entries`` are the counties' ``outcome.CountyOutcome``s (a failed one shows its first
error), or summary.json ``workbooks[]`` elements, read by ``CountyOutcome.from_json`` (so an
older entry without ``schools_failing``, ``ledger_totals`` or ``b_score`` still shows: a missing
stage is 未提供数据, a missing figure a blank cell). ``trend`` is one ``outcome.TrendPoint`` per
county and data year (the latest run of that year, as the ledger store gives them), or its
dict form::

    {"county": str, "county_code": str | None, "data_year": int,
     "run_at": "YYYY-MM-DD HH:MM:SS",
     "stages": {stage: {"cv": {ind_id: float | None}, "county_value": {ind_id: float | None},
                        "schools": int, "schools_passing": int, "resource_pass": bool}},
     "ledger_open": int, "ledger_closed": int}

On screen and paper: a CV over its limit, a worst ratio over 1 and a 未达标学校 value short of
its standard get the decimals that keep them from reading as within (``display``: 0.50004, not
"0.5000" beside 0.5); every sheet prints on A4 at no less than 85 % (text ≥ 8 pt), pages across
repeating the identifying columns and the column names (``report.formats.print_setup``).

A stage's verdict and reasons are its ``stage_view.StageView`` (the same as 概览 and the
briefs). Units as in summary.json: CVs and limits are plain ratios; indicator values per 100
students (×100), m², 元. Verdicts are taken from the data (``resource_pass``), never recomputed.
"""

from __future__ import annotations

import numbers
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .outputs import ROLLUP
from .identity import CountyId
from .model import STAGE_LABEL, STAGES
from .outcome import CountyOutcome, LedgerItem, StageOutcome, TrendPoint, as_number, float_or_none
from .needs import fmt_number, wan_yuan
from .display import gap_above_zero_decimals, gap_decimals, honest_decimals
from .report.formats import (A4_PT, Formats, column_px, fit_width, new_workbook, number_format, plan_pages,
                             print_setup, protect, wrapped_height)
from .stage_view import StageView
from .standards import Standard
from .vocabulary import RollupSheet

ROLLUP_FILE = ROLLUP
SUMMARY_SHEET, CHART_SHEET, FAILING_SHEET, TREND_SHEET = (RollupSheet.SUMMARY, RollupSheet.CHARTS, RollupSheet.FAILING,
                                                          RollupSheet.TREND)
FAILED = "评估失败"
UNKNOWN_COUNTY = "（未识别）"
SCHOOL_LEVEL, COUNTY_LEVEL = "学校", "县级"
ONE_YEAR_NOTE = "目前只有一次运行（一个数据年份）的数据，以后每有新一年的数据，图中会增加一个点（同一年份取最近一次运行）。"
LIMIT_LABEL = "限值"
LIMIT_COLOR = "#C00000"
# Seven distinguishable column colours (Office palette, darker tones kept readable in print).
PALETTE = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478")

# The indicator's unit decides how 现值 / 标准 / 差距 are shown ("" is a CV line); others 2 decimals.
_UNIT_KIND = {"": "cv", "元": "money", "%": "amount", "人": "amount", "间": "amount", "班": "amount"}
# The decimals each kind's format shows (at most, for "amount": "#,##0.0##").
UNIT_KIND_DECIMALS = {"cv": 4, "money": 0, "amount": 3, "decimal": 2}


def _unit_kind(unit: str) -> str:
    return _UNIT_KIND.get(unit, "decimal")


class RollupFrames(NamedTuple):
    """The roll-up's tables. ``summary``: one row per county × stage (then failed entries);
    ``failing``: one row per ledger line of a failing school section or of a county;
    ``trend``: one row per county × data year × stage."""

    summary: pd.DataFrame
    failing: pd.DataFrame
    trend: pd.DataFrame


# ------------------------------------------------------------------ frames (pure)

def cv_column(ind_id: int | str) -> str:
    """Frame column of an indicator's CV: ``cv_1`` … ``cv_7``."""
    return f"cv_{ind_id}"


def rollup_frames(entries: list[CountyOutcome | dict], standard: Standard,
                  trend: list[TrendPoint | dict] | None = None) -> RollupFrames:
    """The three tables the workbook shows, as pandas DataFrames (see ``RollupFrames``).

    Counties are ordered by 行政区划代码 (counties without a code last, by name); ``summary``
    holds the 小学 block, then the 初中 block, then the failed entries.
    """
    outcomes, points = _outcomes(entries), _points(trend or [])
    return RollupFrames(summary_frame(outcomes, standard), failing_frame(outcomes), trend_frame(points, standard))


def _outcomes(entries: list[CountyOutcome | dict]) -> list[CountyOutcome]:
    return [e if isinstance(e, CountyOutcome) else CountyOutcome.from_json(e) for e in entries]


def _points(trend: list[TrendPoint | dict]) -> list[TrendPoint]:
    return [t if isinstance(t, TrendPoint) else TrendPoint.from_json(t) for t in trend]


def _codes_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """``county_code`` None (not NaN) where a county has no code."""
    df["county_code"] = df["county_code"].astype(object).where(df["county_code"].notna(), None)
    return df


def _county_key(code: Any, name: Any) -> tuple:
    """Sort key: counties with a 行政区划代码 first, in code order, then the rest by name."""
    return (not code, str(code or ""), str(name or ""))


def _stages_present(outcomes: list[CountyOutcome]) -> list[str]:
    extra = sorted({s for o in outcomes for s in o.stages if s not in STAGES})
    return [*STAGES, *extra]


def _stage_limit(stage: StageOutcome | None, standard: Standard, stage_key: str) -> float | None:
    """The CV limit the entry's verdict used (its own ``cv_limit``), else the standard's."""
    limit = stage.cv_limit if stage is not None else None
    return float_or_none(limit) if limit else float_or_none(as_number(standard.cv.limit.get(stage_key)))


SUMMARY_COLUMNS = ["county", "county_code", "stage", "status", "verdict", "reasons", "schools_passing", "schools",
                   "cv_limit"]
SUMMARY_TAIL = ["worst_indicator", "worst_short", "worst_ratio", "ledger_open", "ledger_opened", "ledger_closed",
                "b_score", "b_items", "error"]


def summary_frame(outcomes: list[CountyOutcome], standard: Standard) -> pd.DataFrame:
    """One row per county (status ok) × stage, stage-major, then one row per failed entry.

    ``worst_indicator`` is the id with the largest CV ÷ limit (the first id on a tie),
    ``worst_ratio`` that ratio (> 1: over the limit). Ledger counts and the B类 score are the
    county's (the same on both stage rows).
    """
    inds = standard.indicators
    cv_cols = [cv_column(i.id) for i in inds]
    ok = [o for o in outcomes if o.ok]
    rows = []
    for stage_key in _stages_present(ok):
        for o in ok:
            st = o.stages.get(stage_key)
            view = StageView.of(st)
            per = st.indicators if st else {}
            changes, b = o.ledger_changes, o.b_score
            rows.append({
                "county": o.county or UNKNOWN_COUNTY, "county_code": o.county_code,
                "stage": stage_key, "status": "ok", "verdict": view.verdict.value, "reasons": "；".join(view.reasons()),
                "schools_passing": view.passing, "schools": view.schools,
                "cv_limit": _stage_limit(st, standard, stage_key),
                **{cv_column(i.id): float_or_none(per[str(i.id)].cv if str(i.id) in per else None) for i in inds},
                **{f"_limit_{i.id}": float_or_none(per[str(i.id)].cv_limit if str(i.id) in per else None) for i in inds},
                "ledger_open": changes.open if changes else None, "ledger_opened": changes.opened if changes else None,
                "ledger_closed": changes.closed if changes else None, "b_score": float_or_none(b.total) if b else None,
                "b_items": b.items if b else None, "error": "",
            })
    for o in outcomes:
        if not o.ok:
            first = o.errors[0].message if o.errors else ""
            rows.append({"county": o.county or UNKNOWN_COUNTY, "county_code": o.county_code,
                         "stage": "", "status": "error", "verdict": FAILED, "reasons": first, "error": first})
    limit_cols = [f"_limit_{i.id}" for i in inds]
    df = pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, *cv_cols, *SUMMARY_TAIL, *limit_cols])
    if df.empty:
        return df
    _codes_as_text(df)
    for col in ("schools_passing", "schools", "ledger_open", "ledger_opened", "ledger_closed", "b_items"):
        df[col] = df[col].astype("Int64")
    for col in ("cv_limit", *cv_cols, *limit_cols, "b_score"):
        df[col] = df[col].astype("float64")

    # Each CV against its own limit as the entry gives it (the stage's limit when absent).
    limits = df[limit_cols].set_axis(cv_cols, axis=1).apply(lambda col: col.fillna(df["cv_limit"]))
    ratios = (df[cv_cols] / limits).set_axis([i.id for i in inds], axis=1)
    known = ratios.dropna(how="all")
    df["worst_ratio"] = ratios.max(axis=1)
    df["worst_indicator"] = known.idxmax(axis=1).reindex(df.index).astype("Int64")
    short = {i.id: i.short for i in inds}
    df["worst_short"] = df["worst_indicator"].map(lambda i: "" if pd.isna(i) else short[int(i)])

    order = {s: n for n, s in enumerate(_stages_present(ok))}
    df["_block"] = df["stage"].map(lambda s: order.get(s, len(order)) if s else len(order) + 1)
    df["_key"] = [_county_key(c, n) for c, n in zip(df["county_code"], df["county"])]
    df = df.sort_values(["_block", "_key"], kind="stable")
    return df.drop(columns=["_block", "_key", *limit_cols]).reset_index(drop=True)


FAILING_COLUMNS = ["county", "county_code", "school", "level", "stage", "item", "indicator", "unit", "current",
                   "standard", "shortfall", "need", "need_unit", "need_text", "id"]


def need_text(need: Any, unit: str) -> str:
    """需补足 in real units: "3 人", "1,200 m²", "655,100 元（约 65.51 万元）", "1.70 个百分点"."""
    amount = float_or_none(as_number(need))
    if amount is None:
        return ""
    text = f"{fmt_number(amount, 2 if unit == '个百分点' else 0)} {unit}".strip()
    if unit == "元" and amount >= 10000:
        text += f"（约 {wan_yuan(amount):,.2f} 万元）"
    return text


def _is_county_line(line: LedgerItem, county: str) -> bool:
    school = str(line.school or "")
    return bool(county) and school in (CountyId(county).area_word, county)


def failing_frame(outcomes: list[CountyOutcome]) -> pd.DataFrame:
    """Every ledger line of a failing school section (``schools[].passes`` false; the section's
    lines and the school's lines without a stage), and every county-level line (school
    全县 / 全区 …, ``level`` 县级). A failing section with no ledger line gets one row saying so.
    Sorted by county (code order), county-level lines first, then school, stage, item."""
    rows = []
    for o in outcomes:
        if not o.ok:
            continue
        county = o.county or UNKNOWN_COUNTY
        failing = {(s.name, s.stage): s for s in o.schools if s.passes is False}
        failing_names = {name for name, _ in failing}
        covered = set()
        for line in o.ledger or []:
            school, stage = line.school, line.stage or ""
            if _is_county_line(line, county):
                level = COUNTY_LEVEL
            elif (school, stage) in failing or (not stage and school in failing_names):
                level = SCHOOL_LEVEL
                covered.add((school, stage))
            else:
                continue
            unit = str(line.unit or "")
            rows.append({"county": county, "county_code": o.county_code, "school": school, "level": level,
                         "stage": stage, "item": str(line.item or ""), "indicator": line.indicator,
                         "unit": unit, "current": float_or_none(line.current), "standard": float_or_none(line.standard),
                         "shortfall": float_or_none(line.shortfall), "need": float_or_none(line.need),
                         "need_unit": line.need_unit or "",
                         "need_text": need_text(line.need, line.need_unit or ""),
                         "id": line.id or ""})
        for (school, stage), s in failing.items():
            if (school, stage) not in covered:
                missing = sum(1 for v in s.values.values() if v is None)
                note = "未达标，整改台账中没有该校该学段的条目"
                if missing:
                    note += f"（{missing} 项指标未提供数据）"
                rows.append({"county": county, "county_code": o.county_code, "school": school,
                             "level": SCHOOL_LEVEL, "stage": stage, "item": "", "indicator": note, "unit": "",
                             "need_unit": "", "need_text": "", "id": ""})
    df = pd.DataFrame(rows, columns=FAILING_COLUMNS)
    if df.empty:
        return df
    _codes_as_text(df)
    stage_order = {s: i for i, s in enumerate(("", *STAGES))}
    df["_key"] = [_county_key(c, n) for c, n in zip(df["county_code"], df["county"])]
    df["_level"] = (df["level"] != COUNTY_LEVEL).astype(int)
    df["_stage"] = df["stage"].map(lambda s: stage_order.get(s, len(stage_order)))
    df["_item"] = df["item"].map(lambda i: int(i) if i.isdigit() else 999)
    keys = ["_key", "_level", "school", "_stage", "_item", "id"]
    df = df.sort_values(keys, kind="stable")
    return df.drop(columns=["_key", "_level", "_stage", "_item"]).reset_index(drop=True)


TREND_COLUMNS = ["county", "county_code", "data_year", "run_at", "stage", "resource_pass", "verdict", "schools",
                 "schools_passing", "cv_limit"]


def trend_frame(trend: list[TrendPoint], standard: Standard) -> pd.DataFrame:
    """One row per trend point × stage: the stage's seven CVs (``cv_1`` …) and county values
    (``value_1`` …), schools, verdict (its ``StageView``), the ledger counts; ``cv_limit`` is the
    standard's. Sorted by stage, county (code order), data year."""
    inds = standard.indicators
    rows = []
    for t in trend:
        for stage_key, st in t.stages.items():
            per = st.indicators
            rows.append({
                "county": t.county or UNKNOWN_COUNTY, "county_code": t.county_code,
                "data_year": t.data_year, "run_at": t.run_at or "", "stage": stage_key,
                "resource_pass": st.resource_pass,
                "verdict": StageView.of(st).verdict.value,
                "schools": st.schools, "schools_passing": st.schools_passing,
                "cv_limit": float_or_none(as_number(standard.cv.limit.get(stage_key))),
                **{cv_column(i.id): float_or_none(per[str(i.id)].cv if str(i.id) in per else None) for i in inds},
                **{f"value_{i.id}": float_or_none(per[str(i.id)].county_value if str(i.id) in per else None) for i in inds},
                "ledger_open": t.ledger_open, "ledger_closed": t.ledger_closed,
            })
    columns = [*TREND_COLUMNS, *(cv_column(i.id) for i in inds), *(f"value_{i.id}" for i in inds),
               "ledger_open", "ledger_closed"]
    df = pd.DataFrame(rows, columns=columns)
    if df.empty:
        return df
    _codes_as_text(df)
    for col in ("data_year", "schools", "schools_passing", "ledger_open", "ledger_closed"):
        df[col] = df[col].astype("Int64")
    order = {s: n for n, s in enumerate(STAGES)}
    df["_stage"] = df["stage"].map(lambda s: order.get(s, len(order)))
    df["_key"] = [_county_key(c, n) for c, n in zip(df["county_code"], df["county"])]
    return (df.sort_values(["_stage", "_key", "data_year"], kind="stable").drop(columns=["_stage", "_key"])
            .reset_index(drop=True))


def trend_pivot(trend: pd.DataFrame, stage: str, ind_id: int | str) -> pd.DataFrame:
    """One indicator's CV of one stage: rows = counties (code order), columns = data years;
    a county without that year is NaN."""
    part = trend[trend["stage"] == stage]
    if part.empty:
        return pd.DataFrame()
    counties = part.drop_duplicates(["county_code", "county"])[["county_code", "county"]]
    pivot = part.pivot_table(index=["county_code", "county"], columns="data_year", values=cv_column(ind_id),
                             aggfunc="last", dropna=False)
    pivot = pivot.reindex(pd.MultiIndex.from_frame(counties))
    return pivot.reindex(columns=sorted(part["data_year"].dropna().unique()))


def single_year(trend: pd.DataFrame) -> bool:
    """True when no county has more than one data year yet."""
    if trend.empty:
        return True
    return bool(trend.groupby(["county_code", "county"], dropna=False)["data_year"].nunique().max() <= 1)


# ------------------------------------------------------------------ workbook

def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _write(ws: Worksheet, row: int, col: int, value: Any, fmt: object) -> None:
    """A number as a number, anything else as a string, None/NaN as a formatted blank."""
    if _blank(value) or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy numbers too
        ws.write_number(row, col, float(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _code(value: Any) -> str:
    return "" if _blank(value) else str(value)


class _Book:
    """The workbook and its shared formats; one Format per look, made once."""

    def __init__(self, path: Path):
        self.wb: Workbook = new_workbook(path)
        self.fm = Formats.build(self.wb, cv_decimals=4)
        add = self.wb.add_format
        base = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}
        border = {"border": 1, "border_color": "#BFBFBF"}
        self.limit = add({**base, **border, "num_format": "0.00##", "bg_color": "#F2F2F2"})
        self.ratio = add({**base, **border, "num_format": "0%"})
        self.score = add({**base, **border, "num_format": "0.0"})
        self.center = add({**base, **border, "align": "center"})
        self.wrap = add({**base, **border, "text_wrap": True})
        self.county_line = add({**base, **border, "bold": True, "bg_color": "#F2F2F2"})
        self.county_center = add({**base, **border, "bold": True, "bg_color": "#F2F2F2", "align": "center"})
        self.county_wrap = add({**base, **border, "bold": True, "bg_color": "#F2F2F2", "text_wrap": True})
        number_formats = (("cv", "0.0000"), ("money", "#,##0"), ("amount", "#,##0.0##"), ("decimal", "#,##0.00"))
        self.numbers = {kind: add({**base, **border, "num_format": nf}) for kind, nf in number_formats}
        self.county_number = {kind: add({**base, **border, "bold": True, "bg_color": "#F2F2F2", "num_format": nf})
                              for kind, nf in number_formats}
        self._more_decimals: dict[int, object] = {}
        self.emphasis = add({**base, "bold": True, "font_color": "#9C5700"})
        self.emphasis_wrap = add({**base, "bold": True, "font_color": "#9C5700", "text_wrap": True})
        fm = self.fm
        # 汇总 / 趋势 cells by column kind
        self.kinds = {"bold": fm.bold_text, "code": self.center, "stage": self.center, "verdict": self.center,
                      "year": self.center, "wrap": self.wrap, "int": fm.integer, "limit": self.limit, "cv": fm.cv,
                      "text": fm.text, "ratio": self.ratio, "score": self.score}

    def cell_format(self, kind: str, value: Any, limit: Any) -> object:
        """The format of a 汇总 / 趋势 cell of ``kind``; a CV over ``limit``, or a worst ratio
        over 1, gets the decimals that keep it from reading as within (0.50004, not 0.5000)."""
        if kind == "cv":
            return self.fm.cv_of(None if _blank(value) else float(value), None if _blank(limit) else float(limit))
        if kind == "ratio" and not _blank(value):
            decimals = honest_decimals(float(value) * 100, 100.0, 0, at_least=False)
            return self.ratio if decimals == 0 else self.fm.number(decimals, percent=True)
        return self.kinds[kind]

    def gap_format(self, unit_kind: str, decimals: int, county_line: bool) -> object:
        """未达标学校's 现值 / 差距 format: its unit's, or ``decimals`` when it needs more."""
        base = UNIT_KIND_DECIMALS[unit_kind]
        if decimals == base:
            return (self.county_number if county_line else self.numbers)[unit_kind]
        if not county_line:
            return self.fm.number(decimals)
        if decimals not in self._more_decimals:
            self._more_decimals[decimals] = self.wb.add_format({
                "font_name": "等线", "font_size": 10, "valign": "vcenter", "border": 1, "border_color": "#BFBFBF",
                "bold": True, "bg_color": "#F2F2F2", "num_format": number_format(decimals)})
        return self._more_decimals[decimals]

    def cv_colours(self, ws: Worksheet, first_row: int, last_row: int, first_col: int, last_col: int,
                   limit_col: int) -> None:
        """Red when a CV is over the limit in its row's 限值 cell, green when within it."""
        if last_row < first_row:
            return
        top = first_row + 1  # Excel row of the range's first cell: relative references start there
        limit = f"${_col(limit_col)}{top}"
        ws.conditional_format(first_row, first_col, last_row, last_col,
                              {"type": "cell", "criteria": ">", "value": limit, "format": self.fm.cf_bad})
        cell = f"{_col(first_col)}{top}"
        ws.conditional_format(first_row, first_col, last_row, last_col,
                              {"type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{cell}<={limit})",
                               "format": self.fm.cf_good})


def _col(c: int) -> str:
    return xl_col_to_name(c)


def _title(book: _Book, ws: Worksheet, title: str, note: str) -> None:
    ws.write_string(0, 0, title, book.fm.title)
    ws.write_string(1, 0, note, book.fm.note)
    ws.set_row(0, 22)


def _wrap_notes(book: _Book, ws: Worksheet, notes: dict[int, str], widths: list[float], last_col: int) -> None:
    """Each note (row -> text) merged over columns 0…``last_col`` (the first printed page) and
    wrapped there, its row as tall as its lines: a long note printed on one line runs off the
    page, and its end lands on a page across, away from the table it explains."""
    span = sum(widths[: last_col + 1])
    for row, text in notes.items():
        if last_col > 0:
            ws.merge_range(row, 0, row, last_col, text, book.fm.note_wrap)
        else:
            ws.write_string(row, 0, text, book.fm.note_wrap)
        ws.set_row(row, wrapped_height([(text, span)]))


# 汇总 columns: (frame column, header, group header or None, kind).
def _summary_layout(standard: Standard) -> list[tuple[str, str, str | None, str]]:
    cvs = [(cv_column(i.id), i.short, "差异系数（绿色：不超过限值；红色：超过限值）", "cv") for i in standard.indicators]
    return [
        ("county", "县（市、区）", None, "bold"),
        ("county_code", "行政区划代码", None, "code"),
        ("stage", "学段", None, "stage"),
        ("verdict", "资源配置结论", None, "verdict"),
        ("reasons", "原因", None, "wrap"),
        ("schools_passing", "达标", "学校数", "int"),
        ("schools", "全部", "学校数", "int"),
        ("cv_limit", "限值", None, "limit"),
        *cvs,
        ("worst_short", "最差指标", None, "text"),
        ("worst_ratio", "最差指标差异系数÷限值", None, "ratio"),
        ("ledger_open", "未整改", "整改台账（全县，条）", "int"),
        ("ledger_opened", "本次新增", "整改台账（全县，条）", "int"),
        ("ledger_closed", "本次销号", "整改台账（全县，条）", "int"),
        ("b_score", "B类得分", None, "score"),
    ]


SUMMARY_HEADER_ROW = 4  # Excel row 5 holds the column names; the groups are on row 4


def _write_header(book: _Book, ws: Worksheet, layout: list[tuple[str, str, str | None, str]], row: int) -> None:
    """Column names on ``row``; a group name merged over its columns on ``row - 1``; a column
    without a group is merged over both rows."""
    head = book.fm.header
    c = 0
    while c < len(layout):
        group = layout[c][2]
        if group is None:
            ws.merge_range(row - 1, c, row, c, layout[c][1], head)
            c += 1
            continue
        end = c
        while end + 1 < len(layout) and layout[end + 1][2] == group:
            end += 1
        if end > c:
            ws.merge_range(row - 1, c, row - 1, end, group, head)
        else:
            ws.write_string(row - 1, c, group, head)
        for k in range(c, end + 1):
            ws.write_string(row, k, layout[k][1], head)
        c = end + 1


def _write_summary(book: _Book, frames: RollupFrames, standard: Standard, generated: str) -> dict[str, tuple[int, int]]:
    """The 汇总 sheet; returns each stage's block of rows (first, last) for the charts."""
    ws = book.wb.add_worksheet(SUMMARY_SHEET)
    df = frames.summary
    layout = _summary_layout(standard)
    n_ok = df.loc[df["status"] == "ok", "county"].nunique() if not df.empty else 0
    n_failed = int((df["status"] == "error").sum()) if not df.empty else 0
    note = (f"评估标准：{standard.title}　生成时间：{generated}　共 {n_ok + n_failed} 个县（市、区），"
            f"评估完成 {n_ok} 个" + (f"，未能评估 {n_failed} 个（列在表末）" if n_failed else "") + "。")
    _title(book, ws, "各县（市、区）义务教育优质均衡资源配置汇总", note)
    unscored = "B类得分空白的县尚未评分。" if len(df) and df["b_score"].isna().any() else ""
    notes = {1: note, 2: "结论按办法第六条：所有学校达标且七项差异系数都不超过限值才为“达标”。最差指标 = 差异系数与限值之比最大的一项；"
                         f"整改台账条数和 B类得分是全县（区）的数字，两个学段各列一次。{unscored}"}
    _write_header(book, ws, layout, SUMMARY_HEADER_ROW)

    blocks: dict[str, tuple[int, int]] = {}
    first = SUMMARY_HEADER_ROW + 1
    col_of = {key: c for c, (key, *_rest) in enumerate(layout)}
    widths = [fit_width([header], minimum=6, maximum=40) for _, header, _, _ in layout]
    for offset, rec in enumerate(df.to_dict("records")):
        r = first + offset
        failed = rec["status"] != "ok"
        if not failed:
            lo, hi = blocks.get(rec["stage"], (r, r))
            blocks[rec["stage"]] = (min(lo, r), max(hi, r))
        for c, (key, _header, _group, kind) in enumerate(layout):
            value = rec.get(key)
            if key == "stage":
                value = STAGE_LABEL.get(value, value) if value else "—"
            elif key == "county_code":
                value = _code(value)
            _write(ws, r, c, value, book.cell_format(kind, value, rec.get("cv_limit")))
            if kind in ("bold", "text", "code", "stage", "verdict") and not _blank(value):
                widths[c] = max(widths[c], fit_width([value], minimum=6, maximum=40))
    last = first + len(df) - 1

    # Numbers are narrow: their headers wrap instead of widening the table.
    for c, (key, header, _group, kind) in enumerate(layout):
        if kind in ("cv", "int", "limit", "score", "ratio", "code"):
            widths[c] = {"cv": 8.5, "ratio": 9, "code": 9}.get(kind, 6.5)
    # CJK text renders a little wider than its nominal width: pad so one-line reasons stay on one line.
    widths[col_of["reasons"]] = fit_width(df.loc[df["status"] == "ok", "reasons"], minimum=12, maximum=40, padding=4)
    widths[col_of["verdict"]] = 9
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.set_row(SUMMARY_HEADER_ROW - 1, 20)
    ws.set_row(SUMMARY_HEADER_ROW, 42)
    for offset, rec in enumerate(df.to_dict("records")):
        ws.set_row(first + offset, wrapped_height([(rec["reasons"], widths[col_of["reasons"]])]))

    if len(df):
        cv_cols = [col_of[cv_column(i.id)] for i in standard.indicators]
        ok_last = first + int((df["status"] == "ok").sum()) - 1
        book.cv_colours(ws, first, ok_last, cv_cols[0], cv_cols[-1], col_of["cv_limit"])
        book.fm.verdict_rules(ws, f"{_col(col_of['verdict'])}{first + 1}:{_col(col_of['verdict'])}{last + 1}")
        ws.conditional_format(first, col_of["verdict"], last, col_of["verdict"],
                              {"type": "cell", "criteria": "==", "value": f'"{FAILED}"', "format": book.fm.cf_bad})
        ws.conditional_format(first, col_of["worst_ratio"], ok_last, col_of["worst_ratio"],
                              {"type": "cell", "criteria": ">", "value": 1, "format": book.fm.cf_bad})
        ws.autofilter(SUMMARY_HEADER_ROW, 0, last, len(layout) - 1)
    else:
        ws.write_string(first, 0, "本次运行没有县（市、区）的结果。", book.fm.note)
    ws.freeze_panes(SUMMARY_HEADER_ROW + 1, 3)
    # Too wide for one page at a legible scale: pages across, each repeating 县 / 代码 / 学段,
    # broken before the CV group, the worst indicator or the ledger group where one falls.
    groups = (col_of[cv_column(standard.indicators[0].id)], col_of["worst_short"], col_of["ledger_open"])
    printed = print_setup(ws, SUMMARY_HEADER_ROW, widths=widths, repeat_cols=col_of["stage"] + 1, blocks=groups)
    ws.repeat_rows(SUMMARY_HEADER_ROW - 1, SUMMARY_HEADER_ROW)  # the column names; a repeated title would be cut
    _wrap_notes(book, ws, notes, widths, printed.first_page_last_col)
    protect(ws)
    return blocks


# 图表: each chart as wide as a landscape A4 page prints at 100 % (12 columns 10 characters
# wide: 900 px here, 972 px as LibreOffice lays them out, within the page's 1,014). Its 9-point
# axis labels then print at 9 points; more counties make thinner columns, not a wider chart.
CHART_COLS, CHART_COL_CHARS = 12, 10
CHART_PX = CHART_COLS * column_px(CHART_COL_CHARS) - 8


def _write_charts(book: _Book, standard: Standard, blocks: dict[str, tuple[int, int]], generated: str) -> None:
    """Per stage a clustered column chart: categories = counties, a series per indicator,
    the limit as a line; every range points at the 汇总 cells."""
    ws = book.wb.add_worksheet(CHART_SHEET)
    note = (f"评估标准：{standard.title}　生成时间：{generated}　数据取自“{SUMMARY_SHEET}”表；"
            f"在“{SUMMARY_SHEET}”中筛选县（市、区）时，图中只显示筛选出的县。红色虚线为限值。")
    _title(book, ws, "各县（市、区）差异系数图", note)
    layout = _summary_layout(standard)
    col_of = {key: c for c, (key, *_rest) in enumerate(layout)}
    row = 3
    breaks: list[int] = []
    ws.set_column(0, CHART_COLS - 1, CHART_COL_CHARS)
    _wrap_notes(book, ws, {1: note}, [CHART_COL_CHARS] * CHART_COLS, CHART_COLS - 1)
    if not blocks:
        ws.write_string(row, 0, "没有可作图的数据。", book.fm.note)
    for stage, (lo, hi) in blocks.items():
        n = hi - lo + 1
        label = STAGE_LABEL.get(stage, stage)
        chart = book.wb.add_chart({"type": "column"})
        for k, ind in enumerate(standard.indicators):
            c = col_of[cv_column(ind.id)]
            chart.add_series({
                "name": [SUMMARY_SHEET, SUMMARY_HEADER_ROW, c],
                "categories": [SUMMARY_SHEET, lo, 0, hi, 0],
                "values": [SUMMARY_SHEET, lo, c, hi, c],
                "fill": {"color": PALETTE[k % len(PALETTE)]},
                "border": {"none": True},
                "gap": 60,
            })
        line = book.wb.add_chart({"type": "line"})
        limit_col = col_of["cv_limit"]
        line.add_series({
            "name": LIMIT_LABEL,
            "categories": [SUMMARY_SHEET, lo, 0, hi, 0],
            "values": [SUMMARY_SHEET, lo, limit_col, hi, limit_col],
            "line": {"color": LIMIT_COLOR, "width": 2, "dash_type": "dash"},
            "marker": {"type": "dash", "size": 12, "border": {"color": LIMIT_COLOR},
                       "fill": {"color": LIMIT_COLOR}} if n == 1 else {"type": "none"},
        })
        chart.combine(line)
        limit = standard.cv.limit.get(stage)
        chart.set_title({"name": f"{label}：各县（市、区）七项差异系数（限值 {limit:g}）" if limit else
                         f"{label}：各县（市、区）七项差异系数", "name_font": {"size": 12, "bold": True}})
        chart.set_y_axis({"name": "差异系数", "num_format": "0.00", "min": 0,
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_x_axis({"num_font": {"size": 9}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": CHART_PX, "height": 460})
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4})
        breaks.append(row + 25)
        row += 25
    ws.set_h_pagebreaks(breaks[:-1])  # one chart per printed page
    print_setup(ws, widths=[CHART_COL_CHARS] * CHART_COLS)
    protect(ws)


def _failing_layout() -> list[tuple[str, str, str]]:
    return [("county", "县（市、区）", "bold"), ("school", "学校", "wrap"), ("level", "类型", "center"),
            ("stage", "学段", "center"), ("indicator", "指标", "wrap"), ("unit", "单位", "center"),
            ("current", "现值", "unit"), ("standard", "标准", "unit"), ("shortfall", "差距", "unit"),
            ("need_text", "需补足", "wrap"), ("id", "台账编号", "text")]


def _write_failing(book: _Book, frames: RollupFrames, standard: Standard, generated: str) -> None:
    ws = book.wb.add_worksheet(FAILING_SHEET)
    df = frames.failing
    schools = df[df["level"] == SCHOOL_LEVEL].drop_duplicates(["county", "school", "stage"]) if len(df) else df
    note = (f"评估标准：{standard.title}　生成时间：{generated}　{len(schools)} 个学校（学段）资源配置未达标，"
            f"连同县级条目共 {len(df)} 条整改台账条目，每条一行。")
    _title(book, ws, "资源配置未达标的学校及差距", note)
    notes = {1: note, 2: "灰底的“县级”条目是全县（区）层面的（差异系数超限、全县值未达标等），列在各县最前。"
                         "现值、标准、差距按指标的单位（差异系数条目为差异系数），需补足为实际要增加的数量。"}
    layout = _failing_layout()
    header_row = 4
    ws.write_row(header_row, 0, [h for _, h, _ in layout], book.fm.header)
    headers = {k: h for k, h, _ in layout}
    widths = {"level": 6, "stage": 6, "unit": 8, "current": 9, "standard": 9, "shortfall": 9}
    # Long school names, indicators and amounts wrap (headers too): the eleven columns then print
    # one page wide at a legible scale for most cities.
    for key, lo, hi in (("county", 12, 16), ("school", 12, 20), ("indicator", 20, 30), ("need_text", 10, 26),
                        ("id", 12, 16)):
        widths[key] = fit_width(df[key].astype(str), minimum=lo, maximum=hi, padding=2)
    for r, rec in enumerate(df.to_dict("records"), start=header_row + 1):
        county_line = rec["level"] == COUNTY_LEVEL
        for c, (key, _header, kind) in enumerate(layout):
            value = rec.get(key)
            if key == "stage":
                value = STAGE_LABEL.get(value, value) if value else "—"
            if kind == "unit":
                unit_kind = _unit_kind(rec["unit"])
                base = UNIT_KIND_DECIMALS[unit_kind]
                decimals = (gap_decimals(rec["current"], rec["standard"], base) if key == "current" else
                            gap_above_zero_decimals(rec["shortfall"], base) if key == "shortfall" else base)
                fmt = book.gap_format(unit_kind, decimals, county_line)
            elif county_line:
                fmt = {"wrap": book.county_wrap, "center": book.county_center}.get(kind, book.county_line)
            else:
                fmt = {"bold": book.fm.bold_text, "text": book.fm.text, "center": book.center, "wrap": book.wrap}[kind]
            _write(ws, r, c, value, fmt)
        ws.set_row(r, wrapped_height([(rec[k], widths[k]) for k in ("school", "indicator", "need_text")]))
    for c, (key, _header, _kind) in enumerate(layout):
        ws.set_column(c, c, widths[key])
    ws.set_row(header_row, wrapped_height((h, widths[k]) for k, h, _kind in layout))
    if len(df):
        ws.autofilter(header_row, 0, header_row + len(df), len(layout) - 1)
    else:
        ws.write_string(header_row + 1, 0, "没有资源配置未达标的学校。", book.fm.note)
    ws.freeze_panes(header_row + 1, 2)
    col_widths = [widths[key] for key, _h, _k in layout]
    col_of = {key: c for c, (key, _h, _k) in enumerate(layout)}
    printed = print_setup(ws, header_row, widths=col_widths, repeat_cols=col_of["school"] + 1,
                          blocks=(col_of["indicator"], col_of["current"]))
    ws.repeat_rows(header_row)  # only the column names: a repeated title would be cut at the repeated columns
    _wrap_notes(book, ws, notes, col_widths, printed.first_page_last_col)
    protect(ws)


def _trend_layout(standard: Standard) -> list[tuple[str, str, str]]:
    return [("county", "县（市、区）", "bold"), ("county_code", "行政区划代码", "code"), ("data_year", "数据年份", "year"),
            ("run_at", "运行日期", "text"), ("verdict", "资源配置结论", "verdict"),
            ("schools_passing", "达标学校数", "int"), ("schools", "学校数", "int"), ("cv_limit", "限值", "limit"),
            *((cv_column(i.id), i.short, "cv") for i in standard.indicators),
            ("ledger_open", "台账未销号（全县）", "int"), ("ledger_closed", "台账已销号（全县）", "int")]


def _write_trend(book: _Book, frames: RollupFrames, standard: Standard, generated: str) -> None:
    ws = book.wb.add_worksheet(TREND_SHEET)
    df = frames.trend
    note = (f"评估标准：{standard.title}　生成时间：{generated}　每个县每个数据年份取最近一次运行；"
            "差异系数绿色 = 不超过限值，红色 = 超过限值（限值按当前标准）。")
    _title(book, ws, "各县（市、区）差异系数历年变化", note)
    row = 2
    if df.empty:
        ws.write_string(row, 0, "暂无历年数据：台账库中还没有各县的运行记录。", book.emphasis)
        ws.set_column(0, 0, 12)
        print_setup(ws)
        protect(ws)
        return
    layout = _trend_layout(standard)
    col_of = {key: c for c, (key, _h, _kind) in enumerate(layout)}
    # Narrow columns under wrapping headers: the table prints one page wide at a legible scale
    # (a county name up to about 12 characters), so the charts under it are never cut by a page across.
    widths = [{"cv": 8, "int": 6.5, "limit": 6, "code": 9, "year": 7, "verdict": 8}.get(kind, 10)
              for _k, _h, kind in layout]
    widths[col_of["county"]] = fit_width(df["county"], minimum=12, maximum=30)
    widths[col_of["run_at"]] = 11
    widths[col_of["ledger_open"]] = widths[col_of["ledger_closed"]] = 9
    cv_cols = [c for c, (_k, _h, kind) in enumerate(layout) if kind == "cv"]
    pages = plan_pages(widths, repeat_cols=col_of["data_year"] + 1, blocks=(cv_cols[0],))
    _wrap_notes(book, ws, {1: note}, widths, pages.first_page_last_col)
    if single_year(df):
        ws.merge_range(row, 0, row, pages.first_page_last_col, ONE_YEAR_NOTE, book.emphasis_wrap)
        ws.set_row(row, wrapped_height([(ONE_YEAR_NOTE, sum(widths[: pages.first_page_last_col + 1]))]))
    row += 2
    stages = [s for s in (*STAGES, *sorted(set(df["stage"]) - set(STAGES))) if (df["stage"] == s).any()]
    for stage in stages:
        part = df[df["stage"] == stage]
        ws.write_string(row, 0, f"{STAGE_LABEL.get(stage, stage)}（限值 {standard.cv.limit.get(stage, float('nan')):g}）",
                        book.fm.subtitle)
        row += 1
        ws.write_row(row, 0, [h for _, h, _ in layout], book.fm.header)
        ws.set_row(row, 42)
        first = row + 1
        for r, rec in enumerate(part.to_dict("records"), start=first):
            for c, (key, _h, kind) in enumerate(layout):
                value = _code(rec[key]) if key == "county_code" else rec.get(key)
                if key == "run_at":
                    value = str(value)[:10]  # the day; the time of day tells a statistician nothing here
                _write(ws, r, c, value, book.cell_format(kind, value, rec["cv_limit"]))
        last = first + len(part) - 1
        book.cv_colours(ws, first, last, cv_cols[0], cv_cols[-1], col_of["cv_limit"])
        verdict = _col(col_of["verdict"])
        book.fm.verdict_rules(ws, f"{verdict}{first + 1}:{verdict}{last + 1}")
        row = last + 3
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)

    breaks = [row]  # the charts start on a new printed page; a band that would cross a page starts the next
    page_top = row
    ws.write_string(row, 0, "趋势图：每项指标一张，横轴为数据年份，每个县（市、区）一条线，红色虚线为限值。"
                            "图左侧（或上方）的小表是图的数据。", book.fm.subtitle)
    row += 2
    for stage in stages:
        limit = standard.cv.limit.get(stage)
        for ind in standard.indicators:
            pivot = trend_pivot(df, stage, ind.id)
            beside = _chart_fits_beside(widths, len(pivot.columns), pages.first_page_last_col)
            if row + _band_rows(len(pivot), beside) > page_top + _page_rows(pages.scale):
                breaks.append(row)
                page_top = row
                row += 1  # a chart drawn right on a page break leaves its edge on the page before
            row = _trend_chart(book, ws, row, pivot, stage, ind.short, limit, beside, widths)
    ws.set_h_pagebreaks(breaks)
    print_setup(ws, widths=widths, repeat_cols=col_of["data_year"] + 1, blocks=(cv_cols[0],))
    protect(ws)


# 趋势 charts: 560 × 280 px (14 rows of 15 pt).
TREND_CHART_PX, TREND_CHART_ROWS, TREND_CHART_OFFSET = 560, 14, 8
ROW_PT = 15.0  # xlsxwriter's default row height
# Height a landscape A4 page prints rows in (points): the page less print_setup's 0.6-inch top
# and bottom margins, and a little for rounding.
PRINTED_HEIGHT_PT = A4_PT[0] - 2 * 0.6 * 72 - 12


def _page_rows(scale: int) -> int:
    """Default-height rows a printed page holds at ``scale`` %."""
    return int(PRINTED_HEIGHT_PT / (ROW_PT * scale / 100))


def _chart_fits_beside(widths: list[float], years: int, last_col: int) -> bool:
    """True when a trend chart drawn right of its small table (from column ``years`` + 2) ends
    within the first printed page's columns (0…``last_col``); else it goes under the table."""
    room = sum(column_px(w) for w in widths[years + 2: last_col + 1])
    return room >= TREND_CHART_PX + TREND_CHART_OFFSET


def _band_rows(counties: int, beside: bool) -> int:
    """Rows a trend band takes: the small table (header, counties, 限值) and its chart."""
    table = counties + 3  # its header may wrap to two lines
    return max(table + 1, TREND_CHART_ROWS + 2) if beside else table + 1 + TREND_CHART_ROWS + 2


def _trend_chart(book: _Book, ws: Worksheet, row: int, pivot: pd.DataFrame, stage: str, short: str,
                 limit: float | None, beside: bool, widths: list[float]) -> int:
    """A small table (counties down, data years across, then the 限值 row) and its line chart
    to the right (``beside``) or under it; returns the row after the band."""
    label = STAGE_LABEL.get(stage, stage)
    years = list(pivot.columns)
    heads = [f"{label}·{short}", *(f"{int(year)}年" for year in years)]
    ws.write_row(row, 0, heads, book.fm.header)
    ws.set_row(row, min(wrapped_height(zip(heads, widths)), 2 * ROW_PT + 3))  # _band_rows counts a spare row
    for r, ((_code_value, county), values) in enumerate(pivot.iterrows(), start=row + 1):
        ws.write_string(r, 0, county, book.fm.bold_text)
        for k, v in enumerate(values, start=1):
            _write(ws, r, k, v, book.cell_format("cv", v, limit))
    limit_row = row + len(pivot) + 1
    ws.write_string(limit_row, 0, LIMIT_LABEL, book.fm.bold_text)
    for k in range(1, len(years) + 1):
        _write(ws, limit_row, k, limit, book.limit)
    if limit is not None and len(pivot):
        ws.conditional_format(row + 1, 1, limit_row - 1, len(years),
                              {"type": "cell", "criteria": ">", "value": limit, "format": book.fm.cf_bad})

    chart = book.wb.add_chart({"type": "line"})
    last_col = len(years)
    one = len(years) == 1
    for r in range(row + 1, limit_row):
        chart.add_series({"name": [TREND_SHEET, r, 0], "categories": [TREND_SHEET, row, 1, row, last_col],
                          "values": [TREND_SHEET, r, 1, r, last_col], "marker": {"type": "circle", "size": 6},
                          "line": {"width": 2}})
    chart.add_series({"name": [TREND_SHEET, limit_row, 0], "categories": [TREND_SHEET, row, 1, row, last_col],
                      "values": [TREND_SHEET, limit_row, 1, limit_row, last_col],
                      "line": {"color": LIMIT_COLOR, "width": 2, "dash_type": "dash"},
                      "marker": {"type": "dash", "size": 12, "border": {"color": LIMIT_COLOR},
                                 "fill": {"color": LIMIT_COLOR}} if one else {"type": "none"}})
    chart.set_title({"name": f"{label}·{short}差异系数", "name_font": {"size": 11, "bold": True}})
    chart.set_y_axis({"num_format": "0.00", "min": 0,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"name": "数据年份"})
    chart.set_legend({"position": "right"})
    chart.show_blanks_as("span")
    chart.set_size({"width": TREND_CHART_PX, "height": TREND_CHART_ROWS * 20})
    if beside:
        ws.insert_chart(row, last_col + 2, chart, {"x_offset": TREND_CHART_OFFSET})
    else:
        ws.insert_chart(limit_row + 2, 0, chart)
    return row + _band_rows(len(pivot), beside)


def write_rollup(path: Path, entries: list[CountyOutcome | dict], standard: Standard,
                 trend: list[TrendPoint | dict] | None = None, generated: str | None = None) -> None:
    """Write 市级汇总.xlsx to ``path``: 汇总, 图表, 未达标学校, 趋势 (module docstring).

    ``entries`` are the counties' outcomes (or summary.json ``workbooks[]`` elements), ``trend``
    the ledger store's points (one per county and data year); ``generated`` is shown as the time of writing (default:
    now, "YYYY-MM-DD HH:MM"). Every sheet is protected without a password.
    """
    generated = generated or datetime.now().strftime("%Y-%m-%d %H:%M")
    frames = rollup_frames(entries, standard, trend)
    book = _Book(Path(path))
    blocks = _write_summary(book, frames, standard, generated)
    _write_charts(book, standard, blocks, generated)
    _write_failing(book, frames, standard, generated)
    _write_trend(book, frames, standard, generated)
    book.wb.close()
