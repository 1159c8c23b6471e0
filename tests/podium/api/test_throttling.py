"""Request rates per user and per address, counted in the shared cache (every server process
sees the same counts), refused with 429 and ``Retry-After``."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from podium.accounts.tokens import api_token_create
from podium.core import window_counter
from tests.podium.api.conftest import error_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rates(settings):
    def set_rates(**scopes: str) -> None:
        settings.API_RATES = {**settings.API_RATES, **scopes}

    return set_rates


def refused(response) -> int:
    error = error_of(response, 429, "throttled")
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert error["details"] == {"retry_after_seconds": wait}
    assert error["message"] == (
        f"Too many requests. Try again in {wait} second{'s' if wait != 1 else ''}."
    )
    return wait


def test_the_cache_is_shared_between_processes():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend.rsplit(".", 1)[-1] in {"FileBasedCache", "RedisCache"}, backend


def test_per_user(rates, make_user):
    rates(user="3/minute")
    alice, bob = make_user("alice"), make_user("bob")
    for _ in range(3):
        assert alice.get("me/").status_code == 200
    refused(alice.get("me/"))
    refused(alice.get("competitions/"))  # every endpoint counts against the same budget
    # another key of alice's is the same user
    _, key = api_token_create(user=alice.user)
    refused(alice.with_key(key).get("me/"))
    # bob, from the same address, is not alice
    assert bob.get("me/").status_code == 200
    # the counts are in the shared cache, where every server process reads them
    assert window_counter.used(f"throttle:user:{alice.user.pk}", 60) == 3  # refusals not counted
    cache.clear()
    assert alice.get("me/").status_code == 200


def test_per_address(rates, api, make_user):
    rates(address="4/minute")
    for _ in range(4):
        assert api.get("competitions/").status_code == 200
    refused(api.get("competitions/"))
    # signed in or not, from this address: the same budget
    refused(make_user("alice").get("me/"))
    assert window_counter.used("throttle:address:127.0.0.1", 60) == 4  # in the shared cache


def test_a_guessed_key_storm_is_throttled_by_address(rates, api):
    rates(address="3/minute")
    bad = api.with_key("pdm_" + "0" * 40)
    statuses = [bad.get("me/").status_code for _ in range(5)]
    # refused as unknown first; then the address is cut off: each refused key counted
    assert statuses == [401, 401, 401, 429, 429], statuses
    refused(bad.get("me/"))


def test_rates_follow_the_settings_per_request(rates, make_user):
    alice = make_user("alice")
    rates(user="1/minute")
    assert alice.get("me/").status_code == 200
    refused(alice.get("me/"))
    rates(user="100/minute")
    assert alice.get("me/").status_code == 200


def test_a_spoofed_forwarded_for_is_the_same_address(rates, api, settings):
    """With PODIUM_PROXIES=0 (the default) X-Forwarded-For is ignored: a new value per request
    does not make a new address (it did: DRF counted the header's text)."""
    settings.PODIUM_PROXIES = 0
    rates(login="3/minute")
    statuses = [
        api.post(
            "auth/token/",
            json={"username": "ada", "password": "x"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429], statuses
    refused(
        api.post(
            "auth/token/",
            json={"username": "ada", "password": "x"},
            headers={"X-Forwarded-For": "203.0.113.1"},
        )
    )


def test_failed_logins_are_limited_per_account(api, make_user, settings):
    """podium login: wrong passwords for one account, from anywhere, block that account for a
    short window (accounts.guards); the refusal is the API's 429 shape with Retry-After."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "3/5m", "login_address": ""}
    alice = make_user("alice")
    alice.user.set_password("right-password-123")
    alice.user.save()
    wrong = {"username": "alice", "password": "no"}
    right = {"username": "alice", "password": "right-password-123"}
    for _ in range(3):
        assert api.post("auth/token/", json=wrong).status_code == 401
    response = api.post("auth/token/", json=right)
    error = error_of(response, 429, "throttled")
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 300 and error["details"] == {"retry_after_seconds": wait}
    assert error["message"].startswith("Too many failed sign-ins for this account. Try again in")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "100/5m"}
    assert api.post("auth/token/", json=right).status_code == 201


def test_refused_keys_count_against_the_key_limit(rates, api, settings):
    rates(address="1000/minute")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "key_address": "2/10m"}
    bad = api.with_key("pdm_" + "0" * 40)
    statuses = [bad.get("me/").status_code for _ in range(4)]
    assert statuses == [401, 401, 429, 429], statuses


def test_the_throttles_fail_open_when_the_cache_is_down(rates, make_user, monkeypatch):
    rates(user="1/minute")
    alice = make_user("alice")

    class Down:  # every cache call fails, in the live server's thread too
        def __getattr__(self, name):
            def down(*args, **kwargs):
                raise ConnectionError("redis is down")

            return down

    monkeypatch.setattr("podium.core.window_counter.caches", {"default": Down()})
    for _ in range(3):
        assert alice.get("me/").status_code == 200
