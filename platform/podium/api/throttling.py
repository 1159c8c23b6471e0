"""Request rates per user and per IP address, counted in the shared cache (Redis or the file
cache: every gunicorn worker sees the same counts). A refusal is a 429 with ``Retry-After``.

Rates are read from settings on every call (not frozen at import), ``API_RATES`` by scope. The
address is ``podium.core.addresses.client_address`` (X-Forwarded-For believed only as far as
``PODIUM_PROXIES``), as for every other limit of Podium. Counts are sliding-window counters
(``core.window_counter``: one Redis round trip per throttle), not DRF's log of timestamps, which
rewrote the whole window's list on every request. A refused request is not counted.

The cache being down fails open: the request is served (DESIGN: counters in Redis must not make
Redis a dependency of the API).
"""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from podium.core import window_counter
from podium.core.addresses import client_address

logger = logging.getLogger("podium.api")


class _Rate(BaseThrottle):
    scope = ""

    def __init__(self) -> None:  # rates may change under tests: never cache them on the class
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(
            None, settings.API_RATES.get(self.scope)
        )
        self._wait = None

    def get_ident(self, request) -> str:
        return client_address(request)

    def counter_name(self, request) -> str | None:
        """The count this request goes to; None: not limited by this throttle."""
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        self._wait = _refused_for([self], request)
        return self._wait is None

    def wait(self):
        return self._wait


def _refused_for(throttles: list[_Rate], request) -> int | None:
    """Count ``request`` against each throttle's window (one round trip for all); the seconds
    to wait if any of them refuses it, else None. A refused count is taken back."""
    named = [(t, t.counter_name(request) if t.num_requests else None) for t in throttles]
    named = [(t, name) for t, name in named if name is not None]
    if not named:
        return None
    try:
        counts = window_counter.hit_many([(name, t.duration) for t, name in named])
        refused = [
            (t, name, count)
            for (t, name), count in zip(named, counts, strict=True)
            if count.sliding > t.num_requests
        ]
        for t, name, _ in refused:
            window_counter.unhit(name, t.duration)
    except Exception:  # the shared cache is unreachable: serve, and say so in the log
        logger.warning(
            "throttles %s not applied: the cache is unreachable",
            ", ".join(t.scope for t, _ in named),
            exc_info=True,
        )
        return None
    if not refused:
        return None
    return max(count.wait_for(t.num_requests) for t, _, count in refused)


class PerUser(_Rate):
    """Every call of a signed-in user, whatever their address."""

    scope = "user"

    def counter_name(self, request) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return f"throttle:{self.scope}:{request.user.pk}"


class PerAddress(_Rate):
    """Every call from one address, signed in or not (a guessed-key or scraping storm)."""

    scope = "address"

    def counter_name(self, request) -> str:
        return f"throttle:{self.scope}:{self.get_ident(request)}"


class PerUserAndAddress(BaseThrottle):
    """``PerUser`` and ``PerAddress``, counted in one round trip: every API view's default."""

    def allow_request(self, request, view) -> bool:
        self._wait = _refused_for([PerUser(), PerAddress()], request)
        return self._wait is None

    def wait(self):
        return self._wait


class Login(PerAddress):
    """Exchanging a password for a key: slow enough to make guessing passwords useless."""

    scope = "login"
