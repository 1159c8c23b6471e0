"""Sliding-window counts in the shared cache (Redis in CI, the file cache on the embedded
default): the previous window weighs by the share of it still inside the last ``seconds``."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import cache

from podium.core import window_counter

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["configured", "redis"])
def backend(request, settings):
    """The configured cache (the file cache unless REDIS_URL is set), then Redis itself: its
    pipelined path is what a deployment runs."""
    if request.param == "redis":
        broker = os.environ.get("CELERY_BROKER_URL", "")
        if not broker.startswith("redis://"):
            pytest.skip("needs Redis (CELERY_BROKER_URL=redis://...)")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": broker,
                "KEY_PREFIX": f"test-window-{uuid.uuid4().hex}",
            }
        }
    return request.param


@pytest.fixture
def clock(monkeypatch, backend):
    moment = {"t": 600_000.0}  # the start of a 60 s window
    monkeypatch.setattr(window_counter, "_now", lambda: moment["t"])
    if backend == "configured":
        cache.clear()  # never on Redis: clear() is FLUSHDB; there the key prefix is this test's
    return moment


def test_counts_one_window_then_slide_out_over_the_next(clock):
    for expected in (1, 2, 3):
        assert window_counter.hit("t:a", 60).current == expected
    assert window_counter.used("t:a", 60) == 3
    clock["t"] += 60 + 15  # a quarter into the next window
    counted = window_counter.hit("t:a", 60)
    assert (counted.current, counted.previous) == (1, 3)
    assert counted.sliding == pytest.approx(3 * 0.75 + 1)
    clock["t"] += 60  # two windows on: the first is forgotten
    assert window_counter.hit("t:a", 60).sliding == pytest.approx(1 * 0.75 + 1)


def test_names_are_separate_and_unhit_takes_back(clock):
    window_counter.hit("t:a", 60)
    window_counter.hit("t:a", 60)
    window_counter.hit("t:b", 60)
    window_counter.unhit("t:a", 60)
    assert (window_counter.used("t:a", 60), window_counter.used("t:b", 60)) == (1, 1)


def test_unhit_after_the_window_turned_takes_nothing(clock):
    window_counter.hit("t:a", 60)
    clock["t"] += 60
    window_counter.unhit("t:a", 60)  # no count in this window: nothing to take back
    assert window_counter.hit("t:a", 60).previous == 1


@pytest.mark.parametrize(
    ("current", "previous", "elapsed", "limit", "wait"),
    [
        (4, 0, 0.0, 3, 60),  # a full window now, and its 3 slide out over the next: capped
        (4, 0, 0.5, 3, 50),  # 30 s left, then a third of the next window (3 * (1-e) + 1 <= 3)
        (3, 6, 0.5, 4, 20),  # within this window, once 5/6 of the previous one slid out
        (2, 2, 0.0, 2, 60),  # at the limit in this window: wait for the next, which is free
        (2, 4, 0.999, 2, 1),  # never under a second
    ],
)
def test_wait_for_is_when_one_more_fits(current, previous, elapsed, limit, wait):
    counted = window_counter.Count(current, previous, elapsed, 60)
    assert counted.sliding > limit  # refused
    assert counted.wait_for(limit) == wait


def test_hit_many_counts_each_name_as_hit_does(clock):
    window_counter.hit("t:a", 60)
    counts = window_counter.hit_many([("t:a", 60), ("t:b", 60), ("t:c", 3600)])
    assert [c.current for c in counts] == [2, 1, 1]
    assert [c.seconds for c in counts] == [60, 60, 3600]
    clock["t"] += 60
    later = window_counter.hit_many([("t:a", 60), ("t:c", 3600)])
    assert (later[0].current, later[0].previous) == (1, 2)
    assert later[1].current == 2  # still the hour's first window
    assert window_counter.hit_many([]) == []
