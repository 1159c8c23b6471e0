"""One error shape for the whole API: ``{"error": {"code", "message", "details"}}``.

Domain errors (``podium.core.errors.DomainError``) keep the code, message and status the
service chose, so the API says word for word what the web UI says. DRF's and Django's own
refusals get codes from ``api/error_codes.py`` and core's ``CommonErrorCode``. A dependency away
(the database or the broker: ``podium.core.unavailable``) is a 503 ``service_unavailable`` with
``Retry-After``, logged once per storm. Anything else is logged with its traceback and answered
with a 500 that shows none of it.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from podium.api.error_codes import ApiErrorCode as Code
from podium.core.error_codes import CommonErrorCode as Common
from podium.core.errors import DomainError
from podium.core.unavailable import as_unavailable, current_exception_response
from podium.core.unavailable import mark as mark_unavailable

logger = logging.getLogger("podium.api")

_DRF_CODES = {
    drf.NotAuthenticated: Common.NOT_AUTHENTICATED,
    drf.AuthenticationFailed: Common.AUTHENTICATION_FAILED,
    drf.PermissionDenied: Code.PERMISSION_DENIED,
    drf.NotFound: Code.NOT_FOUND,
    drf.MethodNotAllowed: Common.METHOD_NOT_ALLOWED,
    drf.NotAcceptable: Code.NOT_ACCEPTABLE,
    drf.UnsupportedMediaType: Code.UNSUPPORTED_MEDIA_TYPE,
    drf.Throttled: Common.THROTTLED,
    drf.ParseError: Common.MALFORMED_REQUEST,
}


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": str(code), "message": message, "details": details or {}}}


def _flatten(detail, prefix: str = "") -> list[str]:
    """``{"file": ["This field is required."]}`` -> ``["file: This field is required."]``."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else f"{prefix}{key}"
            out += _flatten(value, f"{name}." if name else "")
        return out
    if isinstance(detail, list):
        return [line for item in detail for line in _flatten(item, prefix)]
    label = prefix.rstrip(".")
    return [f"{label}: {detail}" if label else str(detail)]


def _validation(exc: drf.ValidationError) -> tuple[int, dict]:
    lines = _flatten(exc.detail)
    message = " ".join(lines[:5]) or "The request is not valid."
    fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    return 400, error_body(Code.INVALID_INPUT, message, {"fields": fields})


def _drf(exc: drf.APIException) -> tuple[int, dict, dict]:
    headers = {}
    details = {}
    if isinstance(exc, drf.Throttled):
        wait = max(1, int(exc.wait or 1))
        headers["Retry-After"] = str(wait)
        details["retry_after_seconds"] = wait
        message = f"Too many requests. Try again in {wait} second{'s' if wait != 1 else ''}."
    elif isinstance(exc, drf.NotAuthenticated):
        message = (
            "Sign in first: send your API key as 'Authorization: Token <key>' "
            "(from your profile page, or `podium login`)."
        )
    else:
        message = str(exc.detail)
    # DRF's APIException itself (or a subclass without a code of ours) is a server error: every
    # code the API answers is one of the registry's (core.error_codes, the schema's enum).
    fallback = Common.SERVER_ERROR if exc.status_code >= 500 else Common.MALFORMED_REQUEST
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), fallback)
    return exc.status_code, error_body(code, message, details), headers


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception a view raises becomes the one error shape."""
    headers: dict = {}
    if (error := as_unavailable(exc)) is not None:  # the database or the broker is away
        response = Response({"error": error.as_dict()}, status=error.status)
        set_rollback()
        return mark_unavailable(response, error.retry_after)
    if isinstance(exc, DomainError):
        status, body = exc.status, {"error": exc.as_dict()}
        if getattr(exc, "retry_after", None):  # a rate limit (podium.core.limits)
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, drf.ValidationError):
        status, body = _validation(exc)
    elif isinstance(exc, drf.APIException):
        status, body, headers = _drf(exc)
    elif isinstance(exc, Http404):
        status, body = 404, error_body(Code.NOT_FOUND, str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        status, body = 403, error_body(Code.PERMISSION_DENIED, str(exc) or "Not allowed.")
    elif isinstance(exc, RequestDataTooBig):
        status, body = (
            413,
            error_body(Code.UPLOAD_TOO_LARGE, "The request's form fields are too large."),
        )
    elif isinstance(exc, SuspiciousOperation):
        status, body = 400, error_body(Common.MALFORMED_REQUEST, "The request is malformed.")
    else:
        view = context.get("view")
        logger.exception("API error in %s", type(view).__name__ if view else "?")
        status, body = (
            500,
            error_body(
                Common.SERVER_ERROR,
                "Something went wrong on the server; it is logged. Try again, "
                "and tell the organizers if it persists.",
            ),
        )
    set_rollback()
    if status == 401:
        headers["WWW-Authenticate"] = getattr(exc, "auth_header", None) or 'Token realm="api"'
    return Response(body, status=status, headers=headers)


def not_found(request, exception=None):
    """``handler404`` for URLs no view matched: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(Code.NOT_FOUND, f"There is no API endpoint at {request.path}."),
            status=404,
        )
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    """``handler500`` (a crash outside DRF, e.g. in middleware): JSON under /api/; a 503 when
    the exception being handled is a dependency away."""
    if (unavailable := current_exception_response(request)) is not None:
        return unavailable
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(Common.SERVER_ERROR, "Something went wrong on the server; it is logged."),
            status=500,
        )
    from django.views.defaults import server_error as page

    return page(request)
