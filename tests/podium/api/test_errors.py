"""Every refusal is ``{"error": {"code", "message", "details"}}`` with the right status; a crash
is a 500 in that shape, with nothing of the traceback."""

from __future__ import annotations

import logging

import pytest

from podium.accounts.tokens import api_token_create
from podium.competitions import selectors as competition_selectors
from tests.podium.api.conftest import error_of
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "path",
    [
        "/api/nope/",
        "/api/v1/nope/",
        "/api/v1/competitions/titanic/nope/",
        "/api/v2/competitions/",
    ],
)
def test_an_unknown_api_url_is_a_json_404(api, path):
    error = error_of(api.get(path), 404, "not_found")
    assert error["message"] == f"There is no API endpoint at {path}."


def test_outside_the_api_a_404_stays_a_page(api):
    response = api.get("/no-such-page/")
    assert response.status_code == 404
    assert not response.headers["Content-Type"].startswith("application/json")


def test_a_method_the_endpoint_lacks_is_405(make_user):
    alice = make_user("alice")
    response = alice.delete("competitions/")
    error = error_of(response, 405, "method_not_allowed")
    assert error["message"] == 'Method "DELETE" not allowed.'
    assert "GET" in response.headers["Allow"]
    error_of(alice.put("me/"), 405, "method_not_allowed")


def test_malformed_json_is_400(make_user):
    alice = make_user("alice")
    response = alice.post(
        "me/tokens/", data=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    error = error_of(response, 400, "malformed_request")
    assert "JSON parse error" in error["message"]


def test_an_unknown_media_type_is_415(make_user):
    response = make_user().post(
        "me/tokens/", data=b"<name/>", headers={"Content-Type": "application/xml"}
    )
    error = error_of(response, 415, "unsupported_media_type")
    assert "application/xml" in error["message"]


def test_anonymous_writes_are_401_with_www_authenticate(api):
    for response in (
        api.post("competitions/titanic/join/"),
        api.post("me/tokens/", json={}),
        api.delete("me/tokens/1/"),
        api.get("me/"),
    ):
        error = error_of(response, 401, "not_authenticated")
        assert response.headers["WWW-Authenticate"] == 'Token realm="api"'
        assert "Authorization: Token <key>" in error["message"]


@pytest.mark.parametrize(
    "header, message",
    [
        ("Token pdm_" + "0" * 40, "This API key is not valid"),
        ("Token not-even-a-key", "This API key is not valid"),
        ("Bearer pdm_" + "f" * 40, "This API key is not valid"),
        ("Token", "Send the key as 'Authorization: Token <key>'"),
        ("Token a b", "Send the key as 'Authorization: Token <key>'"),
    ],
)
def test_a_bad_key_is_401_never_anonymous(api, header, message):
    # even where anonymous callers are welcome (the list of competitions)
    response = api.get("competitions/", headers={"Authorization": header})
    error = error_of(response, 401, "authentication_failed")
    assert error["message"].startswith(message)
    assert response.headers["WWW-Authenticate"] == 'Token realm="api"'


def test_a_key_of_a_deactivated_user_stops_working(api):
    user = UserFactory(username="alice")
    _, key = api_token_create(user=user)
    assert api.with_key(key).get("me/").status_code == 200
    user.is_active = False
    user.save()
    error_of(api.with_key(key).get("me/"), 401, "authentication_failed")


@pytest.mark.parametrize(
    "path",
    [
        "submissions/99999999999999999999999/",
        "me/tokens/99999999999999999999999/rotate/",
        "competitions/titanic/invitations/99999999999999999999999/accept/",
    ],
)
def test_huge_ids_are_not_found_not_a_crash(make_user, path, db):
    from tests.podium.factories import competition_with_solution

    competition_with_solution(rows=20, slug="titanic")
    alice = make_user("alice")
    alice.post("competitions/titanic/join/")
    response = alice.post(path) if path.endswith(("rotate/", "accept/")) else alice.get(path)
    assert response.status_code == 404, response.text
    error_of(response, 404)


def test_a_crash_is_a_500_in_the_error_shape_without_the_traceback(api, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("secret internals /srv/podium/db.sqlite3")

    monkeypatch.setattr(competition_selectors, "competition_cards", broken)
    with caplog.at_level(logging.ERROR, logger="podium.api"):
        response = api.get("competitions/")
    error = error_of(response, 500, "server_error")
    assert error["details"] == {}
    assert "Something went wrong on the server" in error["message"]
    for leak in ("secret internals", "RuntimeError", "Traceback", "sqlite3", 'File "'):
        assert leak not in response.text
    assert "secret internals" in caplog.text  # logged for the operators


def test_every_error_has_exactly_the_one_shape(api, make_user):
    """A sweep of refusals from every layer: DRF, Django, the services, the handler404."""
    alice = make_user("alice")
    responses = [
        api.get("/api/v1/nowhere/"),
        api.get("competitions/nope/"),
        api.post("me/tokens/"),
        alice.post("me/tokens/", json={"name": "x" * 500}),
        alice.delete("me/tokens/424242/"),
        alice.get("competitions/", params={"state": "nope"}),
        alice.get("competitions/", params={"page": "x"}),
        alice.patch("me/"),
    ]
    for response in responses:
        assert response.status_code >= 400
        error_of(response, response.status_code)
