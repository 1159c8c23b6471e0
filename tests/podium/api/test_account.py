"""/api/v1/me/, the caller's API keys, and trading a password for a key."""

from __future__ import annotations

import pytest

from podium.accounts.models import ApiToken
from tests.podium.api.conftest import error_of
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_me_is_the_caller(make_user):
    alice = make_user("alice", first_name="Alice")
    response = alice.get("me/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.user.pk
    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert body["first_name"] == "Alice"
    assert "password" not in body


def test_me_needs_a_key(api):
    error = error_of(api.get("me/"), 401, "not_authenticated")
    assert "Authorization: Token" in error["message"]


def test_a_bearer_key_works_too(make_user):
    alice = make_user("alice")
    response = alice.get("me/", headers={"Authorization": f"Bearer {alice.key}"})
    assert response.status_code == 200 and response.json()["username"] == "alice"


def test_tokens_list_shows_prefixes_never_keys_and_is_paginated(make_user):
    alice = make_user("alice")
    response = alice.get("me/tokens/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["previous"] is None and body["next"] is None
    [token] = body["results"]
    assert alice.key.startswith(token["prefix"]) and token["prefix"] != alice.key
    assert alice.key not in response.text
    assert token["name"] == "tests"
    assert token["last_used_at"] is not None  # the list call itself used it


def test_create_a_token_shows_its_key_once(make_user):
    alice = make_user("alice")
    response = alice.post("me/tokens/", json={"name": "laptop"})
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith("pdm_") and len(body["key"]) == 44
    assert body["token"]["name"] == "laptop"
    assert body["key"].startswith(body["token"]["prefix"])
    # the new key works, the list does not show it again
    assert alice.with_key(body["key"]).get("me/").json()["username"] == "alice"
    listed = alice.get("me/tokens/").json()
    assert listed["count"] == 2 and body["key"] not in str(listed)
    # the database holds a hash only
    stored = ApiToken.objects.get(pk=body["token"]["id"])
    assert body["key"] not in {stored.key_hash, stored.prefix}


def test_a_too_long_token_name_is_invalid_input(make_user):
    alice = make_user("alice")
    error = error_of(alice.post("me/tokens/", json={"name": "x" * 101}), 400, "invalid_input")
    assert "name" in error["details"]["fields"]
    assert ApiToken.objects.filter(user=alice.user).count() == 1


def test_token_limit(make_user, settings):
    settings.API_TOKENS_PER_USER = 2
    alice = make_user("alice")
    assert alice.post("me/tokens/", json={"name": "two"}).status_code == 201
    error = error_of(alice.post("me/tokens/", json={"name": "three"}), 429, "token_limit_reached")
    assert error["details"] == {"limit": 2}
    assert "You already have 2 API tokens" in error["message"]
    assert ApiToken.objects.filter(user=alice.user).count() == 2


def test_rotate_replaces_the_key_and_the_old_one_stops_working(make_user):
    alice = make_user("alice")
    [token] = alice.get("me/tokens/").json()["results"]
    response = alice.post(f"me/tokens/{token['id']}/rotate/")
    assert response.status_code == 201
    body = response.json()
    assert body["token"]["id"] == token["id"] and body["token"]["name"] == "tests"
    assert body["key"] != alice.key
    error = error_of(alice.get("me/"), 401, "authentication_failed")
    assert "revoked or rotated" in error["message"]
    assert alice.with_key(body["key"]).get("me/").status_code == 200


def test_revoke_and_the_key_stops_working(make_user):
    alice = make_user("alice")
    other = alice.post("me/tokens/", json={"name": "ci"}).json()
    response = alice.delete(f"me/tokens/{other['token']['id']}/")
    assert response.status_code == 204 and response.content == b""
    error_of(alice.with_key(other["key"]).get("me/"), 401, "authentication_failed")
    assert alice.get("me/").status_code == 200  # the other key still works
    # revoking the key one is calling with: it works once, then never
    [mine] = alice.get("me/tokens/").json()["results"]
    assert alice.delete(f"me/tokens/{mine['id']}/").status_code == 204
    error_of(alice.get("me/"), 401, "authentication_failed")


def test_someone_elses_token_is_not_found(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    [bobs] = bob.get("me/tokens/").json()["results"]
    for response in (
        alice.post(f"me/tokens/{bobs['id']}/rotate/"),
        alice.delete(f"me/tokens/{bobs['id']}/"),
        alice.delete("me/tokens/999999/"),
    ):
        error = error_of(response, 404, "token_not_found")
        assert "You have no API token with id" in error["message"]
    assert bob.get("me/").status_code == 200  # untouched


def test_tokens_need_a_key(api):
    error_of(api.get("me/tokens/"), 401, "not_authenticated")
    error_of(api.post("me/tokens/", json={}), 401, "not_authenticated")
    error_of(api.delete("me/tokens/1/"), 401, "not_authenticated")
    assert ApiToken.objects.count() == 0


def test_login_with_a_password_gives_a_key(api):
    UserFactory(username="alice")
    response = api.post(
        "auth/token/", json={"username": "alice", "password": "password", "name": "my laptop"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"]["name"] == "my laptop"
    assert api.with_key(body["key"]).get("me/").json()["username"] == "alice"


@pytest.mark.parametrize("username, password", [("alice", "wrong"), ("nobody", "password")])
def test_login_refuses_wrong_credentials_alike(api, username, password):
    UserFactory(username="alice")
    response = api.post("auth/token/", json={"username": username, "password": password})
    error = error_of(response, 401, "credentials_invalid")
    assert error["message"] == "That username and password do not match an account."
    assert response.headers["WWW-Authenticate"].startswith("Token")
    assert ApiToken.objects.count() == 0


def test_login_of_an_inactive_user_is_refused(api):
    UserFactory(username="alice", is_active=False)
    response = api.post("auth/token/", json={"username": "alice", "password": "password"})
    error_of(response, 401, "credentials_invalid")


def test_login_needs_both_fields(api):
    error = error_of(api.post("auth/token/", json={"username": "alice"}), 400, "invalid_input")
    assert set(error["details"]["fields"]) == {"password"}


def test_login_ignores_a_bad_key_header(api):
    """Signing in is how one replaces a revoked key: a stale header must not block it."""
    UserFactory(username="alice")
    response = api.with_key("pdm_" + "0" * 40).post(
        "auth/token/", json={"username": "alice", "password": "password"}
    )
    assert response.status_code == 201


def test_login_is_throttled(api, settings):
    settings.API_RATES = {**settings.API_RATES, "login": "3/minute"}
    UserFactory(username="alice")
    for _ in range(3):
        wrong = api.post("auth/token/", json={"username": "alice", "password": "guess"})
        error_of(wrong, 401, "credentials_invalid")
    # the fourth try is refused before the password is even checked: right or wrong
    response = api.post("auth/token/", json={"username": "alice", "password": "password"})
    error = error_of(response, 429, "throttled")
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert error["details"] == {"retry_after_seconds": wait}
    assert ApiToken.objects.count() == 0
