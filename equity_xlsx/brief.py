"""Printable one-page HTML brief (简报): one per county, and a city roll-up.

The page is self-contained (inline CSS and inline SVG, no JavaScript, no URLs, system CJK
fonts) and sized for one A4 portrait page when printed, however many schools or ledger lines
a county has: long lists are cut to their most important lines with "另有 N 条…", long
texts are shortened with "…". All user text (county, school, ledger texts) is HTML-escaped.

Input contract (plain dicts, e.g. built from summary.json; every key may be missing or None,
and then shows as "—" or 未提供数据; the brief never raises on odd data)::

    county data = {
      "county": "大祥区", "county_code": "430503" | None,
      "area_word": "全区",            # 全县/全区/全市/全旗; derived from the county name if absent
      "standard_title": "国家标准（2017 年…）",
      "data_year": 2025 | None, "generated": "2026-11-23 22:30",
      "indicators": [                 # the 7 资源配置 indicators, in display order
        {"id": 1, "name": "每百名学生拥有高于规定学历教师数", "short": "高学历教师",
         "unit": "人/百生", "standard": {"primary": 4.2, "junior": 5.3}}, ...],
      "stages": {                     # "primary" and/or "junior"; an absent stage is 未提供数据
        "primary": {
          "schools": 16, "students": 12322, "schools_passing": 4, "schools_failing": 12,
          "resource_pass": False,     # the stage verdict (every school passes and every CV ok)
          "cv_over_limit": ["6"],     # indicator ids whose CV exceeds the limit
          "indicators": {"1": {"county_value": 5.52, "standard": 4.2, "cv": 0.0899,
                               "cv_limit": 0.5, "cv_ok": True, "schools_meeting": 16}, ...}}},
      "schools": [{"name": "…小学", "stage": "primary", "students": 812,
                   "values": {"1": 5.1, ...},   # None = no data
                   "met": 6, "passes": True}, ...],
      "ledger": [{"id": "TZ-06-1F6AA9", "school": "…", "stage": "primary", "indicator": "…",
                  "current": 1240.0, "standard": 2000.0, "shortfall": 760.0, "unit": "元",
                  "item": "6", "need": 655000.0, "need_unit": "元",
                  "need_text": "需补足教学仪器设备值 655,000 元（约 65.50 万元）"}, ...],
      "trend": [                      # oldest first; 0, 1 or many points (the last = this run)
        {"data_year": 2024, "run_date": "2025-11-20",
         "cv": {"primary": {"1": 0.1, ...}, "junior": {...}},
         "schools_passing": {"primary": 3, "junior": 5}, "schools": {"primary": 16, "junior": 10},
         "ledger_open": 40, "ledger_closed": 3}, ...],
    }
    city data = {"city": "邵阳市" | None, "generated": ..., "standard_title": ..., "data_year": ...,
                 "indicators": [...as above...],
                 "counties": [county data, ...]}   # only "county" and "stages" are used

What each part feeds, and what stands in when it is missing:

* ``stages.*.resource_pass``: the verdict 达标 / 未达标; missing → 未提供数据 (never 达标).
  ``schools_failing`` missing → ``schools − schools_passing``; ``cv_over_limit`` missing → the
  indicators whose ``cv_ok`` is False (or, without ``cv_ok``, whose cv > cv_limit).
* ``schools``: only ``stage`` and ``values`` are read: per indicator, schools whose value is
  below the standard (``stages.*.indicators.*.standard``, else ``indicators[].standard``);
  a None value counts as 无数据. No school rows for a stage → "—".
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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .charts import Bar, Point, hbar_chart, sparkline
from .outputs import atomic_write
from .display import honest_decimals, text_width
from .identity import CountyId
from .model import STAGE_LABEL, STAGES
from .vocabulary import LedgerStatus

DASH = "—"
NO_DATA = "未提供数据"
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
HUGE = 1e15                 # no real indicator, CV or amount comes near; shown as 1e+15

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("equity_xlsx", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# ------------------------------------------------------------------ public API

def render_county_brief(data: dict) -> str:
    """The one-page county brief as a complete, self-contained HTML document.

    ``data`` follows the module's county contract; missing parts show as "—" / 未提供数据.
    """
    return _env.get_template("brief_county.html.j2").render(v=county_view(_dict(data)))


def render_city_brief(data: dict) -> str:
    """The one-page city roll-up (counties × stages, worst first) as a complete HTML document.

    ``data`` follows the module's city contract; missing parts show as "—" / 未提供数据.
    """
    return _env.get_template("brief_city.html.j2").render(v=city_view(_dict(data)))


def write_brief(path: str | os.PathLike, html: str) -> Path:
    """Write ``html`` (UTF-8) to ``path`` with the workbooks' atomic write (outputs.atomic_write:
    a temporary in the same folder, then one rename), so a reader never sees half a page and
    a killed run's temporary is removed by the next run. Returns the path written."""
    path = Path(path)
    atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return path


# ------------------------------------------------------------------ tolerant readers

def _dict(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def _list(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else []


def _num(x: Any) -> float | None:
    """A finite number, or None for anything else (None, bool, NaN, text that is no number)."""
    if isinstance(x, bool) or x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _int(x: Any) -> int | None:
    value = _num(x)
    return None if value is None else int(round(value))


def _text(x: Any, field: str) -> str | None:
    """User text, stripped and shortened to MAX_CHARS[field]; None when empty."""
    if x is None:
        return None
    s = " ".join(str(x).split())
    limit = MAX_CHARS[field]
    return (s[: limit - 1] + "…" if len(s) > limit else s) or None


# ------------------------------------------------------------------ number formats

def fixed(value: float, places: int, sep: str = "") -> str:
    """``value`` rounded half up on its shortest decimal form, as Excel shows it: 0.1445 →
    "0.145" (Python's own "%.3f" gives "0.144" because the float is 0.14449…). ``sep`` ","
    adds thousands separators. Absurd magnitudes (≥ 1e15) show as "1e+20", not 21 digits
    that would widen the page; infinities and NaN as "—"."""
    if not math.isfinite(value):
        return DASH
    if abs(value) >= HUGE:
        return f"{value:.3g}"
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format(exact, f"{sep}.{places}f")


def fmt_cv(value: float | None, limit: float | None = None) -> str:
    """A CV for display: 3 decimals ("0.551"), or more when a CV over ``limit`` would round
    down to it ("0.5004"); "—" when unknown."""
    return DASH if value is None else fixed(value, honest_decimals(value, limit, 3, at_least=False))


def fmt_limit(value: float | None) -> str:
    """A CV limit: 2 decimals ("0.50", "0.45"), "—" when unknown."""
    return DASH if value is None else fixed(value, 2)


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

@dataclass(frozen=True)
class Ind:
    """One 资源配置 indicator as the brief shows it (``id`` is the string key of the data)."""

    id: str
    name: str
    short: str
    unit: str
    standard: dict


def indicators_of(data: dict) -> list[Ind]:
    """The indicators to show: ``data["indicators"]``, else the ids found in the stages."""
    out = []
    for raw in map(_dict, _list(data.get("indicators"))):
        if raw.get("id") is None:
            continue
        ident = str(raw["id"])
        name = _text(raw.get("name"), "title") or f"指标{ident}"
        short = _text(raw.get("short"), "short") or _text(name, "short")
        out.append(Ind(ident, name, short, _text(raw.get("unit"), "short") or "", _dict(raw.get("standard"))))
    return out or _indicators_from_stages(data)


def _indicators_from_stages(data: dict) -> list[Ind]:
    stages = [_dict(s) for s in _dict(data.get("stages")).values()]
    stages += [_dict(s) for c in _list(data.get("counties")) for s in _dict(_dict(c).get("stages")).values()]
    ids = {str(k) for s in stages for k in _dict(s.get("indicators"))}
    ordered = sorted(ids, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))
    return [Ind(k, f"指标{k}", f"指标{k}", "", {}) for k in ordered]


def area_word(data: dict) -> str:
    """全县/全区/全市/全旗: ``area_word`` if given, else from the county name's last character."""
    given = _text(data.get("area_word"), "short")
    if given:
        return given
    return CountyId(_text(data.get("county"), "county") or "").area_word


def _stage_label(stage: Any) -> str:
    return STAGE_LABEL.get(str(stage), DASH) if stage else DASH


def _cv_limit(stage: dict) -> float | None:
    """The stage's CV limit (the same for all 7 indicators; the first one given)."""
    for entry in map(_dict, _dict(stage.get("indicators")).values()):
        limit = _num(entry.get("cv_limit"))
        if limit is not None:
            return limit
    return None


def cv_status(entry: dict) -> str:
    """ok / bad / na for one indicator's CV: ``cv_ok`` when given, else CV ≤ limit."""
    cv, limit, ok = _num(entry.get("cv")), _num(entry.get("cv_limit")), entry.get("cv_ok")
    if cv is None:
        return "na"
    if isinstance(ok, bool):
        return "ok" if ok else "bad"
    if limit is None:
        return "na"
    return "ok" if cv <= limit else "bad"


def verdict(stage: dict | None) -> tuple[str, str]:
    """(达标 / 未达标 / 未提供数据, css class) for a stage's 资源配置."""
    passed = _dict(stage).get("resource_pass")
    if passed is True:
        return "达标", "ok"
    if passed is False:
        return "未达标", "bad"
    return NO_DATA, "na"


def worst_cv_ratio(stage: dict) -> float | None:
    """The largest CV / limit of a stage (> 1 means over the limit), None when unknown."""
    ratios = []
    for entry in map(_dict, _dict(stage.get("indicators")).values()):
        cv, limit = _num(entry.get("cv")), _num(entry.get("cv_limit"))
        if cv is not None and limit:
            ratios.append(cv / limit)
    return max(ratios, default=None)


def _meta(data: dict) -> dict:
    year = _int(data.get("data_year"))
    return {
        "data_year": f"{year} 年" if year is not None else DASH,
        "generated": _text(data.get("generated"), "generated") or DASH,
        "standard": _text(data.get("standard_title"), "title") or NO_DATA,
    }


# ------------------------------------------------------------------ county page

def county_view(data: dict) -> dict:
    """Everything the county template shows, already formatted and cut to fit one page."""
    inds = indicators_of(data)
    stages = _dict(data.get("stages"))
    schools = list(map(_dict, _list(data.get("schools"))))
    area = area_word(data)
    county = _text(data.get("county"), "county")
    ledger_rows, ledger_more, ledger_total = ledger_top(_list(data.get("ledger")), inds)
    trend = _list(data.get("trend"))
    return {
        "title": f"{county or '（未提供县名）'}义务教育优质均衡发展简报",
        "county": county or NO_DATA,
        "code": _text(data.get("county_code"), "code"),
        "area": area,
        **_meta(data),
        "stages": [_stage_view(st, stages.get(st), inds, area) for st in STAGES],
        "indicator_rows": indicator_rows(inds, stages, schools),
        "stage_labels": [STAGE_LABEL[st] for st in STAGES],
        "ledger": ledger_rows, "ledger_more": ledger_more, "ledger_total": ledger_total,
        "ledger_given": isinstance(data.get("ledger"), (list, tuple)),
        "trends": [_trend_view(trend, st, _cv_limit(_dict(stages.get(st)))) for st in STAGES],
        "ledger_trend": ledger_trend_text(trend),
        "limits": [(STAGE_LABEL[st], fmt_limit(_cv_limit(_dict(stages.get(st))))) for st in STAGES],
    }


def _stage_view(stage: str, raw: Any, inds: list[Ind], area: str) -> dict:
    """Verdict, reasons and CV chart of one stage (未提供数据 when the stage is absent)."""
    label = STAGE_LABEL[stage]
    word, cls = verdict(raw if isinstance(raw, dict) else None)
    view = {"label": label, "heading": f"{area}{label}资源配置", "verdict": word, "cls": cls,
            "present": isinstance(raw, dict), "reasons": [], "chart": None, "limit": DASH}
    if not isinstance(raw, dict):
        return view
    limit = _cv_limit(raw)
    view.update(reasons=stage_reasons(raw, inds), limit=fmt_limit(limit),
                chart=cv_chart(raw, inds, limit, f"{label}差异系数"))
    return view


def stage_reasons(stage: dict, inds: list[Ind]) -> list[str]:
    """Why a stage passes or not: school counts, failing schools, CVs over the limit."""
    n, students = _int(stage.get("schools")), _int(stage.get("students"))
    passing = _int(stage.get("schools_passing"))
    failing = _int(stage.get("schools_failing"))
    if failing is None and n is not None and passing is not None:
        failing = n - passing
    lines = [f"学校 {fmt_count(n)} 所，在校生 {fmt_count(students)} 人",
             f"达标学校 {fmt_count(passing)} 所，未达标学校 {fmt_count(failing)} 所"]
    return lines + [_cv_reason(stage, inds)]


def _cv_reason(stage: dict, inds: list[Ind]) -> str:
    per = _dict(stage.get("indicators"))
    over = stage.get("cv_over_limit")
    if isinstance(over, (list, tuple)):
        ids = [str(i) for i in over]
    else:
        ids = [k for k, e in per.items() if cv_status(_dict(e)) == "bad"]
    if not per and not ids:
        return f"差异系数：{NO_DATA}"
    if not ids:
        return f"差异系数均未超过限值 {fmt_limit(_cv_limit(stage))}"
    names = {i.id: i.short for i in inds}
    named = [f"{names.get(i, f'指标{i}')} {fmt_cv(_num(_dict(per.get(i)).get('cv')), _num(_dict(per.get(i)).get('cv_limit')))}"
             for i in ids]
    return f"超限差异系数 {len(ids)} 项：" + "、".join(named)


def cv_chart(stage: dict, inds: list[Ind], limit: float | None, title: str) -> Markup:
    """Seven horizontal bars (one per indicator) with the stage's CV limit as a dashed line."""
    per = _dict(stage.get("indicators"))
    bars = []
    for ind in inds:
        entry = _dict(per.get(ind.id))
        cv = _num(entry.get("cv"))
        bars.append(Bar(ind.short, cv, cv_status(entry), fmt_cv(cv, limit)))
    return hbar_chart(bars, limit=limit, limit_label=f"限值 {fmt_limit(limit)}", title=title)


def indicator_rows(inds: list[Ind], stages: dict, schools: list[dict]) -> list[dict]:
    """Per indicator and stage: standard, county value and schools below the standard.

    A school is below when its value < the standard; a missing value counts as 无数据,
    never as below or meeting. Without school rows for a stage the count is "—".
    """
    rows = []
    for ind in inds:
        cells = [_indicator_cell(ind, st, _dict(stages.get(st)), schools) for st in STAGES]
        rows.append({"name": ind.name, "short": ind.short, "unit": ind.unit, "cells": cells})
    return rows


def _indicator_cell(ind: Ind, stage: str, raw: dict, schools: list[dict]) -> dict:
    entry = _dict(_dict(raw.get("indicators")).get(ind.id))
    standard = _num(entry.get("standard"))
    if standard is None:
        standard = _num(ind.standard.get(stage))
    values = [_dict(s.get("values")).get(ind.id) for s in schools if s.get("stage") == stage]
    nums = [_num(v) for v in values]
    known = [v for v in nums if v is not None]
    below = None if standard is None or not values else sum(v < standard for v in known)
    return {
        "standard": fmt_value(standard, ind.unit),
        "county_value": fmt_value(_num(entry.get("county_value")), ind.unit, standard),
        "below": fmt_count(below), "total": len(values), "nodata": len(values) - len(known),
        "share": (below / len(values)) if below is not None and values else 0.0,
        "cls": "na" if below is None else ("bad" if below else "ok"),
    }


def _relative_gap(line: dict) -> float | None:
    shortfall, standard = _num(line.get("shortfall")), _num(line.get("standard"))
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


def ledger_top(ledger: list, inds: list[Ind], top: int = LEDGER_TOP) -> tuple[list[dict], int, int]:
    """(the first ledger lines by relative gap = shortfall / standard, largest first, formatted
    — at most ``top``, and no more than ``LEDGER_TEXT_LINES`` printed lines, each cell whole;
    how many more there are; how many lines in all). Lines without a gap go last. An
    indicator's full name inside a line's text is shown by its short name."""
    lines = [_dict(x) for x in ledger if isinstance(x, dict)]
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


def _ledger_row(line: dict, shorts: dict[str, tuple[str, str]]) -> dict:
    unit = str(line.get("unit") or "")
    current, standard = _num(line.get("current")), _num(line.get("standard"))
    need, need_unit = _num(line.get("need")), _text(line.get("need_unit"), "short") or ""
    need_text = _text(line.get("need_text"), "need")
    if not need_text and need is not None:
        need_text = f"缺口 {fixed(need, 0 if need.is_integer() else 2, ',')} {need_unit}".strip()
    return {
        "school": _text(line.get("school"), "school") or DASH,
        "stage": _stage_label(line.get("stage")),
        "indicator": _text(_shorten(line.get("indicator"), shorts.get(str(line.get("item")))), "indicator") or DASH,
        "current": _fmt_pair(current, standard, unit),
        "gap": fmt_pct(_relative_gap(line)),
        "need": _text(need_text, "need") or DASH,
    }


def _shorten(text: Any, names: tuple[str, str] | None) -> Any:
    """``text`` with the indicator's full name replaced by its short one (ledger lines)."""
    if not isinstance(text, str) or not names:
        return text
    return text.replace(names[0], names[1])


def _trend_label(point: dict) -> str:
    """A run's label under the sparkline: its run date, else its data year."""
    year = _int(point.get("data_year"))
    return _text(point.get("run_date"), "generated") or (f"{year} 年" if year is not None else DASH)


def _trend_view(trend: list, stage: str, limit: float | None) -> dict:
    """Worst CV of the stage over the runs (sparkline) and schools passing first → last."""
    points = [_dict(p) for p in trend]
    label = STAGE_LABEL[stage]
    view = {"label": label, "chart": None, "note": None, "passing": None, "latest": None}
    if not points:
        view["note"] = "暂无历史数据"
        return view
    series = []
    for p in points:
        worst = max((v for v in map(_num, _dict(_dict(p.get("cv")).get(stage)).values()) if v is not None),
                    default=None)
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


def _passing_text(point: dict, stage: str) -> str:
    passing = _int(_dict(point.get("schools_passing")).get(stage))
    total = _int(_dict(point.get("schools")).get(stage))
    return f"{fmt_count(passing)}/{fmt_count(total)}"


def ledger_trend_text(trend: list) -> str:
    """The ledger's open / closed counts at the latest run, with the first run's for contrast."""
    points = [_dict(p) for p in trend]
    last, first = (points[-1], points[0]) if points else ({}, {})
    parts = [f"{word} {n:,} 条" for word, n in (("未销号", _int(last.get("ledger_open"))),
                                                (LedgerStatus.CLOSED, _int(last.get("ledger_closed")))) if n is not None]
    if not parts:
        return f"整改台账：{NO_DATA}"
    text = "整改台账（最近一次）：" + "，".join(parts)
    first_open = _int(first.get("ledger_open"))
    if len(points) > 1 and first_open is not None:
        text += f"；首次运行时未销号 {first_open:,} 条"
    return text


# ------------------------------------------------------------------ city page

def city_view(data: dict) -> dict:
    """Everything the city template shows: counties sorted worst first, cut to fit one page."""
    inds = indicators_of(data)
    rows = sorted((county_row(_dict(c), inds) for c in _list(data.get("counties"))), key=_severity)
    shown = rows[:CITY_MAX_COUNTIES]
    city = _text(data.get("city"), "city")
    return {
        "title": f"{city or ''}义务教育优质均衡发展简报",
        "city": city or NO_DATA,
        **_meta(data),
        "inds": inds,
        "rows": shown, "more": len(rows) - len(shown), "total": len(rows),
        "tallies": [_tally(rows, i, st) for i, st in enumerate(STAGES)],
        "charts": [_ratio_chart(shown, i, st) for i, st in enumerate(STAGES)],
    }


def county_row(county: dict, inds: list[Ind]) -> dict:
    """One county of the city table: per stage its verdict, schools passing and 7 CVs."""
    stages = _dict(county.get("stages"))
    cells = [_city_stage(stages.get(st), st, inds) for st in STAGES]
    return {"name": _text(county.get("county"), "county") or NO_DATA, "stages": cells}


def _city_stage(raw: Any, stage: str, inds: list[Ind]) -> dict:
    st = _dict(raw)
    word, cls = verdict(raw if isinstance(raw, dict) else None)
    per = _dict(st.get("indicators"))
    passing, total = _int(st.get("schools_passing")), _int(st.get("schools"))
    cvs = [{"text": fmt_cv(_num(_dict(per.get(i.id)).get("cv")), _num(_dict(per.get(i.id)).get("cv_limit"))),
            "cls": cv_status(_dict(per.get(i.id)))} for i in inds]
    return {"label": STAGE_LABEL[stage], "verdict": word, "cls": cls, "cvs": cvs,
            "passing": f"{fmt_count(passing)}/{fmt_count(total)}",
            "passing_share": fmt_pct(passing / total) if passing is not None and total else DASH,
            "ratio": worst_cv_ratio(st)}


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
