"""Each request's log context and latency.

Every line logged while a request is answered carries its ``request_id`` (the caller's
``X-Request-ID`` when it is a sane token, else a new one; echoed in the response) and, once the
URL is resolved, its ``route`` (the URL pattern's name, never the raw path: bounded, and free of
ids and slugs). The time to answer is observed by route name, method and status class
(``podium.ops.metrics``). First in ``MIDDLEWARE``, so it times and tags everything after it.
"""

from __future__ import annotations

import re
import time
import uuid

from podium.core.log_context import log_context
from podium.ops.metrics import observe_request

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,100}")
UNMATCHED = "unmatched"  # no URL pattern matched (a 404, a redirect before resolving)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _request_id(request) -> str:
    given = request.headers.get(HEADER, "")
    return given if _SANE.fullmatch(given) else uuid.uuid4().hex


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match.route or UNMATCHED


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request_id = _request_id(request)
        request.log_fields = {"request_id": request_id}  # for lines logged after the context
        with log_context(request_id=request_id) as context:
            request.log_context = context
            response = self.get_response(request)
        response[HEADER] = request_id
        observe_request(
            route=_route(request),
            method=request.method if request.method in _METHODS else "other",
            status=response.status_code,
            seconds=time.monotonic() - started,
        )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        context = getattr(request, "log_context", None)
        if context is not None:  # the URL is resolved now: name its route on every line
            route = _route(request)
            context.bind(route=route)
            request.log_fields["route"] = route
