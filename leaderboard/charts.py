"""Server-drawn SVG charts, pure: plain (date, value) lists in, SVG markup out. No Django, no JavaScript needed.

The SVG scales with its container (viewBox + width 100%), so the same markup reads on a phone and a desktop.
Each point is also written as data attributes so static/js/charts.js can add a hover read-out.
"""

import math
from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT = 480, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 50, 8, 10, 24


def drawdown_series(values: Sequence[float]) -> list[float]:
    """Fraction below the running peak (0 at a new high, -0.25 = 25% under the peak)."""
    out, peak = [], None
    for value in values:
        peak = value if peak is None or value > peak else peak
        out.append(value / peak - 1 if peak else 0.0)
    return out


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        return [low]
    step = (high - low) / count
    return [low + step * i for i in range(count + 1)]


def axis_format(low: float, high: float, count: int = 4) -> str:
    """Grouped, with as many decimals as the tick step needs: 643-858 reads "643 … 858", not "643.522 … 857.700";
    1.00-1.04 keeps its decimals."""
    step = (high - low) / count if high > low else abs(high) or 1.0
    decimals = max(0, min(6, -math.floor(math.log10(step))))
    return "{:,." + str(decimals) + "f}"


def line_chart(
    points: Sequence[tuple[date, float]],
    *,
    kind: str = "line",
    label: str = "",
    value_format: str | None = None,
    baseline: float | None = None,
    css_class: str = "chart",
    invert: bool = False,
) -> str:
    """A line (kind='line') or area-to-baseline (kind='area') chart of dated values."""
    if len(points) < 2:
        return ""
    dates = [d for d, _ in points]
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    if baseline is not None:
        low, high = min(low, baseline), max(high, baseline)
    if high == low:
        high, low = high + 1e-9 + abs(high) * 0.01, low - abs(low) * 0.01
    span = high - low
    if value_format is None:
        value_format = axis_format(low, high)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    last = len(values) - 1

    def x(i: int) -> float:
        return PAD_LEFT + inner_w * i / last

    def y(v: float) -> float:
        # invert: smaller is drawn higher (rank 1 at the top)
        return PAD_TOP + inner_h * ((v - low) if invert else (high - v)) / span

    coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts = [
        f'<svg class="{css_class} chart-{kind}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" data-points="{len(values)}">',
        f"<title>{escape(label)}</title>",
    ]
    for tick in _ticks(low, high):
        ty = y(tick)
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{PAD_LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(value_format.format(tick))}</text>"
        )
    for i in sorted({0, last // 2, last}):
        anchor = "start" if i == 0 else ("end" if i == last else "middle")
        parts.append(
            f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{dates[i]:%Y-%m-%d}</text>'
        )
    if baseline is not None:
        by = y(baseline)
        parts.append(f'<line class="baseline" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{by:.1f}" y2="{by:.1f}"/>')
    if kind == "area":
        top = y(baseline if baseline is not None else high)
        parts.append(
            f'<path class="area" d="M{x(0):.1f},{top:.1f} L{coords.replace(" ", " L")} L{x(last):.1f},{top:.1f} Z"/>'
        )
    parts.append(f'<path class="line" d="M{coords.replace(" ", " L")}"/>')
    data = ",".join(f"{d:%Y-%m-%d}:{value_format.format(v)}" for d, v in zip(dates, values, strict=True))
    parts.append(
        f'<rect class="hover" x="{PAD_LEFT}" y="{PAD_TOP}" width="{inner_w}" height="{inner_h}" '
        f'fill="transparent" data-series="{escape(data)}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
