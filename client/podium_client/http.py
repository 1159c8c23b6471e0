"""The API over HTTP: one ``requests`` session, the key in ``Authorization: Token``, errors
turned into exceptions that carry exit codes, pages followed through ``next``.

Retries: a server that says it recorded nothing and to come back (503, or 429 with
``Retry-After``), or that could not be reached at all (connection refused: nothing was sent), is
tried again, up to ``MAX_TRIES`` times within ``RETRY_BUDGET_S``, waiting what ``Retry-After``
asks (capped at ``MAX_WAIT_S``; else a backoff from 1 s) plus up to a quarter more (jitter, so
that clients turned away together do not come back together), and saying so on stderr. A
connection reset mid-answer is retried only for a GET, PUT, DELETE or HEAD: a POST (an upload)
may have been recorded, and is never sent twice. A wait longer than the budget left is not
made: the error is reported at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from urllib.parse import quote, urljoin

import requests
import urllib3.exceptions

from podium_client import __version__
from podium_client.errors import ApiError, ConnectionFailure
from podium_client.output import note

API_PREFIX = "/api/v1/"
CONNECT_TIMEOUT_S = 10
READ_TIMEOUT_S = 120
MAX_PAGE_SIZE = 1000
MAX_TRIES = 5
RETRY_BUDGET_S = 120.0  # from the first try: a retry that would start later is not made
MAX_WAIT_S = 30.0
FIRST_BACKOFF_S = 1.0
JITTER = 0.25  # up to this fraction more than the wait asked for
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


def path_part(value: str | int) -> str:
    """One URL path segment (a slug, a file name), quoted."""
    return quote(str(value), safe="")


class Api:
    def __init__(
        self, base_url: str, token: str | None = None, *, tries: int = MAX_TRIES, sleep=None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tries = max(1, tries)
        self.sleep = sleep if sleep is not None else time.sleep
        self.api_root = self.base_url + API_PREFIX
        self.token = token
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"podium-cli/{__version__}"
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.api_root, path.lstrip("/"))

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """The response of a successful call; an ``ApiError`` (with the API's message) for an
        error status, a ``ConnectionFailure`` when the server cannot be reached; retried as the
        module docstring says. A body sent again must be bytes, or a stream with ``rewind()``
        (``MultipartBody``); any other stream is sent once."""
        kwargs.setdefault("timeout", (CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        method = method.upper()
        data = kwargs.get("data")
        resendable = data is None or isinstance(data, (bytes, str, dict)) or hasattr(data, "rewind")
        started = time.monotonic()
        attempt = 1
        while True:
            try:
                return self._once(method, path, **kwargs)
            except (ApiError, _Unreachable) as error:
                wait = self._retry_wait(method, error, attempt, started) if resendable else None
                if wait is None:
                    raise (error.failure if isinstance(error, _Unreachable) else error) from None
                attempt += 1
                note(
                    f"{_waiting_for(error)}: retrying in {wait:.0f} s, attempt {attempt} of "
                    f"{self.tries}"
                )
                self.sleep(wait)
                if hasattr(data, "rewind"):
                    data.rewind()

    def _retry_wait(self, method: str, error, attempt: int, started: float) -> float | None:
        """Seconds to wait before the next try, or None: not retryable, or out of tries or
        time."""
        if attempt >= self.tries:
            return None
        if isinstance(error, _Unreachable):
            if not (error.before_sending or method in IDEMPOTENT):
                return None
            asked = None
        elif error.status == 503 or (error.status == 429 and error.retry_after):
            asked = error.retry_after
        else:
            return None
        if asked and asked > MAX_WAIT_S:
            return None  # the server asks for longer than a command should hang: say so now
        wait = float(asked) if asked else min(MAX_WAIT_S, FIRST_BACKOFF_S * 2 ** (attempt - 1))
        wait *= 1 + random.uniform(0, JITTER)
        if time.monotonic() - started + wait > RETRY_BUDGET_S:
            return None
        return wait

    def _once(self, method: str, path: str, **kwargs) -> requests.Response:
        url = self.url(path)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.exceptions.SSLError as error:
            raise ConnectionFailure(f"TLS failure talking to {self.base_url}: {error}") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout) as error:
            raise _Unreachable(
                ConnectionFailure(
                    f"Cannot reach the Podium server at {self.base_url} ({_reason(error)}). "
                    "Is the URL right and the server running?"
                ),
                before_sending=_before_sending(error),
                reason=_reason(error),
            ) from None
        except requests.exceptions.Timeout:
            raise ConnectionFailure(
                f"The Podium server at {self.base_url} did not answer in time."
            ) from None
        except requests.exceptions.RequestException as error:
            raise ConnectionFailure(f"Request to {url} failed: {error}") from None
        if response.status_code >= 400:
            raise api_error(response)
        return response

    def get(self, path: str, **kwargs) -> dict:
        return self.decode(self.request("GET", path, **kwargs))

    def post(self, path: str, body: dict | None = None, **kwargs) -> dict:
        return self.decode(self.request("POST", path, json=body or {}, **kwargs))

    def put(self, path: str, body: dict, **kwargs) -> dict:
        return self.decode(self.request("PUT", path, json=body, **kwargs))

    def patch(self, path: str, body: dict, **kwargs) -> dict:
        return self.decode(self.request("PATCH", path, json=body, **kwargs))

    def pages(self, path: str, params: dict | None = None, limit: int | None = None) -> Iterator:
        """Every result of a paginated list (at most ``limit``), following ``next``."""
        params = dict(params or {})
        params["page_size"] = min(MAX_PAGE_SIZE, limit) if limit else MAX_PAGE_SIZE
        url: str | None = path
        seen = 0
        while url:
            page = self.get(url, params=params)
            params = None  # ``next`` carries them
            for item in page.get("results", []):
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield item
            url = page.get("next")

    def all(self, path: str, params: dict | None = None, limit: int | None = None) -> list:
        return list(self.pages(path, params, limit))

    def decode(self, response: requests.Response):
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                response.status_code,
                "not_json",
                f"The server at {self.base_url} did not answer with JSON "
                f"(HTTP {response.status_code} from {response.url}): is it a Podium server?",
            ) from None


def api_error(response: requests.Response) -> ApiError:
    """The API's own error (``{"error": {"code", "message", "details"}}``), or a message made
    from the status when the body is something else (a proxy's error page)."""
    retry_after = response.headers.get("Retry-After")
    retry = int(retry_after) if retry_after and retry_after.isdigit() else None
    try:
        error = response.json()["error"]
        return ApiError(
            response.status_code,
            str(error.get("code") or ""),
            str(error.get("message") or f"HTTP {response.status_code}"),
            error.get("details") if isinstance(error.get("details"), dict) else {},
            retry,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        reason = f"{response.status_code} {response.reason or ''}".strip()
        return ApiError(
            response.status_code,
            "http_error",
            f"The server answered HTTP {reason} for {response.request.method} {response.url}.",
            retry_after=retry,
        )


class _Unreachable(Exception):
    """A connection failure, and whether it happened before the request was sent (connection
    refused, connect timeout: the server recorded nothing)."""

    def __init__(self, failure: ConnectionFailure, *, before_sending: bool, reason: str) -> None:
        super().__init__(failure.message)
        self.failure, self.before_sending, self.reason = failure, before_sending, reason


def _before_sending(error: Exception) -> bool:
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    cause = error.args[0] if error.args else None
    reason = getattr(cause, "reason", cause)  # urllib3's MaxRetryError carries the cause
    return isinstance(
        reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)
    )


def _waiting_for(error) -> str:
    if isinstance(error, _Unreachable):
        return f"Cannot reach Podium ({error.reason})"
    return f"Podium is busy ({error.code or f'HTTP {error.status}'})"


def _reason(error: Exception) -> str:
    text = str(error)
    for marker, reason in (
        ("Name or service not known", "host name not found"),
        ("nodename nor servname", "host name not found"),
        ("Temporary failure in name resolution", "host name not found"),
        ("Connection refused", "connection refused"),
        ("No route to host", "no route to host"),
        ("timed out", "timed out"),
    ):
        if marker in text:
            return reason
    return "connection failed"
