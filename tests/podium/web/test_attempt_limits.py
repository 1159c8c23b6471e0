"""Guessing limits on the web's credential surfaces: /login/, /admin/login/, password reset,
verification and invitation links (podium.accounts.guards over podium.core.limits)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from podium.core import limits
from tests.podium.factories import UserFactory, competition_with_solution

pytestmark = pytest.mark.django_db
PASSWORD = "analytical-engine-1843"


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 36_000_000.0}  # the start of every window used here
    monkeypatch.setattr(limits, "_now", lambda: now["t"])
    return now


@pytest.fixture
def rates(settings):
    def set_rates(**scopes: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **scopes}

    return set_rates


def login(client, username, password, path="/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def limited(response, words: str) -> int:
    assert response.status_code in (200, 429), response.status_code
    assert words in response.content.decode()
    if response.status_code == 429:
        return int(response["Retry-After"])
    return 0


def test_spoofed_forwarded_for_does_not_bypass_the_address_limit(client, rates, clock, settings):
    settings.PODIUM_PROXIES = 0
    rates(login_address="3/10m", login_account="")
    UserFactory(username="ada", password=PASSWORD)
    for n in range(3):
        response = login(client, f"user{n}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 200 and "correct username" in response.content.decode()
    response = login(client, "ada", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 600
    assert "Too many failed sign-ins from your address. Try again in 10 minutes." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    # from another address (the real user's), the right password works
    assert login(client, "ada", PASSWORD, REMOTE_ADDR="192.0.2.5").status_code == 302


def test_with_a_trusted_proxy_the_address_it_saw_counts(client, rates, clock, settings):
    settings.PODIUM_PROXIES = 1
    rates(login_address="2/10m", login_account="")
    UserFactory(username="ada", password=PASSWORD)
    for _ in range(2):
        login(client, "x", "wrong", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    spoofed = login(client, "x", "wrong", HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.7")
    assert spoofed.status_code == 429  # the client's own entry changes nothing
    other = login(client, "ada", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302


def test_the_account_limit_is_short_and_the_real_user_gets_back_in(client, rates, clock):
    rates(login_address="", login_account="3/5m")
    UserFactory(username="ada", password=PASSWORD)
    for n in range(3):  # a burst from three addresses
        login(client, "ADA", f"guess{n}", REMOTE_ADDR=f"198.51.100.{n}")
    response = login(client, "ada", PASSWORD, REMOTE_ADDR="192.0.2.5")
    wait = limited(response, "Too many failed sign-ins for this account. Try again in 5 minutes.")
    assert response.status_code == 429 and wait == 300
    clock["t"] += 300  # the short window is over
    assert login(client, "ada", PASSWORD, REMOTE_ADDR="192.0.2.5").status_code == 302


def test_a_correct_password_is_not_counted(client, rates, clock):
    rates(login_address="2/10m", login_account="2/5m")
    UserFactory(username="ada", password=PASSWORD)
    for _ in range(4):
        assert login(client, "ada", PASSWORD).status_code == 302
        client.logout()


def test_admin_login_is_limited(client, rates, clock):
    rates(login_address="2/10m")
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(2):
        login(client, "root", "wrong", path="/admin/login/")
    response = login(client, "root", PASSWORD, path="/admin/login/")
    limited(response, "Too many failed sign-ins from your address.")
    assert "_auth_user_id" not in client.session
    clock["t"] += 600
    assert login(client, "root", PASSWORD, path="/admin/login/").status_code == 302


def test_password_reset_requests_are_limited_per_email_and_per_address(client, rates, clock):
    rates(reset_email="2/hour", reset_address="3/hour")
    UserFactory(username="ada", email="ada@example.com")
    url = reverse("web:password_reset")
    for _ in range(2):
        assert client.post(url, {"email": "ada@example.com"}).status_code == 302
    response = client.post(url, {"email": "ADA@example.com"})
    assert response.status_code == 429 and int(response["Retry-After"]) == 3600
    assert "Too many password-reset requests for this email address. Try again in 60 minutes." in (
        response.content.decode()
    )
    assert len(mail.outbox) == 2
    assert client.post(url, {"email": "other@example.com"}).status_code == 302  # 3rd from here
    response = client.post(url, {"email": "third@example.com"})
    limited(response, "Too many password-reset requests from your address.")
    assert response.status_code == 429


def test_wrong_invitation_links_are_limited_per_address(client, rates, clock):
    rates(link_address="3/10m")
    competition = competition_with_solution()
    client.force_login(UserFactory())
    for n in range(3):
        url = reverse("web:invitation", kwargs={"slug": competition.slug, "token": f"wrong{n}"})
        assert client.get(url).status_code == 404
    right = reverse(
        "web:invitation", kwargs={"slug": competition.slug, "token": competition.invitation_token}
    )
    response = client.get(right)
    assert response.status_code == 429 and int(response["Retry-After"]) == 600
    assert "Too many links that did not work were opened from your address." in (
        response.content.decode()
    )
    assert client.get(right, REMOTE_ADDR="192.0.2.5").status_code == 302  # another address


def test_wrong_verification_links_are_limited_per_address(client, rates, clock):
    rates(link_address="2/10m")
    client.force_login(UserFactory())
    for n in range(2):
        url = reverse("web:email_verify", kwargs={"token": f"wrong{n}"})
        assert client.get(url).status_code in (400, 404)
    response = client.get(reverse("web:email_verify", kwargs={"token": "wrong9"}))
    assert response.status_code == 429 and response["Retry-After"] == "600"
