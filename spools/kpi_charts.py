"""Geometry of the KPI page's charts, drawn by the template as inline SVG (no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spools.history import format_duration

SERIES = ("ARM", "SOLD", "METROLOGIA")
WIDTH, HEIGHT, BOTTOM, LEFT = 640, 220, 30, 36
ROW = 26


def _scale(values: list[float]) -> float:
    top = max(values, default=0)
    return top if top > 0 else 1.0


def daily_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Grouped vertical bars: one group per day, one bar per operation (completed spools)."""
    top = _scale([float(r[s]) for r in rows for s in SERIES])
    plot_h = HEIGHT - BOTTOM - 10
    group = (WIDTH - LEFT) / max(len(rows), 1)
    bar = max(group * 0.8 / len(SERIES), 1.0)
    bars, labels = [], []
    for i, r in enumerate(rows):
        x0 = LEFT + i * group + group * 0.1
        for j, s in enumerate(SERIES):
            h = plot_h * r[s] / top
            title = f"{r['fecha']:%d-%m} {s}: {r[s]}"
            bars.append({"x": round(x0 + j * bar, 1), "y": round(10 + plot_h - h, 1), "w": round(bar, 1)})
            bars[-1].update({"h": round(h, 1), "serie": s.lower(), "title": title})
        if len(rows) <= 31 or i % max(len(rows) // 15, 1) == 0:
            labels.append({"x": round(x0 + group * 0.4, 1), "text": f"{r['fecha']:%d-%m}"})
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "labels": labels, "top": int(top), "y_axis": 10}


def horizontal_bars(
    rows: list[dict[str, Any]], label: Callable[[dict[str, Any]], str], value: str, fmt: Callable[[Any], str]
) -> dict[str, Any]:
    """One horizontal bar per row, labelled on the left, its formatted value on the right."""
    top = _scale([float(r[value] or 0) for r in rows])
    label_w, value_w = 220, 110
    span = WIDTH - label_w - value_w
    bars = []
    for i, r in enumerate(rows):
        w = span * float(r[value] or 0) / top
        bars.append(
            {
                "y": i * ROW + 4,
                "w": round(w, 1),
                "label": label(r),
                "text": fmt(r[value]),
                "text_x": round(label_w + w + 6, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": max(len(rows), 1) * ROW + 8,
        "x": label_w,
        "bars": bars,
        "bar_h": ROW - 8,
    }


def cycle_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Median cycle and queue times, one bar per stage."""
    return horizontal_bars(rows, lambda r: r["etapa"], "p50", format_duration)


def hours_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Hours per worker and operation."""
    return horizontal_bars(rows, lambda r: f"{r['nombre']} · {r['operacion']}", "horas", lambda h: f"{h} h")
