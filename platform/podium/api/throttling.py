"""Request rates per user and per IP address, counted in the shared cache (Redis or the file
cache: every gunicorn worker sees the same counts). A refusal is a 429 with ``Retry-After``.

Rates are read from settings on every call (not frozen at import), ``API_RATES`` by scope. The
address is ``podium.core.addresses.client_address`` (X-Forwarded-For believed only as far as
``PODIUM_PROXIES``), as for every other limit of Podium.

The cache being down fails open: the request is served (DESIGN: counters in Redis must not make
Redis a dependency of the API).
"""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from podium.core.addresses import client_address

logger = logging.getLogger("podium.api")


class _Rate(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_RATES.get(self.scope)

    def __init__(self) -> None:  # rates may change under tests: never cache them on the class
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_ident(self, request) -> str:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # the shared cache is unreachable: serve, and say so in the log
            logger.warning(
                "throttle %s not applied: the cache is unreachable", self.scope, exc_info=True
            )
            return True


class PerUser(_Rate):
    """Every call of a signed-in user, whatever their address."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class PerAddress(_Rate):
    """Every call from one address, signed in or not (a guessed-key or scraping storm)."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class Login(PerAddress):
    """Exchanging a password for a key: slow enough to make guessing passwords useless."""

    scope = "login"
