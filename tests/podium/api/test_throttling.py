"""Request rates per user and per address, counted in the shared cache (every server process
sees the same counts), refused with 429 and ``Retry-After``."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from podium.accounts.tokens import api_token_create
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
    assert len(cache.get(f"throttle_user_{alice.user.pk}")) == 3
    cache.clear()
    assert alice.get("me/").status_code == 200


def test_per_address(rates, api, make_user):
    rates(address="4/minute")
    for _ in range(4):
        assert api.get("competitions/").status_code == 200
    refused(api.get("competitions/"))
    # signed in or not, from this address: the same budget
    refused(make_user("alice").get("me/"))
    assert len(cache.get("throttle_address_127.0.0.1")) == 4  # in the shared cache


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
