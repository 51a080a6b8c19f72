"""Printable one-page HTML brief (简报): one per county, and a city roll-up.

The page is self-contained (inline CSS and inline SVG, no JavaScript, no URLs, system CJK
fonts) and sized for one A4 portrait page when printed, however many schools or ledger lines
a county has: long lists are cut to their most important lines with "另有 N 条…", long
texts are shortened with "…". All user text (county, school, ledger texts) is HTML-escaped.

Input: a ``CountyBrief`` (``CountyBrief.of``: the county's ``outcome.CountyOutcome``, its
standard, its open ledger lines and its ``outcome.TrendPoint``s), or a ``CityBrief`` of such
counties. A script may hand over the same as plain dicts; ``CountyBrief.read`` reads them
with the outcome's readers (every key may be missing or odd, and then shows as "—" /
未提供数据; the brief never raises on odd data)::

    county data = {
      "county": "大祥区", "county_code": "430503" | None,
      "area_word": "全区",            # 全县/全区/全市/全旗; derived from the county name if absent
      "standard_title": "国家标准（2017 年…）",
      "data_year": 2025 | None, "generated": "2026-11-23 22:30",
      "indicators": [                 # the 7 资源配置 indicators, in display order
        {"id": 1, "name": "每百名学生拥有高于规定学历教师数", "short": "高学历教师",
         "unit": "人/百生", "standard": {"primary": 4.2, "junior": 5.3}}, ...],
      "stages": {...},                # summary.json's "stages" (outcome.StageOutcome)
      "schools": [...],               # summary.json's "schools": only "stage" and "values" are read
      "ledger": [...],                # summary.json's "ledger" lines (outcome.LedgerItem)
      "trend": [                      # oldest first; 0, 1 or many points (the last = this run)
        {"data_year": 2024, "run_date": "2025-11-20",
         "cv": {"primary": {"1": 0.1, ...}, "junior": {...}},
         "schools_passing": {"primary": 3, "junior": 5}, "schools": {"primary": 16, "junior": 10},
         "ledger_open": 40, "ledger_closed": 3}, ...],
    }
    city data = {"city": "邵阳市" | None, "generated": ..., "standard_title": ..., "data_year": ...,
                 "indicators": [...as above...],
                 "counties": [county data, ...]}   # only "county" and "stages" are used

What each part feeds:

* a stage's verdict and reasons: ``stage_view.StageView`` (the same reading as 概览, 市级汇总
  and 趋势); an absent stage is 未提供数据 (never 达标).
* ``schools``: per indicator, schools whose value is below the standard (the stage's
  ``standard``, else ``indicators[].standard``); a None value counts as 无数据. No school rows
  for a stage → "—".
* ``ledger``: ranked by |shortfall| / standard, largest first; the top ``LEDGER_TOP`` are shown
  (``id`` is not); ``need_text`` missing → "缺口 <need> <need_unit>".
* ``trend``: per stage the largest of the point's CVs (sparkline, against the current limit),
  schools passing first → last, and ledger counts of the last point.
* ``area_word`` missing → from the county name's last character (县 全县, 区 全区, 市 全市,
  旗 全旗), else 全县. ``indicators`` missing → the ids found under ``stages``.

Units: indicator values as in summary.json (per-100 indicators ×100, equipment in 元); CVs
and limits are plain ratios. Display: CVs 3 decimals, indicator values 2 decimals (元: whole
元 with thousands separators), shares as "85%". Verdicts are taken from the data
(``resource_pass``, ``cv_ok``), never recomputed from rounded numbers.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .charts import Bar, Point, hbar_chart, sparkline
from .outputs import atomic_write
from .display import HUGE, honest_decimals, shown, text_width
from .identity import CountyId
from .model import STAGE_LABEL, STAGES, Verdict
from .outcome import (CountyOutcome, IndicatorOutcome, LedgerItem, SchoolOutcome, StageOutcome, TrendPoint, as_dict,
                      as_int, as_list, as_number, as_text, float_or_none)
from .stage_view import StageView
from .standards import Standard
from .vocabulary import LedgerStatus

DASH = "—"
NO_DATA = Verdict.NO_DATA.value
LEDGER_TOP = 8              # ledger lines shown on the county page, at most …
LEDGER_TEXT_LINES = 9       # … and no more printed text lines than this: every cell wraps, nothing is cut
# The ledger table's columns (percent of the 184 mm text width) and how wide a half-width
# character prints in its 8.6-point cells (mm; a CJK character is two), less the cell padding.
LEDGER_COLUMNS = (("school", 16), ("stage", 5), ("indicator", 14), ("current", 15), ("gap", 6), ("need", 44))
TEXT_WIDTH_MM, UNIT_MM, CELL_PADDING_MM = 184.0, 1.55, 2.4
CITY_MAX_COUNTIES = 14      # counties shown on the city page (worst first)
# Longest text kept per field (characters), cut with "…". Table cells and headings also cut
# overflow with CSS ellipsis; these caps keep the markup small and bound what may wrap.
MAX_CHARS = {"county": 40, "city": 20, "title": 60, "school": 60, "indicator": 40, "need": 90,
             "generated": 24, "code": 12, "short": 6}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("equity_xlsx", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# ------------------------------------------------------------------ the input

@dataclass(frozen=True)
class Ind:
    """One 资源配置 indicator as the brief shows it (``id`` is the string key of the data)."""

    id: str
    name: str
    short: str
    unit: str
    standard: dict

    @classmethod
    def read(cls, raw: Any) -> Ind | None:
        raw = as_dict(raw)
        if raw.get("id") is None:
            return None
        ident = str(raw["id"])
        name = _text(raw.get("name"), "title") or f"指标{ident}"
        short = _text(raw.get("short"), "short") or _text(name, "short")
        return cls(ident, name, short, _text(raw.get("unit"), "short") or "", as_dict(raw.get("standard")))


def indicators_of(std: Standard) -> list[Ind]:
    """The standard's 7 indicators as the briefs list them."""
    return [Ind.read({"id": ind.id, "name": ind.name, "short": ind.short, "unit": ind.unit,
                           "standard": dict(ind.standard)}) for ind in std.indicators]


@dataclass
class CountyBrief:
    """Everything the county page shows (the module docstring says what feeds what)."""

    county: str | None = None
    county_code: str | None = None
    area_word: str | None = None
    standard_title: str | None = None
    data_year: int | None = None
    generated: str | None = None
    indicators: list[Ind] = field(default_factory=list)
    stages: dict[str, StageOutcome] = field(default_factory=dict)
    schools: list[SchoolOutcome] = field(default_factory=list)
    ledger: list[LedgerItem] | None = None  # None: not given (the page says so)
    trend: list[TrendPoint] = field(default_factory=list)

    @classmethod
    def of(cls, outcome: CountyOutcome, std: Standard, county: CountyId, *, generated: str,
           trend: list[TrendPoint]) -> CountyBrief:
        """The brief of an evaluated county: its outcome (stages, schools, open ledger lines,
        data year) and its trend points (oldest first, this run included)."""
        return cls(county.name, county.code, county.area_word, std.title, outcome.data_year, generated,
                   indicators_of(std), dict(outcome.stages), list(outcome.schools), list(outcome.ledger or []),
                   sorted(trend, key=lambda p: p.data_year or 0))

    @classmethod
    def read(cls, data: Any) -> CountyBrief:
        """The county data of the module docstring (a dict), read with the outcome's readers:
        ``stages``, ``schools`` and ``ledger`` by ``CountyOutcome.from_json``."""
        data = as_dict(data)
        outcome = CountyOutcome.from_json({k: data.get(k) for k in ("stages", "schools", "ledger")})
        return cls(as_text(data.get("county")), as_text(data.get("county_code")), as_text(data.get("area_word")),
                   as_text(data.get("standard_title")), as_int(data.get("data_year")), as_text(data.get("generated")),
                   [i for i in map(Ind.read, as_list(data.get("indicators"))) if i is not None],
                   outcome.stages, outcome.schools, outcome.ledger,
                   [_brief_point(p) for p in as_list(data.get("trend"))])


def _brief_point(doc: Any) -> TrendPoint:
    """A trend point of the brief's dict form (per-stage maps of CVs and school counts)."""
    doc = as_dict(doc)
    cvs, passing, schools = (as_dict(doc.get(k)) for k in ("cv", "schools_passing", "schools"))
    stages = {str(st): StageOutcome.from_trend_json({"cv": cvs.get(st), "schools_passing": passing.get(st),
                                                     "schools": schools.get(st)})
              for st in dict.fromkeys([*cvs, *passing, *schools])}
    return TrendPoint(None, None, as_int(doc.get("data_year")), as_text(doc.get("run_date")) or "", stages,
                      as_int(doc.get("ledger_open")), as_int(doc.get("ledger_closed")))


@dataclass
class CityBrief:
    """Everything the city page shows: the counties (only their names and stages are read)."""

    city: str | None = None
    generated: str | None = None
    standard_title: str | None = None
    data_year: int | None = None
    indicators: list[Ind] = field(default_factory=list)
    counties: list[CountyBrief] = field(default_factory=list)

    @classmethod
    def read(cls, data: Any) -> CityBrief:
        """The city data of the module docstring (a dict)."""
        data = as_dict(data)
        return cls(as_text(data.get("city")), as_text(data.get("generated")), as_text(data.get("standard_title")),
                   as_int(data.get("data_year")),
                   [i for i in map(Ind.read, as_list(data.get("indicators"))) if i is not None],
                   [CountyBrief.read(c) for c in as_list(data.get("counties"))])


def _county(data: CountyBrief | dict) -> CountyBrief:
    return data if isinstance(data, CountyBrief) else CountyBrief.read(data)


def _city(data: CityBrief | dict) -> CityBrief:
    return data if isinstance(data, CityBrief) else CityBrief.read(data)


# ------------------------------------------------------------------ public API

def render_county_brief(data: CountyBrief | dict) -> str:
    """The one-page county brief as a complete, self-contained HTML document.

    ``data``: a ``CountyBrief``, or its dict form; missing parts show as "—" / 未提供数据.
    """
    return _env.get_template("brief_county.html.j2").render(v=county_view(data))


def render_city_brief(data: CityBrief | dict) -> str:
    """The one-page city roll-up (counties × stages, worst first) as a complete HTML document.

    ``data``: a ``CityBrief``, or its dict form; missing parts show as "—" / 未提供数据.
    """
    return _env.get_template("brief_city.html.j2").render(v=city_view(data))


def write_brief(path: str | os.PathLike, html: str) -> Path:
    """Write ``html`` (UTF-8) to ``path`` with the workbooks' atomic write (outputs.atomic_write:
    a temporary in the same folder, then one rename), so a reader never sees half a page and
    a killed run's temporary is removed by the next run. Returns the path written."""
    path = Path(path)
    atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return path


def _text(x: Any, field: str) -> str | None:
    """User text, stripped and shortened to MAX_CHARS[field]; None when empty."""
    if x is None:
        return None
    s = " ".join(str(x).split())
    limit = MAX_CHARS[field]
    return (s[: limit - 1] + "…" if len(s) > limit else s) or None


# ------------------------------------------------------------------ number formats

def fixed(value: float, places: int, sep: str = "") -> str:
    """``value`` rounded as a spreadsheet shows it (``display.shown``: half up on its first 15
    significant digits): 0.1445 → "0.145" (Python's own "%.3f" gives "0.144" because the
    float is 0.14449…), so the brief and the workbook print one number alike. ``sep`` ","
    adds thousands separators. Absurd magnitudes (≥ 1e15) show as "1e+20", not 21 digits
    that would widen the page; infinities and NaN as "—"."""
    if not math.isfinite(value):
        return DASH
    if abs(value) >= HUGE:
        return f"{value:.3g}"
    return format(shown(value, places), f"{sep}.{places}f")


def fmt_cv(value: float | None, limit: float | None = None) -> str:
    """A CV for display: 3 decimals ("0.551"), or more when a CV over ``limit`` would round
    down to it ("0.5004"); "—" when unknown."""
    return DASH if value is None else fixed(value, honest_decimals(value, limit, 3, at_least=False))


def fmt_limit(value: float | None) -> str:
    """A CV limit: at least 2 decimals, and every digit it has up to 4 ("0.50", "0.45",
    "0.425"), as 市级汇总 shows it; "—" when unknown."""
    if value is None:
        return DASH
    text = fixed(value, 4)
    return text[:-2] + text[-2:].rstrip("0") if "." in text else text


def fmt_value(value: float | None, unit: str | None = None, standard: float | None = None) -> str:
    """An indicator value: 2 decimals; 元 as whole 元 with thousands separators ("4,109");
    more decimals when a value under ``standard`` would round up to it ("5.797", not "5.80")."""
    if value is None:
        return DASH
    return fixed(value, honest_decimals(value, standard, 0 if unit == "元" else 2), ",")


def fmt_pct(ratio: float | None) -> str:
    """A share as a whole percentage ("85%"), "—" when unknown."""
    return DASH if ratio is None else fixed(ratio * 100, 0) + "%"


def fmt_count(n: int | None) -> str:
    """A count with thousands separators, "—" when unknown."""
    return DASH if n is None else f"{n:,}"


def _ledger_places(unit: str, values: list[float | None]) -> int:
    """Decimals of a ledger line's amounts: CV lines (no unit) 3, % 1, 元 0, other units 0 when
    every value is whole, else 2."""
    if unit == "":
        return 3
    if unit == "%":
        return 1
    if unit == "元":
        return 0
    return 0 if all(v.is_integer() for v in values if v is not None) else 2


def _fmt_pair(current: float | None, standard: float | None, unit: str) -> str:
    """A ledger line's "current / standard" in its own unit ("1,240 / 2,000 元"); the current
    value keeps the decimals that tell it from the standard it falls short of."""
    places = _ledger_places(unit, [current, standard])
    at_least = current is None or standard is None or current <= standard
    shown = [DASH if current is None else fixed(current, honest_decimals(current, standard, places, at_least=at_least), ","),
             DASH if standard is None else fixed(standard, places, ",")]
    pair = " / ".join(s + "%" if unit == "%" and s != DASH else s for s in shown)
    return pair + (f" {unit}" if unit not in ("", "%") else "")


# ------------------------------------------------------------------ shared pieces

def _indicators_from_stages(stages: list[StageOutcome]) -> list[Ind]:
    """Without a list of indicators: the ids found in the stages, in number order."""
    ids = {k for s in stages for k in s.indicators}
    ordered = sorted(ids, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))
    return [Ind(k, f"指标{k}", f"指标{k}", "", {}) for k in ordered]


def area_word(data: CountyBrief) -> str:
    """全县/全区/全市/全旗: ``area_word`` if given, else from the county name's last character."""
    given = _text(data.area_word, "short")
    if given:
        return given
    return CountyId(_text(data.county, "county") or "").area_word


def _stage_label(stage: Any) -> str:
    return STAGE_LABEL.get(str(stage), DASH) if stage else DASH


def _entry(stage: StageOutcome | None, ind_id: str) -> IndicatorOutcome:
    """An indicator of a stage; an unknown one has nothing known."""
    found = stage.indicators.get(ind_id) if stage is not None else None
    return found or IndicatorOutcome(None, None, None, None, None, None)


def worst_cv_ratio(stage: StageOutcome | None) -> float | None:
    """The largest CV / limit of a stage (> 1 means over the limit), None when unknown."""
    ratios = [e.cv / e.cv_limit for e in (stage.indicators.values() if stage else ())
              if e.cv is not None and e.cv_limit]
    return max(ratios, default=None)


def _meta(data: CountyBrief | CityBrief) -> dict:
    year = data.data_year
    return {
        "data_year": f"{year} 年" if year is not None else DASH,
        "generated": _text(data.generated, "generated") or DASH,
        "standard": _text(data.standard_title, "title") or NO_DATA,
    }


# ------------------------------------------------------------------ county page

def county_view(data: CountyBrief | dict) -> dict:
    """Everything the county template shows, already formatted and cut to fit one page."""
    data = _county(data)
    stages = data.stages
    inds = data.indicators or _indicators_from_stages(list(stages.values()))
    area = area_word(data)
    county = _text(data.county, "county")
    ledger_rows, ledger_more, ledger_total = ledger_top(data.ledger or [], inds)
    trend = data.trend
    return {
        "title": f"{county or '（未提供县名）'}义务教育优质均衡发展简报",
        "county": county or NO_DATA,
        "code": _text(data.county_code, "code"),
        "area": area,
        **_meta(data),
        "stages": [_stage_view(st, stages.get(st), inds, area) for st in STAGES],
        "indicator_rows": indicator_rows(inds, stages, data.schools),
        "stage_labels": [STAGE_LABEL[st] for st in STAGES],
        "ledger": ledger_rows, "ledger_more": ledger_more, "ledger_total": ledger_total,
        "ledger_given": data.ledger is not None,
        "trends": [_trend_view(trend, st, _limit(stages.get(st))) for st in STAGES],
        "ledger_trend": ledger_trend_text(trend),
        "limits": [(STAGE_LABEL[st], fmt_limit(_limit(stages.get(st)))) for st in STAGES],
    }


def _limit(stage: StageOutcome | None) -> float | None:
    return float_or_none(stage.cv_limit) if stage is not None else None


def _stage_view(stage: str, raw: StageOutcome | None, inds: list[Ind], area: str) -> dict:
    """Verdict, reasons and CV chart of one stage (未提供数据 when the stage is absent)."""
    label = STAGE_LABEL[stage]
    view = StageView.of(raw)
    out = {"label": label, "heading": f"{area}{label}资源配置", "verdict": view.verdict.value, "cls": view.css,
           "present": raw is not None, "reasons": [], "chart": None, "limit": DASH}
    if raw is None:
        return out
    limit = _limit(raw)
    out.update(reasons=_reason_lines(raw, view, inds), limit=fmt_limit(limit),
               chart=cv_chart(raw, inds, limit, f"{label}差异系数"))
    return out


def _reason_lines(stage: StageOutcome, view: StageView, inds: list[Ind]) -> list[str]:
    """The stage's ``view`` in the brief's words: school counts, failing schools, and the CVs
    over the limit by name and value."""
    lines = [f"学校 {fmt_count(view.schools)} 所，在校生 {fmt_count(view.students)} 人",
             f"达标学校 {fmt_count(view.passing)} 所，未达标学校 {fmt_count(view.failing)} 所"]
    return lines + [_cv_reason(stage, view, inds)]


def _cv_reason(stage: StageOutcome, view: StageView, inds: list[Ind]) -> str:
    ids = view.cv_over
    if not stage.indicators and not ids:
        return f"差异系数：{NO_DATA}"
    if not ids:
        return f"差异系数均未超过限值 {fmt_limit(_limit(stage))}"
    names = {i.id: i.short for i in inds}
    named = [f"{names.get(i, f'指标{i}')} {fmt_cv(float_or_none(e.cv), float_or_none(e.cv_limit))}"
             for i, e in ((i, _entry(stage, i)) for i in ids)]
    return view.cv_over_text + "：" + "、".join(named)


def cv_chart(stage: StageOutcome, inds: list[Ind], limit: float | None, title: str) -> Markup:
    """Seven horizontal bars (one per indicator) with the stage's CV limit as a dashed line."""
    bars = []
    for ind in inds:
        entry = _entry(stage, ind.id)
        cv = float_or_none(entry.cv)
        bars.append(Bar(ind.short, cv, entry.cv_status, fmt_cv(cv, limit)))
    return hbar_chart(bars, limit=limit, limit_label=f"限值 {fmt_limit(limit)}", title=title)


def indicator_rows(inds: list[Ind], stages: dict[str, StageOutcome], schools: list[SchoolOutcome]) -> list[dict]:
    """Per indicator and stage: standard, county value and schools below the standard.

    A school is below when its value < the standard; a missing value counts as 无数据,
    never as below or meeting. Without school rows for a stage the count is "—".
    """
    rows = []
    for ind in inds:
        cells = [_indicator_cell(ind, st, stages.get(st), schools) for st in STAGES]
        rows.append({"name": ind.name, "short": ind.short, "unit": ind.unit, "cells": cells})
    return rows


def _indicator_cell(ind: Ind, stage: str, raw: StageOutcome | None, schools: list[SchoolOutcome]) -> dict:
    entry = _entry(raw, ind.id)
    standard = float_or_none(entry.standard)
    if standard is None:
        standard = float_or_none(as_number(ind.standard.get(stage)))
    values = [s.values.get(ind.id) for s in schools if s.stage == stage]
    known = [float(v) for v in values if v is not None]
    below = None if standard is None or not values else sum(v < standard for v in known)
    return {
        "standard": fmt_value(standard, ind.unit),
        "county_value": fmt_value(float_or_none(entry.county_value), ind.unit, standard),
        "below": fmt_count(below), "total": len(values), "nodata": len(values) - len(known),
        "share": (below / len(values)) if below is not None and values else 0.0,
        "cls": "na" if below is None else ("bad" if below else "ok"),
    }


def _relative_gap(line: LedgerItem) -> float | None:
    shortfall, standard = float_or_none(line.shortfall), float_or_none(line.standard)
    if shortfall is None or not standard:
        return None
    return abs(shortfall / standard)


def printed_lines(row: dict) -> int:
    """How many text lines a formatted ledger row takes on paper: its cells wrap, whole."""
    most = 1
    for key, percent in LEDGER_COLUMNS:
        units = max(1.0, (TEXT_WIDTH_MM * percent / 100 - CELL_PADDING_MM) / UNIT_MM)
        most = max(most, math.ceil(text_width(row.get(key) or "") / units))
    return most


def ledger_top(ledger: list[LedgerItem], inds: list[Ind], top: int = LEDGER_TOP) -> tuple[list[dict], int, int]:
    """(the first ledger lines by relative gap = shortfall / standard, largest first, formatted
    — at most ``top``, and no more than ``LEDGER_TEXT_LINES`` printed lines, each cell whole;
    how many more there are; how many lines in all). Lines without a gap go last. An
    indicator's full name inside a line's text is shown by its short name."""
    lines = list(ledger)
    gaps = [_relative_gap(ln) for ln in lines]
    order = sorted(range(len(lines)), key=lambda i: (gaps[i] is None, -(gaps[i] or 0.0)))
    shorts = {i.id: (i.name, i.short) for i in inds}
    shown, used = [], 0
    for i in order[:top]:
        row = _ledger_row(lines[i], shorts)
        used += printed_lines(row)
        if shown and used > LEDGER_TEXT_LINES:
            break
        shown.append(row)
    return shown, len(lines) - len(shown), len(lines)


def _ledger_row(line: LedgerItem, shorts: dict[str, tuple[str, str]]) -> dict:
    unit = str(line.unit or "")
    current, standard = float_or_none(line.current), float_or_none(line.standard)
    need, need_unit = float_or_none(line.need), _text(line.need_unit, "short") or ""
    need_text = _text(line.need_text, "need")
    if not need_text and need is not None:
        need_text = f"缺口 {fixed(need, 0 if need.is_integer() else 2, ',')} {need_unit}".strip()
    return {
        "school": _text(line.school, "school") or DASH,
        "stage": _stage_label(line.stage),
        "indicator": _text(_shorten(line.indicator, shorts.get(str(line.item))), "indicator") or DASH,
        "current": _fmt_pair(current, standard, unit),
        "gap": fmt_pct(_relative_gap(line)),
        "need": _text(need_text, "need") or DASH,
    }


def _shorten(text: Any, names: tuple[str, str] | None) -> Any:
    """``text`` with the indicator's full name replaced by its short one (ledger lines)."""
    if not isinstance(text, str) or not names:
        return text
    return text.replace(names[0], names[1])


def _trend_label(point: TrendPoint) -> str:
    """A run's label under the sparkline: its run date, else its data year."""
    year = point.data_year
    return _text(point.run_at[:10], "generated") or (f"{year} 年" if year is not None else DASH)


def _trend_view(trend: list[TrendPoint], stage: str, limit: float | None) -> dict:
    """Worst CV of the stage over the runs (sparkline) and schools passing first → last."""
    points = list(trend)
    label = STAGE_LABEL[stage]
    view = {"label": label, "chart": None, "note": None, "passing": None, "latest": None}
    if not points:
        view["note"] = "暂无历史数据"
        return view
    series = []
    for p in points:
        st = p.stages.get(stage)
        worst = max((float(v) for v in (st.cvs().values() if st else ()) if v is not None), default=None)
        status = "na" if worst is None or limit is None else ("ok" if worst <= limit else "bad")
        series.append(Point(worst, status))
    if all(p.value is None for p in series):
        view["note"] = "暂无历史数据"
        return view
    view["chart"] = sparkline(series, limit=limit, title=f"{label}最大差异系数变化",
                              first_label=_trend_label(points[0]), last_label=_trend_label(points[-1]))
    view["note"] = "首次运行，仅有一个数据点" if len(points) == 1 else f"共 {len(points)} 次运行"
    view["passing"] = " → ".join(_passing_text(p, stage) for p in _ends(points))
    view["latest"] = fmt_cv(series[-1].value)
    return view


def _ends(points: list) -> list:
    return points if len(points) < 2 else [points[0], points[-1]]


def _passing_text(point: TrendPoint, stage: str) -> str:
    st = point.stages.get(stage)
    passing, total = (st.schools_passing, st.schools) if st is not None else (None, None)
    return f"{fmt_count(passing)}/{fmt_count(total)}"


def ledger_trend_text(trend: list[TrendPoint]) -> str:
    """The ledger's open / closed counts at the latest run, with the first run's for contrast."""
    points = list(trend)
    if not points:
        return f"整改台账：{NO_DATA}"
    last, first = points[-1], points[0]
    parts = [f"{word} {n:,} 条" for word, n in (("未销号", last.ledger_open),
                                                (LedgerStatus.CLOSED, last.ledger_closed)) if n is not None]
    if not parts:
        return f"整改台账：{NO_DATA}"
    text = "整改台账（最近一次）：" + "，".join(parts)
    if len(points) > 1 and first.ledger_open is not None:
        text += f"；首次运行时未销号 {first.ledger_open:,} 条"
    return text


# ------------------------------------------------------------------ city page

def city_view(data: CityBrief | dict) -> dict:
    """Everything the city template shows: counties sorted worst first, cut to fit one page."""
    data = _city(data)
    inds = data.indicators or _indicators_from_stages([s for c in data.counties for s in c.stages.values()])
    rows = sorted((county_row(c, inds) for c in data.counties), key=_severity)
    shown = rows[:CITY_MAX_COUNTIES]
    city = _text(data.city, "city")
    return {
        "title": f"{city or ''}义务教育优质均衡发展简报",
        "city": city or NO_DATA,
        **_meta(data),
        "inds": inds,
        "rows": shown, "more": len(rows) - len(shown), "total": len(rows),
        "tallies": [_tally(rows, i, st) for i, st in enumerate(STAGES)],
        "charts": [_ratio_chart(shown, i, st) for i, st in enumerate(STAGES)],
    }


def county_row(county: CountyBrief, inds: list[Ind]) -> dict:
    """One county of the city table: per stage its verdict, schools passing and 7 CVs."""
    cells = [_city_stage(county.stages.get(st), st, inds) for st in STAGES]
    return {"name": _text(county.county, "county") or NO_DATA, "stages": cells}


def _city_stage(raw: StageOutcome | None, stage: str, inds: list[Ind]) -> dict:
    view = StageView.of(raw)
    passing, total = view.passing, view.schools
    cvs = []
    for i in inds:
        entry = _entry(raw, i.id)
        cvs.append({"text": fmt_cv(float_or_none(entry.cv), float_or_none(entry.cv_limit)), "cls": entry.cv_status})
    return {"label": STAGE_LABEL[stage], "verdict": view.verdict.value, "cls": view.css, "cvs": cvs,
            "passing": f"{fmt_count(passing)}/{fmt_count(total)}",
            "passing_share": fmt_pct(passing / total) if passing is not None and total else DASH,
            "ratio": worst_cv_ratio(raw)}


def _severity(row: dict) -> tuple:
    """Sort key, worst first: stages failing, then the worst CV ratio; no data last."""
    cells = row["stages"]
    failing = sum(c["cls"] == "bad" for c in cells)
    known = any(c["cls"] != "na" for c in cells)
    worst = max((c["ratio"] for c in cells if c["ratio"] is not None), default=-1.0)
    return (not known, -failing, -worst, row["name"])


def _tally(rows: list[dict], index: int, stage: str) -> dict:
    cells = [r["stages"][index] for r in rows]
    return {"label": STAGE_LABEL[stage],
            "passed": sum(c["cls"] == "ok" for c in cells),
            "failed": sum(c["cls"] == "bad" for c in cells),
            "unknown": sum(c["cls"] == "na" for c in cells)}


def _ratio_chart(rows: list[dict], index: int, stage: str) -> Markup:
    """Each county's worst CV as a share of its limit (100% = at the limit), table order.
    Rows are roomy for a few counties and tighten (to a floor) as more share the space."""
    bars = []
    for r in rows:
        ratio = r["stages"][index]["ratio"]
        status = "na" if ratio is None else ("bad" if ratio > 1 else "ok")
        bars.append(Bar(r["name"], ratio, status, fmt_pct(ratio)))
    return hbar_chart(bars, limit=1.0, limit_label="限值", title=f"{STAGE_LABEL[stage]}最大差异系数占限值比例",
                      row=min(18.0, max(11.5, 160.0 / max(len(bars), 1))), label_width=84.0,
                      tick_format=fmt_pct)
