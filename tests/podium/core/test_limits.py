"""podium.core.limits: fixed windows in the shared cache, refusals with a wait, fail-open."""

from __future__ import annotations

import pytest

from podium.core import limits


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 36_000_000.0}  # a multiple of every window below
    monkeypatch.setattr(limits, "_now", lambda: now["t"])
    return now


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("20/minute", (20, 60)),
        ("10/15m", (10, 900)),
        ("3/hour", (3, 3600)),
        ("5/30s", (5, 30)),
        ("1/day", (1, 86400)),
        ("2/2h", (2, 7200)),
    ],
)
def test_parse_rate(rate, parsed):
    assert limits.parse_rate(rate) == parsed


def test_a_bad_rate_is_refused():
    with pytest.raises(ValueError, match="Not a rate"):
        limits.parse_rate("ten per minute")


def test_refused_past_the_count_until_the_window_ends(settings, clock):
    settings.RATE_LIMITS = {"demo": "3/10m"}
    for _ in range(3):
        limits.hit("demo", "a", "Slow down.")
    clock["t"] += 120
    with pytest.raises(limits.Limited) as refused:
        limits.hit("demo", "a", "Slow down.")
    assert refused.value.status == 429 and refused.value.code == "throttled"
    assert refused.value.retry_after == 480
    assert refused.value.details == {"retry_after_seconds": 480}
    assert refused.value.message == "Slow down. Try again in 8 minutes."
    limits.hit("demo", "b", "Slow down.")  # another ident has its own count
    clock["t"] += 480  # the next window
    limits.hit("demo", "a", "Slow down.")


def test_check_counts_nothing(settings, clock):
    settings.RATE_LIMITS = {"demo": "1/minute"}
    for _ in range(5):
        limits.check("demo", "a", "x")
    limits.count("demo", "a")
    with pytest.raises(limits.Limited, match="Try again in 60 seconds"):
        limits.check("demo", "a", "x")


def test_a_scope_without_a_rate_is_not_limited(settings):
    settings.RATE_LIMITS = {"demo": ""}
    for _ in range(10):
        limits.hit("demo", "a", "x")
        limits.hit("unknown-scope", "a", "x")


def test_fails_open_when_the_cache_is_down(settings, monkeypatch):
    settings.RATE_LIMITS = {"demo": "1/minute"}

    class Down:
        def __getattr__(self, name):
            def broken(*args, **kwargs):
                raise ConnectionError("redis is down")

            return broken

    monkeypatch.setattr(limits, "cache", Down())
    for _ in range(5):
        limits.hit("demo", "a", "x")  # allowed, not raised
