"""The API over HTTP: one ``requests`` session, the key in ``Authorization: Token``, errors
turned into exceptions that carry exit codes, pages followed through ``next``."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urljoin

import requests

from podium_client import __version__
from podium_client.errors import ApiError, ConnectionFailure

API_PREFIX = "/api/v1/"
CONNECT_TIMEOUT_S = 10
READ_TIMEOUT_S = 120
MAX_PAGE_SIZE = 1000


def path_part(value: str | int) -> str:
    """One URL path segment (a slug, a file name), quoted."""
    return quote(str(value), safe="")


class Api:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
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
        error status, a ``ConnectionFailure`` when the server cannot be reached."""
        kwargs.setdefault("timeout", (CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        url = self.url(path)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.exceptions.SSLError as error:
            raise ConnectionFailure(f"TLS failure talking to {self.base_url}: {error}") from None
        except requests.exceptions.ConnectionError as error:
            raise ConnectionFailure(
                f"Cannot reach the Podium server at {self.base_url} ({_reason(error)}). "
                "Is the URL right and the server running?"
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
