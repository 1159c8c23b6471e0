"""Content-Security-Policy: a page may load only Podium's own files.

Podium serves everything itself (htmx vendored, its stylesheet and script, SVG charts drawn inline
as markup), so every page says so to the browser: scripts, styles, images, fonts and requests from
this origin only, no inline script or style, no plugins, no framing, forms post here only. What an
organizer's Markdown or a participant's team name might smuggle in then does not run even if it
got past the sanitizer. Two places need a little more, each for its own path only:

- Django's admin (``/admin/``): Podium's admin columns draw badges with ``style=`` attributes;
  styles may be inline there, scripts still may not.
- Swagger UI (``/api/docs/``): its icons are ``data:`` images.

``CONTENT_SECURITY_POLICY_IMG_HOSTS`` (the hosts of ``PODIUM_MARKDOWN_ALLOWED_HOSTS``) may serve
images to every page. A response that already has the header (a view that set its own) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

HEADER = "Content-Security-Policy"


def policy(*, img: Iterable[str] = (), style: Iterable[str] = ()) -> str:
    """The page policy; ``img`` and ``style`` add sources to those directives."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *style],
        "img-src": ["'self'", *img],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def image_sources(hosts: Iterable[str]) -> list[str]:
    """``https://host`` for each allowed Markdown host (a host with a scheme is kept as given)."""
    return [host if "://" in host else f"https://{host}" for host in hosts]


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        hosts = image_sources(settings.CONTENT_SECURITY_POLICY_IMG_HOSTS)
        self.page = policy(img=hosts)
        self.admin = policy(img=hosts, style=["'unsafe-inline'"])
        self.docs = policy(img=[*hosts, "data:"])
        self._prefixes: list[tuple[str, str]] | None = None

    def prefixes(self) -> list[tuple[str, str]]:
        if self._prefixes is None:  # the URLconf is loaded by the first request, not before
            found = []
            for name, value in (("api:docs", self.docs), ("admin:index", self.admin)):
                try:
                    found.append((reverse(name), value))
                except NoReverseMatch:  # pragma: no cover - a URLconf without it
                    continue
            self._prefixes = found
        return self._prefixes

    def policy_for(self, path: str) -> str:
        for prefix, value in self.prefixes():
            if path.startswith(prefix):
                return value
        return self.page

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = self.policy_for(request.path)
        return response
