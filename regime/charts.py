"""Geometry of the server-drawn SVG charts (pure Python): sparklines and the price-with-regime-bands chart."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def sparkline(values: list[float | None], *, width: int = 80, height: int = 20, pad: float = 1.5) -> str:
    """SVG polyline points for a series (gaps skipped); empty string when fewer than two values."""
    finite = _finite(values)
    if len(finite) < 2:
        return ""
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = []
    for i, v in enumerate(values):
        if v is None or not math.isfinite(float(v)):
            continue
        x = pad + i * step
        y = height - pad - (float(v) - low) / span * (height - 2 * pad)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


@dataclass
class Band:
    x: float
    width: float
    label: str
    start: date
    end: date


@dataclass
class PriceChart:
    width: int
    height: int
    path: str
    bands: list[Band]
    y_ticks: list[tuple[float, str]]  # (y, text)
    x_ticks: list[tuple[float, str]]


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def price_chart(
    *,
    dates: list[date],
    prices: list[float | None],
    labels: list[str | None],
    width: int = 900,
    height: int = 260,
    margin_left: int = 56,
    margin_bottom: int = 22,
    fmt=lambda v: f"{v:,.0f}",
) -> PriceChart | None:
    """A price line over the days, with one shaded band per run of equal regime labels behind it."""
    if len(dates) < 2:
        return None
    finite = _finite(prices)
    if not finite:
        return None
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    plot_w, plot_h = width - margin_left - 4, height - margin_bottom - 4
    step = plot_w / (len(dates) - 1)

    def x_of(i: int) -> float:
        return margin_left + i * step

    def y_of(v: float) -> float:
        return 4 + plot_h - (v - low) / span * plot_h

    path, pen_down = [], False
    for i, p in enumerate(prices):
        if p is None or not math.isfinite(float(p)):
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{x_of(i):.1f},{y_of(float(p)):.1f}")
        pen_down = True

    bands, run_start = [], 0
    for i in range(1, len(dates) + 1):
        if i == len(dates) or labels[i] != labels[run_start]:
            if labels[run_start]:
                left = x_of(run_start) - step / 2
                right = x_of(i - 1) + step / 2
                left, right = max(left, margin_left), min(right, margin_left + plot_w)
                bands.append(Band(left, right - left, labels[run_start], dates[run_start], dates[i - 1]))
            run_start = i

    y_ticks = [(y_of(v), fmt(v)) for v in _nice_ticks(low, high)]
    x_ticks, seen = [], set()
    for i, d in enumerate(dates):
        key = (d.year, (d.month - 1) // 3)
        if d.day <= 7 and d.month in (1, 4, 7, 10) and key not in seen:
            seen.add(key)
            x_ticks.append((x_of(i), d.strftime("%Y-%m")))
    return PriceChart(width, height, " ".join(path), bands, y_ticks, x_ticks)
