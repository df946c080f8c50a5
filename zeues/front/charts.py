"""The KPI page's charts as inline SVG markup (no JavaScript, no library, no CDN).

The markup is written here, not by the template: numbers in SVG attributes must be written with
a decimal point, and the template engine localises floats ("44,6" in Spanish, which browsers
reject); and a year's chart has ~1,100 bars, which the template engine took ~100 ms to render.
Every text is escaped; the page's template places the result inside its <svg> element.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

from zeues.reports.history import format_duration

SERIES = ("ARM", "SOLD", "METROLOGIA")
# (key in the row, name in the tooltip, CSS class) of the completed-per-day bars.
COMPLETED = tuple((s, s, s.lower()) for s in SERIES)
PD_PER_DAY = (("arm_pd", "PD ARM", "arm"), ("sold_pd", "PD SOLD", "sold"))
WIDTH, HEIGHT, BOTTOM, LEFT = 640, 220, 30, 36
ROW = 26


def _scale(values: list[float]) -> float:
    top = max(values, default=0)
    return top if top > 0 else 1.0


def daily_bars(
    rows: list[dict[str, Any]],
    series: tuple[tuple[str, str, str], ...] = COMPLETED,
    fmt: Callable[[Any], str] = lambda v: str(int(v)),
) -> dict[str, Any]:
    """Grouped vertical bars: one group per day, one bar per series (default: completed spools
    per operation); `top` is the scale's highest value, formatted like the tooltips."""
    top = _scale([float(r[key]) for r in rows for key, _, _ in series])
    plot_h = HEIGHT - BOTTOM - 10
    group = (WIDTH - LEFT) / max(len(rows), 1)
    bar = max(group * 0.8 / len(series), 1.0)
    parts = []
    for i, r in enumerate(rows):
        x0 = LEFT + i * group + group * 0.1
        day = f"{r['fecha']:%d-%m}"
        for j, (key, name, css) in enumerate(series):
            h = plot_h * float(r[key]) / top
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{10 + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f' class="bar {css}"><title>{day} {escape(name)}: {escape(fmt(r[key]))}</title></rect>'
            )
        if len(rows) <= 31 or i % max(len(rows) // 15, 1) == 0:
            parts.append(
                f'<text x="{x0 + group * 0.4:.1f}" y="206" class="tick" text-anchor="middle">{day}</text>'
            )
    svg = _safe(parts)
    return {"width": WIDTH, "height": HEIGHT, "svg": svg, "top": fmt(top), "y_axis": 10}


def _safe(parts: list[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - numbers formatted here, every text escaped


def horizontal_bars(
    rows: list[dict[str, Any]], label: Callable[[dict[str, Any]], str], value: str, fmt: Callable[[Any], str]
) -> dict[str, Any]:
    """One horizontal bar per row, labelled on the left, its formatted value on the right."""
    top = _scale([float(r[value] or 0) for r in rows])
    label_w, value_w = 220, 110
    span = WIDTH - label_w - value_w
    parts = []
    for i, r in enumerate(rows):
        w = span * float(r[value] or 0) / top
        y = i * ROW + 4
        name, text = label(r), escape(fmt(r[value]))
        short = escape(name if len(name) <= 34 else name[:33] + "…")
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" class="tick" text-anchor="end">{short}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{ROW - 8}" class="bar hbar">'
            f"<title>{escape(name)}: {text}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}" class="tick">{text}</text>'
        )
    return {"width": WIDTH, "height": max(len(rows), 1) * ROW + 8, "svg": _safe(parts)}


def cycle_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Median cycle and queue times, one bar per stage."""
    return horizontal_bars(rows, lambda r: r["etapa"], "p50", format_duration)


HOURS_BARS = 25


def hours_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Hours per worker and operation: the HOURS_BARS rows with most hours (the table has all)."""
    shown = sorted(rows, key=lambda r: -float(r["horas"] or 0))[:HOURS_BARS]
    chart = _hours_bars(shown)
    chart["omitted"] = len(rows) - len(shown)
    return chart


def top_bars(
    rows: list[dict[str, Any]], value: str, fmt: Callable[[Any], str], label: Callable[[dict[str, Any]], str]
) -> dict[str, Any]:
    """The HOURS_BARS rows with the highest `value` as horizontal bars; `omitted` says how many
    rows only the table shows."""
    shown = sorted(rows, key=lambda r: -float(r[value] or 0))[:HOURS_BARS]
    chart = horizontal_bars(shown, label, value, fmt)
    chart["omitted"] = len(rows) - len(shown)
    return chart


def share_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per operation, one 100 % bar split into completions on spools with joints and on whole
    spools (a grey empty bar when nothing was completed)."""
    label_w, span = 70, WIDTH - 70 - 10
    parts = []
    for i, r in enumerate(rows):
        y, op = i * ROW * 1.4 + 4, escape(r["operacion"])
        parts.append(f'<text x="{label_w - 6}" y="{y + 15:.1f}" class="tick" text-anchor="end">{op}</text>')
        if not r["completados"]:
            parts.append(
                f'<rect x="{label_w}" y="{y:.1f}" width="{span}" height="{ROW - 4}" class="bar empty">'
                f"<title>{op}: sin completados</title></rect>"
            )
            continue
        x = float(label_w)
        pieces = (
            ("con_uniones", "pct_con", "joints", "con uniones"),
            ("sin_uniones", "pct_sin", "whole", "enteros"),
        )
        for key, share, css, name in pieces:
            w = span * r[key] / r["completados"]
            pct = number_format(r[share], 1)  # the table's rounded figure
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{ROW - 4}" class="bar {css}">'
                f"<title>{op} {name}: {r[key]} ({escape(pct)} %)</title></rect>"
            )
            if w >= 60:  # the share written on the bar when it fits
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 15:.1f}" class="bar-label" text-anchor="middle">'
                    f"{escape(pct)} %</text>"
                )
            x += w
    return {"width": WIDTH, "height": int(len(rows) * ROW * 1.4 + 8), "svg": _safe(parts)}


def _hours_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    # The figure as people read it (a decimal comma in Spanish, like the table beside the chart).
    return horizontal_bars(
        rows, lambda r: f"{r['nombre']} · {r['operacion']}", "horas", lambda h: f"{number_format(h)} h"
    )
