"""Request rates per user and per IP address, counted in the shared cache (Redis or the file
cache: every gunicorn worker sees the same counts). A refusal is a 429 with ``Retry-After``.

Rates are read from settings on every call (not frozen at import), ``API_RATES`` by scope.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _Rate(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_RATES.get(self.scope)

    def __init__(self) -> None:  # rates may change under tests: never cache them on the class
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)


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
