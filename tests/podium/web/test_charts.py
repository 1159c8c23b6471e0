"""podium.web.charts: plain values in, an SVG string out (parsed here as XML)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest

from podium.web import charts

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def view_box(root: ET.Element) -> list[float]:
    return [float(v) for v in root.get("viewBox").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("low", "high"), [(0.71, 0.93), (0, 7), (5, 5), (-3.2, 12.9), (0.123, 0.1234), (1e6, 3e6)]
)
def test_nice_ticks_cover_the_range_with_round_even_steps(low, high):
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    assert 2 <= len(ticks) <= 12
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in {1, 2, 2.5, 5, 10}


def test_a_line_chart_draws_each_series_as_a_step_line_to_the_end():
    series = [
        charts.Series("ours", [(T0, 0.5), (T0 + timedelta(days=1), 0.7)], highlight=True),
        charts.Series("theirs", [(T0, 0.6)]),
    ]
    root = parse(
        charts.line_chart(series, title="Best score", until=T0 + timedelta(days=2), width=800)
    )
    assert view_box(root)[:3] == [0, 0, 800]
    paths = root.findall(f"{SVG}path")
    assert len(paths) == 2
    # the highlighted line is drawn last (on top) and thicker
    assert paths[-1].find(f"{SVG}title").text == "ours"
    assert float(paths[-1].get("stroke-width")) > float(paths[0].get("stroke-width"))
    ours = paths[-1].get("d")
    assert ours.startswith("M") and "V" in ours and ours.endswith("H784")  # to `until`
    assert len(root.findall(f"{SVG}circle")) == 3
    assert {"ours", "theirs"} <= set(texts(root))  # the legend
    assert root.get("role") == "img" and root.get("aria-label") == "Best score"


def test_higher_values_are_drawn_higher():
    root = parse(
        charts.line_chart(
            [charts.Series("a", [(T0, 0.2), (T0 + timedelta(hours=5), 0.9)])], title="t"
        )
    )
    low, high = (float(c.get("cy")) for c in root.findall(f"{SVG}circle"))
    assert high < low  # SVG's y grows downwards


def test_a_chart_without_data_says_so():
    root = parse(charts.line_chart([charts.Series("a", [])], title="t", empty_message="Nothing"))
    assert "Nothing" in texts(root) and "empty" in root.get("class")
    assert "No submissions" in texts(
        parse(charts.bar_chart([], title="b", empty_message="No submissions"))
    )
    assert "No scores yet." in texts(parse(charts.histogram([], title="h")))


def test_text_is_escaped():
    evil = '<script>alert(1)</script>"&'
    svg = charts.line_chart([charts.Series(evil, [(T0, 1.0)])], title=evil)
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == evil
    assert root.get("aria-label") == evil
    bars = charts.bar_chart([charts.Bar(evil, 3)], title="x")
    assert "<script>" not in bars and evil in texts(parse(bars))


def test_bars_stack_failed_on_top_and_scale_to_the_tallest():
    root = parse(
        charts.bar_chart(
            [charts.Bar("1 Mar", 4, failed=2), charts.Bar("2 Mar", 0), charts.Bar("3 Mar", 8)],
            title="per day",
        )
    )
    rects = root.findall(f"{SVG}rect")
    ok = [r for r in rects if r.get("class") == "bar"]
    failed = [r for r in rects if r.get("class") == "bar failed"]
    assert len(ok) == 2 and len(failed) == 1
    heights = [float(r.get("height")) for r in ok]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert float(failed[0].get("height")) == pytest.approx(heights[0] / 2)
    # the failed segment sits right on top of its day's bar
    assert float(failed[0].get("y")) + float(failed[0].get("height")) == pytest.approx(
        float(ok[0].get("y"))
    )


def test_daily_bars_fill_the_days_without_submissions():
    bars = charts.daily_bars(
        {date(2026, 3, 1): (3, 1), date(2026, 3, 4): (2, 0)},
        first=date(2026, 3, 1),
        last=date(2026, 3, 4),
    )
    assert [(b.label, b.value, b.failed) for b in bars] == [
        ("01 Mar", 3, 1),
        ("02 Mar", 0, 0),
        ("03 Mar", 0, 0),
        ("04 Mar", 2, 0),
    ]


def test_a_histogram_counts_every_value_once():
    values = [0.1, 0.15, 0.5, 0.55, 0.56, 0.9, float("nan")]
    root = parse(charts.histogram(values, title="h", bins=4))
    titles = [r.find(f"{SVG}title").text for r in root.findall(f"{SVG}rect")]
    counts = [float(t.rsplit(": ", 1)[1]) for t in titles]
    assert sum(counts) == 6
    one_value = parse(charts.histogram([0.5, 0.5], title="h"))
    assert len(one_value.findall(f"{SVG}rect")) == 1


def test_a_histogram_is_drawn_at_the_size_asked_for():
    """The bins' width once shadowed the chart's: the histogram came out 0.02 units wide."""
    root = parse(charts.histogram([0.1, 0.4, 0.9], title="h", width=520, height=240))
    assert root.get("viewBox") == "0 0 520 240"
    xs = [float(r.get("x")) + float(r.get("width")) for r in root.findall(f"{SVG}rect")]
    assert max(xs) > 400
