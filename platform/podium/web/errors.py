"""A domain error reaching a page is shown as a page: its message, with its HTTP status."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render

from podium.core.errors import DomainError


def shows_domain_errors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            response = render(request, "web/error.html", {"error": exc}, status=exc.status)
            if getattr(exc, "retry_after", None):  # a rate limit (podium.core.limits)
                response["Retry-After"] = str(exc.retry_after)
            return response

    return wrapper
