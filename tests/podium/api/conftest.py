"""The API's tests run against a live server (pytest-django's ``live_server``: a real HTTP
server in a thread of the test process, on the test database), through ``requests``.

``api`` is an anonymous client of that server; ``api.as_user(user)`` one that sends a fresh API
key of ``user`` (``Authorization: Token pdm_...``), ``api.with_key(key)`` one with a given key.
The throttles count in the shared cache: it is emptied around every test.
"""

from __future__ import annotations

import pytest
import requests
from django.core.cache import cache

from podium.accounts.tokens import api_token_create
from podium.core.error_codes import code_values
from tests.podium.factories import UserFactory, competition_with_solution, participant

ERROR_KEYS = {"code", "message", "details"}


class Api:
    """``requests`` against ``base`` (the live server), paths relative to ``/api/v1/``."""

    def __init__(self, base: str, key: str | None = None, user=None) -> None:
        self.base = base.rstrip("/")
        self.key = key
        self.user = user
        self.session = requests.Session()

    def url(self, path: str) -> str:
        if path.startswith("http"):
            return path
        if not path.startswith("/"):
            path = "/api/v1/" + path
        return self.base + path

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.key is not None and "Authorization" not in headers:
            headers["Authorization"] = f"Token {self.key}"
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.url(path), headers=headers, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def with_key(self, key: str | None) -> Api:
        return Api(self.base, key)

    def as_user(self, user) -> Api:
        _, key = api_token_create(user=user, name="tests")
        return Api(self.base, key, user)


def error_of(response: requests.Response, status: int, code: str | None = None) -> dict:
    """The response's error, after checking its status, that the body is exactly the one error
    shape, and (if given) its code."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == ERROR_KEYS, error
    assert isinstance(error["code"], str) and error["code"], error
    assert error["code"] in code_values(), error  # the schema's closed set (core.error_codes)
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], dict), error
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counts from one test never reach the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(live_server) -> Api:
    return Api(live_server.url)


@pytest.fixture
def competition(db):
    return competition_with_solution(daily_submission_limit=5)


@pytest.fixture
def make_participant(api):
    """A user who joined ``competition`` (a team of one, rules accepted), with an API client."""

    def make(competition, username: str | None = None) -> Api:
        return api.as_user(participant(competition, username))

    return make


@pytest.fixture
def make_user(api):
    """A signed-up user who joined nothing, with an API client."""

    def make(username: str | None = None, **fields) -> Api:
        return api.as_user(UserFactory(**({"username": username} if username else {}), **fields))

    return make
