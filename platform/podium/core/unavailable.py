"""A dependency away (PostgreSQL restarting, Redis or the broker down) answers 503 with
``Retry-After``, never a 500.

``dependency_failure`` says whether an exception means a service is away (a refused or dropped
connection, a server shutting down, SQLite's lock timeout) rather than a bug (a missing table, a
constraint): only those become 503. ``unavailable_response`` is the answer: the API's one error
shape (code ``service_unavailable``) under /api/, elsewhere a small page rendered without the
request (no context processor, no session, no query). Three places hand it exceptions:

* ``DependencyUnavailableMiddleware.process_exception``: a plain Django view (web pages, admin,
  kaggle_compat's non-DRF views);
* ``podium.api.exceptions.exception_handler``: a DRF view (and kaggle_compat's views, which
  render it in the kaggle protocol's shape, through ``as_unavailable``);
* ``podium.api.exceptions.server_error`` (``handler500``): an exception raised in a middleware
  (a session saved in ``process_response``), where Django calls the handler inside its
  ``except`` block.

A restart makes every request fail at once: the failure is logged once per ``LOG_EVERY_S`` per
dependency with the number answered since (no traceback per request), and the response is
marked as logged so that ``django.request`` does not add an error line of its own for each.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time

from django.db import InterfaceError as DbInterfaceError
from django.db import OperationalError as DbOperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from podium.core.error_codes import CommonErrorCode
from podium.core.errors import Unavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 5  # a PostgreSQL restart or a Redis restart takes seconds
LOG_EVERY_S = 30.0
DATABASE = "database"
BROKER = "broker"  # Redis (the broker, the cache) or the filesystem broker
_MESSAGES = {
    DATABASE: "Podium cannot reach its database right now (it may be restarting).",
    BROKER: "Podium cannot reach its task queue right now (it may be restarting).",
}
# SQLSTATE classes of a server that is away, not of a bad query: 08 connection exception,
# 57P01-57P03 shutdown / cannot connect now, 53 insufficient resources (too many connections).
_AWAY_SQLSTATES = ("08", "57P", "53")
_SQLITE_AWAY = ("database is locked", "unable to open database", "disk i/o error")


def dependency_failure(exc: BaseException | None) -> str | None:
    """``DATABASE`` or ``BROKER`` when ``exc`` says that service is away, else None."""
    if isinstance(exc, DbInterfaceError):  # the connection was closed under us
        return DATABASE
    if isinstance(exc, DbOperationalError):
        return DATABASE if _database_away(exc) else None
    if _is_broker_error(exc):
        return BROKER
    return None


def _database_away(exc: DbOperationalError) -> bool:
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        return any(text in str(cause).lower() for text in _SQLITE_AWAY)
    sqlstate = getattr(cause, "sqlstate", None)
    # psycopg: no SQLSTATE means the client failed (refused, reset, server closed the connection)
    return sqlstate is None or sqlstate.startswith(_AWAY_SQLSTATES)


def _is_broker_error(exc: BaseException | None) -> bool:
    from kombu.exceptions import OperationalError as KombuOperationalError

    kinds: tuple[type[BaseException], ...] = (KombuOperationalError,)
    try:
        import redis.exceptions

        kinds += (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
    except ImportError:  # pragma: no cover - redis is a dependency, the embedded setup needs none
        pass
    return isinstance(exc, kinds)


def unavailable_error(dependency: str) -> Unavailable:
    return Unavailable(
        CommonErrorCode.SERVICE_UNAVAILABLE,
        f"{_MESSAGES[dependency]} Try again in a few seconds.",
        retry_after=RETRY_AFTER_S,
    )


def as_unavailable(exc: BaseException | None) -> Unavailable | None:
    """The 503 error for ``exc`` when it means a dependency is away (else None), reported
    (logged once per storm): for a protocol that renders errors its own way."""
    dependency = dependency_failure(exc)
    if dependency is None:
        return None
    report(dependency, exc)
    return unavailable_error(dependency)


def unavailable_response(request, exc: BaseException | None) -> HttpResponse | None:
    """The 503 for ``exc`` when it means a dependency is away (else None), logged once."""
    error = as_unavailable(exc)
    if error is None:
        return None
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": error.as_dict()}, status=503)
    else:
        page = render_to_string(
            "web/unavailable.html",
            {"message": error.message, "retry_after": error.retry_after},
        )  # no request: no context processor (user, messages) touches the database
        response = HttpResponse(page, status=503)
    mark(response, error.retry_after)
    return response


def mark(response, retry_after: int):
    """Retry-After, not cached, and already logged (``report``): ``django.request`` adds no
    line per response."""
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True
    return response


def current_exception_response(request) -> HttpResponse | None:
    """In ``handler500``: the 503 for the exception Django is handling, if it is one."""
    return unavailable_response(request, sys.exc_info()[1])


class DependencyUnavailableMiddleware:
    """Turns a view's dependency failure into the 503 (see the module docstring)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return unavailable_response(request, exception)


# -- logging once per storm ---------------------------------------------------------------------

_lock = threading.Lock()
_last_logged: dict[str, float] = {}
_since: dict[str, int] = {}


def report(dependency: str, exc: BaseException) -> None:
    """One error line per dependency per ``LOG_EVERY_S`` (with how many requests were answered
    503 since the previous line); the others only count."""
    moment = time.monotonic()
    with _lock:
        _since[dependency] = _since.get(dependency, 0) + 1
        last = _last_logged.get(dependency)
        if last is not None and moment - last < LOG_EVERY_S:
            return
        _last_logged[dependency], count = moment, _since.pop(dependency)
    logger.error(
        "The %s is unavailable (%s: %s); answering 503 with Retry-After (%d request%s since "
        "the last such line)",
        dependency,
        type(exc).__name__,
        str(exc).strip().splitlines()[0][:300] if str(exc).strip() else "",
        count,
        "" if count == 1 else "s",
    )


def reset_reporting() -> None:
    """Forget what was logged (tests)."""
    with _lock:
        _last_logged.clear()
        _since.clear()
