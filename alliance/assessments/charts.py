"""Outcome charts as SVG made on the server: no JavaScript, no inline style (CSP), accessible.

One chart per instrument: severity bands shaded, each administration a point, reliable change
against the baseline marked (▲ improvement, ▼ deterioration, whichever way is better).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

BAND_FILLS = ("#e8f3ea", "#f4f7d9", "#fff4d6", "#fde8d4", "#fde7e9", "#f7d7da")


@dataclass(frozen=True)
class ChartPoint:
    when: date
    total: float
    label: str
    reliable_change: str | None = None  # "improvement", "deterioration" or None


@dataclass(frozen=True)
class ChartBand:
    label: str
    low: float
    high: float


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def measure_chart_svg(
    *,
    chart_id: str,
    title: str,
    points: list[ChartPoint],
    bands: list[ChartBand],
    y_min: float,
    y_max: float,
    width: int = 640,
    height: int = 240,
) -> str:
    """The chart as an inline SVG string; every value in it is escaped."""
    left, right, top, bottom = 44, 16, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (y_max - y_min) or 1.0

    def y_of(value: float) -> float:
        clamped = min(max(value, y_min), y_max)
        return top + plot_h - (clamped - y_min) / span * plot_h

    count = len(points)

    def x_of(index: int) -> float:
        return left + (plot_w / 2 if count == 1 else index * plot_w / (count - 1))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="measure-chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_description(points))}</desc>',
    ]
    for index, band in enumerate(bands):
        y_top, y_bottom = y_of(band.high), y_of(band.low)
        fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
        parts.append(
            f'<rect x="{left}" y="{y_top:.1f}" width="{plot_w}" '
            f'height="{max(y_bottom - y_top, 1):.1f}" fill="{fill}">'
            f"<title>{escape(band.label)}: {band.low:g} to {band.high:g}</title></rect>"
        )
        parts.append(
            f'<text x="{left + plot_w - 4}" y="{y_top + 12:.1f}" text-anchor="end" '
            f'font-size="10" fill="#5b6877">{escape(band.label)}</text>'
        )
    for tick in (y_min, (y_min + y_max) / 2, y_max):
        parts.append(
            f'<text x="{left - 6}" y="{y_of(tick) + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="#1d2733">{tick:g}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#9aa7b4"/>'
    )
    if count > 1:
        path = " ".join(f"{x_of(i):.1f},{y_of(p.total):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5f8b" stroke-width="2"/>')
    for index, point in enumerate(points):
        x, y = x_of(index), y_of(point.total)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#1f5f8b" class="point">'
            f"<title>{escape(point.label)}</title></circle>"
        )
        if point.reliable_change in ("improvement", "deterioration"):
            up = point.reliable_change == "improvement"
            mark = "▲" if up else "▼"
            colour = "#2e6b34" if up else "#a4262c"
            parts.append(
                f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" font-size="12" '
                f'fill="{colour}" class="rc-{_attr(point.reliable_change)}">{mark}</text>'
            )
    if points:
        parts.append(
            f'<text x="{x_of(0):.1f}" y="{height - 8}" text-anchor="start" font-size="10" '
            f'fill="#5b6877">{points[0].when.isoformat()}</text>'
        )
    if count > 1:
        parts.append(
            f'<text x="{x_of(count - 1):.1f}" y="{height - 8}" text-anchor="end" font-size="10" '
            f'fill="#5b6877">{points[-1].when.isoformat()}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _description(points: list[ChartPoint]) -> str:
    if not points:
        return "No administrations yet."
    first, last = points[0], points[-1]
    return (
        f"{len(points)} administrations from {first.when.isoformat()} "
        f"(total {first.total:g}) to {last.when.isoformat()} (total {last.total:g})."
    )
