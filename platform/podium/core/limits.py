"""Attempt limits on the surfaces where credentials can be guessed (sign-in, password reset,
verification and invitation links, API keys on the kaggle endpoints), shared by the web UI, the
API and kaggle_compat. Counted in the shared cache (Redis or the file cache: every server
process sees the same counts), so a limit holds across gunicorn workers and hosts.

A rate is ``"N/<window>"``: at most N counted attempts per window, the window one of ``second``,
``minute``, ``hour``, ``day`` or a number with a unit (``15m``, ``30s``, ``2h``). Rates live in
``settings.RATE_LIMITS`` by scope and are read on every call. Windows are fixed (aligned to the
epoch): once N attempts are counted, the scope is refused until the window ends, so a block
never outlasts one window (``Retry-After`` says how long is left).

If the cache cannot be reached the limit fails open: the attempt is allowed and logged (DESIGN:
counters in Redis must not make Redis a dependency of signing in).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time

from django.conf import settings
from django.core.cache import cache

from podium.core.error_codes import CommonErrorCode
from podium.core.errors import LimitReached

logger = logging.getLogger("podium.limits")

PREFIX = "limit"  # of the cache keys (the tests give each test its own)
CODE = CommonErrorCode.THROTTLED.value  # every rate refusal's code, whoever refuses

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")


def _now() -> float:  # one place to move time in tests
    return time.time()


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/15m"`` -> ``(10, 900)``; ``"20/minute"`` -> ``(20, 60)``."""
    found = _RATE.match(rate or "")
    if not found:
        raise ValueError(f"Not a rate: {rate!r} (write it as N/minute, N/15m, N/hour ...)")
    count, number, unit = found.groups()
    return int(count), int(number or 1) * _UNITS[unit]


class Limited(LimitReached):
    """Too many attempts: HTTP 429 with ``Retry-After: retry_after``."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(CODE, message, details={"retry_after_seconds": self.retry_after})


def wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]  # any ident is a safe key
    return f"{PREFIX}:{scope}:{digest}:{window}"


def _window(scope: str) -> tuple[int, int, int, float] | None:
    rate = settings.RATE_LIMITS.get(scope)
    if not rate:
        return None  # no rate: not limited
    count, seconds = parse_rate(rate)
    now = _now()
    return count, seconds, int(now // seconds), now


def _refusal(scope: str, seconds: int, window: int, now: float, message: str) -> Limited:
    wait = math.ceil((window + 1) * seconds - now)
    return Limited(f"{message} Try again in {wait_words(max(1, wait))}.", retry_after=wait)


def check(scope: str, ident: str, message: str) -> None:
    """Refuse (``Limited``) if ``ident`` has used up its attempts in ``scope``; count nothing."""
    found = _window(scope)
    if found is None:
        return
    count, seconds, window, now = found
    try:
        used = cache.get(_key(scope, ident, window), 0)
    except Exception:  # the cache is down: fail open
        logger.warning("rate limit %s not checked: the cache is unreachable", scope, exc_info=True)
        return
    if used >= count:
        raise _refusal(scope, seconds, window, now, message)


def count(scope: str, ident: str) -> None:
    """Count one attempt (a failure, for the scopes that count failures only)."""
    found = _window(scope)
    if found is None:
        return
    _, seconds, window, _ = found
    key = _key(scope, ident, window)
    try:
        if not cache.add(key, 1, timeout=seconds + 1):
            cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds + 1)
    except Exception:
        logger.warning("rate limit %s not counted: the cache is unreachable", scope, exc_info=True)


def hit(scope: str, ident: str, message: str) -> None:
    """Check, then count this attempt: for scopes where every attempt counts."""
    check(scope, ident, message)
    count(scope, ident)
