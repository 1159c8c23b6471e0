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
        name = self.counter_name(request) if self.num_requests else None
        if name is None:
            return True
        try:
            counted = window_counter.hit(name, self.duration)
            if counted.sliding <= self.num_requests:
                return True
            window_counter.unhit(name, self.duration)
        except Exception:  # the shared cache is unreachable: serve, and say so in the log
            logger.warning(
                "throttle %s not applied: the cache is unreachable", self.scope, exc_info=True
            )
            return True
        self._wait = counted.wait_for(self.num_requests)
        return False

    def wait(self):
        return self._wait


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


class Login(PerAddress):
    """Exchanging a password for a key: slow enough to make guessing passwords useless."""

    scope = "login"
