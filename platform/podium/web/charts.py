"""Charts as inline SVG, drawn on the server: no JavaScript, no library, nothing to download.

Pure functions of plain values (lists of points, counts) returning an SVG string that a page
puts in as is (``{{ chart|safe }}``): every text in it (a team's name, a label) is escaped here.
The SVG scales to its container (``viewBox``; CSS gives it ``width: 100%``), takes the page's
text colour (``currentColor``) for axes and labels, and says what it shows in ``<title>`` and
``aria-label`` for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape

# Ten colours that stay apart on light and dark backgrounds (Tableau 10).
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
FAILED_COLOUR = "#c62828"
WIDTH, HEIGHT = 640, 260  # the viewBox: 1 unit is 1 CSS pixel at this width
MIN_SPAN = timedelta(minutes=10)  # the shortest time axis
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 14, 30


@dataclass(frozen=True)
class Series:
    """One line: ``points`` are (moment, value), oldest first."""

    label: str
    points: Sequence[tuple[datetime, float]]
    highlight: bool = False  # drawn thicker, on top (the viewer's own team)


def _num(value: float) -> str:
    """A coordinate with two decimals at most (small SVGs, stable output)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round values (1, 2 or 5 times a power of ten apart) covering low..high."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 12))
    return ticks


def _tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    if step > 0 and round(step * 10**decimals) % 10 and decimals and step < 1:
        decimals = max(decimals, len(f"{step:.10f}".rstrip("0").split(".")[1]))
    return f"{value:,.{min(decimals, 6)}f}"


def _frame(title: str, body: list[str], width: int, height: int, extra_class: str = "") -> str:
    label = escape(title, quote=True)
    classes = f"chart {extra_class}".strip()
    return (
        f'<svg class="{classes}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _empty(title: str, message: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    body = [
        f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" fill="currentColor" '
        f'opacity="0.6" font-size="14">{escape(message)}</text>'
    ]
    return _frame(title, body, width, height, "empty")


def _y_axis(ticks: list[float], y_of, plot_right: float) -> list[str]:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    out = []
    for tick in ticks:
        y = _num(y_of(tick))
        out.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{_num(plot_right)}" y1="{y}" y2="{y}" '
            'stroke="currentColor" stroke-opacity="0.12"/>'
        )
        out.append(
            f'<text class="tick" x="{PAD_LEFT - 6}" y="{y}" dy="0.32em" text-anchor="end" '
            f'fill="currentColor" opacity="0.7" font-size="11">{_tick_text(tick, step)}</text>'
        )
    return out


def _time_ticks(start: datetime, end: datetime, count: int = 5) -> list[datetime]:
    span = (end - start).total_seconds()
    if span <= 0:
        return [start]
    return [start + timedelta(seconds=span * i / (count - 1)) for i in range(count)]


def _time_label(moment: datetime, span: timedelta) -> str:
    moment = moment.astimezone(UTC)
    if span < timedelta(hours=3):
        return moment.strftime("%H:%M")
    if span <= timedelta(days=2):
        return moment.strftime("%d %b %H:%M")
    return moment.strftime("%d %b")


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    until: datetime | None = None,
    legend: bool = True,
    empty_message: str = "No scores yet.",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """Step lines of values over time (a best score holds until the next improvement), each
    carried on to ``until`` (e.g. now); a legend below when there is more than one line."""
    drawn = [s for s in series if s.points]
    if not drawn:
        return _empty(title, empty_message, width, height)
    moments = [at for s in drawn for at, _ in s.points]
    values = [v for s in drawn for _, v in s.points]
    start, end = min(moments), max(moments)
    if until is not None and until > end:
        end = until
    if end - start < MIN_SPAN:  # points a few seconds apart: a short axis that ends with them
        start = end - MIN_SPAN
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    columns = 3 if width >= 900 else 2
    rows = math.ceil(len(drawn) / columns) if legend and len(drawn) > 1 else 0
    plot_bottom, plot_right = height - PAD_BOTTOM, width - PAD_RIGHT
    full_height = height + rows * 18 + (8 if rows else 0)
    span = (end - start).total_seconds()

    def x_of(at: datetime) -> float:
        return PAD_LEFT + (at - start).total_seconds() / span * (plot_right - PAD_LEFT)

    def y_of(value: float) -> float:
        share = (value - low) / (high - low) if high > low else 0.5
        return plot_bottom - share * (plot_bottom - PAD_TOP)

    body = _y_axis(ticks, y_of, plot_right)
    whole = end - start
    for tick in _time_ticks(start, end):
        body.append(
            f'<text x="{_num(x_of(tick))}" y="{plot_bottom + 18}" text-anchor="middle" '
            f'fill="currentColor" opacity="0.7" font-size="11">{_time_label(tick, whole)}</text>'
        )
    body.append(
        f'<line x1="{PAD_LEFT}" x2="{plot_right}" y1="{plot_bottom}" y2="{plot_bottom}" '
        'stroke="currentColor" stroke-opacity="0.35"/>'
    )
    order = sorted(range(len(drawn)), key=lambda i: drawn[i].highlight)  # highlighted on top
    for i in order:
        s = drawn[i]
        colour = PALETTE[i % len(PALETTE)]
        path, previous = [], None
        for at, value in s.points:
            x, y = _num(x_of(at)), _num(y_of(value))
            if previous is None:
                path.append(f"M{x} {y}")
            else:
                path.append(f"H{x}V{y}")
            previous = value
        path.append(f"H{_num(x_of(end))}")
        stroke = 3.5 if s.highlight else 2
        label = escape(s.label)
        body.append(
            f'<path class="series" d="{"".join(path)}" fill="none" stroke="{colour}" '
            f'stroke-width="{stroke}" stroke-linejoin="round"><title>{label}</title></path>'
        )
        radius = 3.5 if s.highlight else 2.5
        for at, value in s.points:
            body.append(
                f'<circle cx="{_num(x_of(at))}" cy="{_num(y_of(value))}" r="{radius}" '
                f'fill="{colour}"><title>{label}: {escape(f"{value:g}")} '
                f"({at.astimezone(UTC):%d %b %H:%M} UTC)</title></circle>"
            )
    if rows:
        for i, s in enumerate(drawn):
            col, row = i % columns, i // columns
            x = PAD_LEFT + col * (width - PAD_LEFT) / columns
            y = height + 4 + row * 18
            weight = ' font-weight="700"' if s.highlight else ""
            body.append(
                f'<rect x="{_num(x)}" y="{y}" width="12" height="12" rx="2" '
                f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                f'<text x="{_num(x + 18)}" y="{y + 10}" fill="currentColor" font-size="12"'
                f"{weight}>{escape(_shorten(s.label, 38))}</text>"
            )
    return _frame(title, body, width, full_height)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    failed: float = 0  # a second segment on top (e.g. failed submissions of the day)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    empty_message: str = "Nothing yet.",
    label_every: int | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """Vertical bars, each with an optional "failed" segment stacked on top; ``label_every``
    labels every n-th bar (default: as many as fit)."""
    if not bars or not any(b.value or b.failed for b in bars):
        return _empty(title, empty_message, width, height)
    top = max(b.value + b.failed for b in bars)
    ticks = nice_ticks(0, top)
    high = ticks[-1] or 1
    plot_bottom, plot_right = height - PAD_BOTTOM, width - PAD_RIGHT
    slot = (plot_right - PAD_LEFT) / len(bars)
    gap = min(4.0, slot * 0.2)
    every = label_every or max(1, math.ceil(len(bars) / 10))

    def y_of(value: float) -> float:
        return plot_bottom - value / high * (plot_bottom - PAD_TOP)

    body = _y_axis(ticks, y_of, plot_right)
    for i, bar in enumerate(bars):
        x = PAD_LEFT + i * slot + gap / 2
        w = max(1.0, slot - gap)
        label = escape(bar.label)
        if bar.value:
            y = y_of(bar.value)
            body.append(
                f'<rect class="bar" x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
                f'height="{_num(plot_bottom - y)}" fill="{PALETTE[0]}">'
                f"<title>{label}: {bar.value:g}</title></rect>"
            )
        if bar.failed:
            y0, y1 = y_of(bar.value), y_of(bar.value + bar.failed)
            body.append(
                f'<rect class="bar failed" x="{_num(x)}" y="{_num(y1)}" width="{_num(w)}" '
                f'height="{_num(y0 - y1)}" fill="{FAILED_COLOUR}">'
                f"<title>{label}: {bar.failed:g} failed</title></rect>"
            )
        if i % every == 0:
            body.append(
                f'<text x="{_num(x + w / 2)}" y="{plot_bottom + 18}" text-anchor="middle" '
                f'fill="currentColor" opacity="0.7" font-size="11">{label}</text>'
            )
    body.append(
        f'<line x1="{PAD_LEFT}" x2="{plot_right}" y1="{plot_bottom}" y2="{plot_bottom}" '
        'stroke="currentColor" stroke-opacity="0.35"/>'
    )
    return _frame(title, body, width, height)


def daily_bars(counts: dict[date, tuple[int, int]], *, first: date, last: date) -> list[Bar]:
    """One bar per day from ``first`` to ``last`` (days without submissions at 0): counts maps a
    day to (scored or waiting, failed)."""
    bars, day = [], first
    while day <= last:
        ok, failed = counts.get(day, (0, 0))
        bars.append(Bar(day.strftime("%d %b"), ok, failed))
        day += timedelta(days=1)
    return bars


def histogram(
    values: Sequence[float],
    *,
    title: str,
    bins: int = 20,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """How ``values`` spread: ``bins`` equal ranges from the smallest to the largest."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return _empty(title, "No scores yet.", width, height)
    low, high = min(finite), max(finite)
    if high == low:
        return bar_chart([Bar(f"{low:g}", len(finite))], title=title, width=width, height=height)
    step = (high - low) / bins
    counts = [0] * bins
    for v in finite:
        counts[min(bins - 1, int((v - low) / step))] += 1
    bars = [Bar(f"{low + i * step:.3g}", n) for i, n in enumerate(counts)]
    return bar_chart(bars, title=title, label_every=max(1, bins // 5), width=width, height=height)
