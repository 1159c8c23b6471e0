"""A line chart as a small SVG file, drawn by hand: no display, no plotting package."""

from __future__ import annotations

import math
from html import escape


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def line_chart_svg(
    xs: list[float],
    ys: list[float],
    *,
    title: str,
    x_label: str,
    y_label: str,
    log_x: bool = False,
    marker_x: float | None = None,
    marker_label: str = "",
    width: int = 640,
    height: int = 400,
) -> str:
    """``ys`` against ``xs`` (log10 scale on x when ``log_x``); a vertical marker at
    ``marker_x``. Non-finite points are left out."""
    fx = (lambda v: math.log10(v)) if log_x else (lambda v: v)
    points = [(fx(x), y) for x, y in zip(xs, ys, strict=True) if x > 0 or not log_x]
    points = [(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)]
    left, right, top, bottom = 70, 20, 40, 50
    pw, ph = width - left - right, height - top - bottom
    x0, x1 = (min(p[0] for p in points), max(p[0] for p in points)) if points else (0.0, 1.0)
    y0, y1 = (min(p[1] for p in points), max(p[1] for p in points)) if points else (0.0, 1.0)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return top + (1 - (v - y0) / (y1 - y0)) * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>',
    ]
    for v in _ticks(x0, x1):
        label = f"{10**v:.0e}" if log_x else f"{v:.3g}"
        parts.append(
            f'<text x="{sx(v):.1f}" y="{top + ph + 18}" text-anchor="middle">{label}</text>'
        )
    for v in _ticks(y0, y1):
        parts.append(f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:.3g}</text>')
    parts.append(
        f'<text x="{left + pw / 2}" y="{height - 10}" text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text x="16" y="{top + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + ph / 2})">{escape(y_label)}</text>'
    )
    if points:
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    if marker_x is not None and (marker_x > 0 or not log_x):
        mx = sx(fx(marker_x))
        parts.append(
            f'<line x1="{mx:.1f}" y1="{top}" x2="{mx:.1f}" y2="{top + ph}" stroke="#d62728" '
            'stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{mx + 4:.1f}" y="{top + 14}" fill="#d62728">{escape(marker_label)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
