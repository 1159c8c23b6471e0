"""Sliding-window request counts in the shared cache: one Redis round trip for a request's counts.

A count is kept per fixed window (aligned to the epoch) and read as a sliding one: the previous
window's count weighted by the share of it still inside the last ``seconds``, plus this window's
(Cloudflare's approximation of a sliding log). Unlike DRF's request log, which stored and
rewrote every timestamp of the window on each request (a 1,200-entry list per request at the
default rate, hundreds of thousands under a load test), a count is one integer: on Redis a
pipelined ``INCR``/``EXPIRE``/``GET``, several counts in one pipeline (``hit_many``); on another
cache (the file cache of the embedded default), ``add``/``incr``/``get``.

Errors from the cache propagate: each caller decides how to fail open.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def _now() -> float:  # one place to move time in tests
    return time.time()


@dataclass(frozen=True)
class Count:
    current: int  # this window's, this request included
    previous: int  # the window before's
    elapsed: float  # the share of this window gone, in [0, 1)
    seconds: int

    @property
    def sliding(self) -> float:
        """The requests of the last ``seconds``, estimated."""
        return self.previous * (1 - self.elapsed) + self.current

    def wait_for(self, limit: int) -> int:
        """For a refused request (counted here, then taken back): seconds until one more fits
        under ``limit``, between 1 and ``seconds`` (every request of the last window has left
        an exact sliding window by then; the estimate may say later)."""
        left = (1 - self.elapsed) * self.seconds  # of this window
        if self.current < limit and self.previous:
            # Within this window, once enough of the previous one has slid out.
            share = 1 - (limit - self.current) / self.previous
            wait = (share - self.elapsed) * self.seconds
        else:
            # Next window, over which this one's count (less the refused request) slides out.
            stored = self.current - 1
            share = 1 - (limit - 1) / stored if stored > 0 else 0.0
            wait = left + max(0.0, share) * self.seconds
        return min(self.seconds, max(1, math.ceil(wait - 1e-9)))


def _keys(name: str, seconds: int, now: float) -> tuple[str, str, int, float]:
    window = int(now // seconds)
    return f"{name}:{window}", f"{name}:{window - 1}", window, now / seconds - window


def hit(name: str, seconds: int) -> Count:
    """Count one request under ``name`` in windows of ``seconds``; the counts after it."""
    return hit_many([(name, seconds)])[0]


def hit_many(counters: list[tuple[str, int]]) -> list[Count]:
    """``hit`` for each ``(name, seconds)``: on Redis all in one round trip."""
    backend = caches["default"]
    now = _now()
    keyed = [(_keys(name, seconds, now), seconds) for name, seconds in counters]
    if isinstance(backend, RedisCache):
        pipe = None
        for (current_key, previous_key, _, _), seconds in keyed:
            current_key = backend.make_and_validate_key(current_key)
            if pipe is None:
                pipe = backend._cache.get_client(current_key, write=True).pipeline(
                    transaction=False
                )
            pipe.incr(current_key)
            pipe.expire(current_key, 2 * seconds + 1)  # read as "previous" one window more
            pipe.get(backend.make_and_validate_key(previous_key))
        replies = pipe.execute() if pipe is not None else []
        found = [(replies[i], replies[i + 2]) for i in range(0, len(replies), 3)]
    else:
        found = []
        for (current_key, previous_key, _, _), seconds in keyed:
            backend.add(current_key, 0, timeout=2 * seconds + 1)
            try:
                current = backend.incr(current_key)
            except ValueError:  # expired between add and incr (the file cache checks on read)
                backend.add(current_key, 1, timeout=2 * seconds + 1)
                current = 1
            found.append((current, backend.get(previous_key, 0)))
    return [
        Count(int(current), int(previous or 0), elapsed, seconds)
        for ((_, _, _, elapsed), seconds), (current, previous) in zip(keyed, found, strict=True)
    ]


def unhit(name: str, seconds: int) -> None:
    """Take back the request just counted (one that was refused is not counted)."""
    current_key = _keys(name, seconds, _now())[0]
    try:
        caches["default"].decr(current_key)
    except ValueError:  # the window turned meanwhile: nothing of it to take back
        pass


def used(name: str, seconds: int) -> int:
    """This window's count (for tests and operators)."""
    return int(caches["default"].get(_keys(name, seconds, _now())[0], 0))
