"""Pure: small inline SVG charts for the printable brief (no JavaScript, no external files).

Every function returns ``markupsafe.Markup``; every piece of text that reaches the SVG goes
through ``markupsafe.escape`` here, so a caller may pass user text (county or school names)
straight in. Colours are not set here: shapes carry a class (``ok``, ``bad``, ``na``,
``limit``, ``axis``, ``grid``, ``spark``) that the page's CSS paints.

Coordinates are SVG user units; the viewBox is the chart's natural size in CSS px, so text
sizes in the CSS keep their meaning when the SVG is scaled to its column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from markupsafe import Markup, escape

# Allowed classes for a bar or a dot (anything else would be a programming error).
STATUS_CLASSES = ("ok", "bad", "na")
AXIS_MIN, AXIS_MAX = 1e-9, 1e12  # values that may set an axis's scale
MAX_DOTS = 40  # a sparkline with more points shows only the line and its latest dot


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: ``label`` (user text allowed), ``value`` (None = no data, no bar),
    ``status`` in STATUS_CLASSES, ``value_label`` the text written after the bar."""

    label: str
    value: float | None
    status: str
    value_label: str


@dataclass(frozen=True)
class Point:
    """One sparkline point: ``value`` None leaves a gap; ``status`` colours the dot."""

    value: float | None
    status: str


def _n(x: float) -> str:
    """A coordinate with at most one decimal (keeps the markup short and stable)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def svg(width: float, height: float, body: Sequence[str], *, title: str) -> Markup:
    """An ``<svg>`` element sized by its viewBox (it scales to its container's width)."""
    # Inline SVG in HTML needs no xmlns; leaving it out keeps the page free of URLs.
    head = f'<svg viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{escape(title)}">'
    return Markup(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def rect(x: float, y: float, w: float, h: float, cls: str) -> str:
    """A rectangle of class ``cls``."""
    return f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0.0))}" height="{_n(h)}"/>'


def line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    """A straight line of class ``cls``."""
    return f'<line class="{cls}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'


def text(x: float, y: float, content: str, cls: str = "", anchor: str = "start") -> str:
    """Escaped text; ``anchor`` is start / middle / end; ``y`` is the baseline."""
    klass = f' class="{cls}"' if cls else ""
    return (f'<text{klass} x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}">'
            f"{escape(content)}</text>")


def circle(cx: float, cy: float, r: float, cls: str) -> str:
    """A dot of class ``cls``."""
    return f'<circle class="{cls}" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}"/>'


def polyline(points: Sequence[tuple[float, float]], cls: str) -> str:
    """An open line through ``points``."""
    coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    return f'<polyline class="{cls}" points="{coords}"/>'


def fit_text(content: str, max_width: float, font_size: float = 9.0) -> str:
    """``content`` cut with "…" to fit ``max_width`` user units at ``font_size`` (a CJK character
    counts one em, other characters 0.6 em: an estimate that errs on the short side)."""
    widths = [font_size if ord(ch) > 0x2E7F else font_size * 0.6 for ch in content]
    if sum(widths) <= max_width:
        return content
    room, out = max_width - font_size, []
    for ch, w in zip(content, widths):
        if room < w:
            break
        room -= w
        out.append(ch)
    return "".join(out) + "…"


def nice_step(top: float, max_ticks: int = 7) -> float:
    """The smallest of 1, 2, 5 × 10^k giving at most ``max_ticks`` intervals up to ``top``."""
    if top <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(top / max_ticks))
    for mult in (1, 2, 5, 10):
        if top / (mult * base) <= max_ticks:
            return mult * base
    return 10 * base


def axis_top(values: Sequence[float | None], limit: float | None, headroom: float = 1.15) -> float:
    """Top of a value axis: room for the largest value and the limit, rounded up to a tick.
    Values outside (1e-9, 1e12) do not set the axis (they are drawn clipped to it)."""
    known = [v for v in [*values, limit] if v is not None and AXIS_MIN < v < AXIS_MAX]
    top = max(known, default=1.0) * headroom
    step = nice_step(top)
    return math.ceil(top / step - 1e-9) * step


def hbar_chart(bars: Sequence[Bar], *, limit: float | None, limit_label: str, title: str,
               width: float = 320.0, row: float = 18.0, label_width: float = 74.0,
               tick_format: Callable[[float], str] = "{:.1f}".format) -> Markup:
    """Horizontal bars, one row each, with a vertical dashed limit line and a tick axis.

    Bars with ``value`` None show 无数据 instead of a bar. The axis runs from 0 to a rounded
    top that leaves room for every value, the limit and the value labels.
    """
    top = axis_top([b.value for b in bars], limit)
    plot_x, plot_w = label_width, width - label_width - 44.0
    head, plot_h = 16.0, row * max(len(bars), 1)
    height = head + plot_h + 16.0

    def sx(v: float) -> float:
        return plot_x + plot_w * min(max(v, 0.0), top) / top

    body = _ticks(sx, top, head, plot_h, tick_format)
    for i, bar in enumerate(bars):
        body += _bar_row(bar, y=head + i * row, row=row, sx=sx, plot_x=plot_x)
    if limit is not None:
        x = sx(limit)
        body.append(line(x, head - 4, x, head + plot_h, "limit"))
        body.append(text(x, head - 6, limit_label, "limit-label", "middle"))
    return svg(width, height, body, title=title)


def _ticks(sx, top: float, y0: float, h: float, fmt: Callable[[float], str]) -> list[str]:
    """Grid lines and tick labels along the bottom of a horizontal bar plot."""
    step = nice_step(top)
    out = []
    for k in range(int(round(top / step)) + 1):
        v = k * step
        out.append(line(sx(v), y0, sx(v), y0 + h, "grid" if k else "axis"))
        out.append(text(sx(v), y0 + h + 11, fmt(v), "tick", "middle"))
    return out


def _bar_row(bar: Bar, *, y: float, row: float, sx, plot_x: float) -> list[str]:
    """One labelled bar (or the 无数据 note) in a row of height ``row`` starting at ``y``."""
    mid = y + row / 2 + 3.2
    out = [text(plot_x - 5, mid, fit_text(bar.label, plot_x - 8), "bar-label", "end")]
    if bar.value is None:
        out.append(text(plot_x + 3, mid, "无数据", "na-label"))
        return out
    status = bar.status if bar.status in STATUS_CLASSES else "na"
    end = sx(bar.value)
    out.append(rect(plot_x, y + row * 0.18, end - plot_x, row * 0.64, status))
    out.append(text(end + 3, mid, bar.value_label, f"value {status}-text"))
    return out


def sparkline(points: Sequence[Point], *, limit: float | None, title: str,
              first_label: str, last_label: str, width: float = 320.0, height: float = 56.0) -> Markup:
    """A small line over time with dots, an optional dashed limit line and end labels.

    ``first_label``/``last_label`` are written under the first and last point (dates).
    One point draws a single dot; no points draw only the frame (callers say why in text).
    """
    pad_l, pad_r, top_pad, plot_h = 8.0, 34.0, 8.0, height - 24.0
    values = [p.value for p in points]
    top = axis_top(values, limit, headroom=1.1)
    n = len(points)

    def sx(i: int) -> float:
        return pad_l + (width - pad_l - pad_r) * (i / (n - 1) if n > 1 else 0.5)

    def sy(v: float) -> float:
        return top_pad + plot_h * (1 - min(max(v, 0.0), top) / top)

    body = [line(pad_l, top_pad + plot_h, width - pad_r, top_pad + plot_h, "axis")]
    if limit is not None:
        body.append(line(pad_l, sy(limit), width - pad_r, sy(limit), "limit"))
        body.append(text(width - pad_r + 3, sy(limit) + 3.5, f"限值 {limit:.2f}", "limit-label"))
    for run in _runs([(sx(i), None if v is None else sy(v)) for i, v in enumerate(values)]):
        if len(run) > 1:
            body.append(polyline(run, "spark"))
    for i, p in enumerate(points):
        # Dots only while they stay apart; a long history keeps just the latest one.
        if p.value is not None and (n <= MAX_DOTS or i == n - 1):
            body.append(circle(sx(i), sy(p.value), 2.4, p.status if p.status in STATUS_CLASSES else "na"))
    if n:
        body.append(text(sx(0), height - 3, first_label, "tick", "start" if n > 1 else "middle"))
    if n > 1:
        body.append(text(sx(n - 1), height - 3, last_label, "tick", "end"))
    return svg(width, height, body, title=title)


def _runs(xy: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Split a series at missing values so the line shows a gap, not a false slope."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in xy:
        if y is None:
            runs.append([])
        else:
            runs[-1].append((x, y))
    return [r for r in runs if r]
