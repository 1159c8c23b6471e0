"""The kaggle endpoints' limits: every request per address, refused keys per address (the
unauthenticated IntrospectToken included), 429 with Retry-After in the kaggle error shape."""

from __future__ import annotations

import pytest

from tests.podium.kaggle_compat.conftest import Kaggle

pytestmark = pytest.mark.django_db
OAUTH = "security.OAuthService"


@pytest.fixture
def rates(settings):
    def set_rates(**scopes: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **scopes}

    return set_rates


def refused(response, words: str) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 600
    body = response.json()
    assert body["code"] == 429 and body["message"].startswith(words), body


def test_introspect_token_guesses_are_limited(rates, settings):
    settings.PODIUM_PROXIES = 0
    rates(key_address="3/10m")
    guesser = Kaggle()
    for n in range(3):
        response = guesser.client.post(
            f"/api/v1/{OAUTH}/IntrospectToken",
            data=f'{{"token": "pdm_guess{n}"}}',
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert response.json() == {"active": False}
    refused(
        guesser.call("IntrospectToken", {"token": "pdm_guess9"}, OAUTH),
        "Too many API keys that do not work from your address.",
    )
    # wrong keys in the Authorization header count against the same budget
    refused(Kaggle("Bearer pdm_nope").call("ListCompetitions"), "Too many API keys")


def test_every_request_counts_per_address(rates):
    rates(kaggle_address="2/minute")
    anonymous = Kaggle()
    for _ in range(2):
        assert anonymous.call("ListCompetitions").status_code == 200
    refused(anonymous.call("ListCompetitions"), "Too many requests from your address.")
    refused(anonymous.call("IntrospectToken", {"token": "x"}, OAUTH), "Too many requests")
    refused(anonymous.get("/api/v1/kaggle/competitions/x/files.zip"), "Too many requests")
    other = Kaggle()
    other.client.defaults["REMOTE_ADDR"] = "192.0.2.5"
    assert other.call("ListCompetitions").status_code == 200
