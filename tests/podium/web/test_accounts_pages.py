"""Sign-up (open, or limited to email domains), password reset by email, the profile and its
API tokens: through Django's test client."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from podium.accounts.models import ApiToken
from podium.accounts.signup import email_domain_allowed
from podium.accounts.tokens import api_token_authenticate, api_token_create
from podium.leaderboards.reveal import leaderboard_reveal
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    scored,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "analytical-engine-1843"


def sign_up(client, **fields):
    data = {
        "username": "ada",
        "email": "ada@example.com",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **fields,
    }
    return client.post(reverse("web:signup"), data)


# -- sign-up --------------------------------------------------------------------------------------


def test_sign_up_creates_the_account_signs_in_and_mails_a_verification_link(client):
    response = sign_up(client, next="/competitions/x/")
    assert response.status_code == 302 and response["Location"] == "/competitions/x/"
    user = User.objects.get(username="ada")
    assert user.email == "ada@example.com" and user.check_password(PASSWORD)
    home = client.get("/").content.decode()
    assert "Welcome to Podium, ada!" in home and 'href="/profile/"' in home
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    link = re.search(r"http://testserver(/account/email/verify/\S+/)", message.body).group(1)
    client.post(link)
    assert user.verified_emails.filter(email="ada@example.com").exists()


def test_sign_up_refusals_show_their_message_and_keep_the_form(client):
    UserFactory(username="grace", email="grace@example.com")
    cases = [
        ({"username": "grace"}, "The username grace is taken"),
        ({"username": "GRACE"}, "The username GRACE is taken"),
        ({"email": "grace@example.com"}, "There is already an account for grace@example.com"),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"username": "ada lovelace"}, "letters, digits and @ . + - _"),
        ({"password": "short", "password_again": "short"}, "too short"),
        ({"password_again": "something-else-1"}, "The two passwords differ"),
    ]
    for fields, message in cases:
        page = sign_up(client, **fields).content.decode()
        assert message in page, (fields, page[page.find("form-error") - 50 :][:400])
        assert 'value="ada@example.com"' in page or fields.get("email")  # typed values kept
    assert User.objects.count() == 1 and not mail.outbox


def test_sign_up_limited_to_email_domains(client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["corp.example", "@lab.example"]
    page = client.get(reverse("web:signup")).content.decode()
    assert "@corp.example" in page and "@lab.example" in page
    refused = sign_up(client, email="ada@gmail.example").content.decode()
    assert "Sign-up is open to addresses at @corp.example, @lab.example only" in refused
    assert not User.objects.exists()
    assert sign_up(client, email="ada@eu.corp.example").status_code == 302  # a subdomain counts
    assert User.objects.filter(email="ada@eu.corp.example").exists()


def test_email_domain_rule():
    assert email_domain_allowed("a@x.example", [])
    assert email_domain_allowed("a@X.Example", ["x.example"])
    assert email_domain_allowed("a@sub.x.example", ["x.example"])
    assert not email_domain_allowed("a@evilx.example", ["x.example"])
    assert not email_domain_allowed("a@x.example.evil", ["x.example"])


def test_sign_up_can_be_closed(client, settings):
    settings.SIGNUP_OPEN = False
    assert "Sign-up is closed" in client.get(reverse("web:signup")).content.decode()
    assert "Sign-up is closed" in sign_up(client).content.decode()
    assert not User.objects.exists()


def test_the_sign_in_page_links_sign_up_and_password_reset(client):
    page = client.get(reverse("web:login")).content.decode()
    assert reverse("web:signup") in page and reverse("web:password_reset") in page


# -- password reset -------------------------------------------------------------------------------


def test_password_reset_by_email(client):
    user = UserFactory(username="ada", email="ada@example.com")
    response = client.post(reverse("web:password_reset"), {"email": "ada@example.com"})
    assert response["Location"] == reverse("web:password_reset_done")
    [message] = mail.outbox
    assert message.subject == "Reset your Podium password" and "ada" in message.body
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode() and form.context["validlink"]
    mismatch = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "horse-battery-9", "new_password2": "horse-battery-8"},
    )
    assert "didn’t match" in mismatch.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "horse-battery-9", "new_password2": "horse-battery-9"},
    )
    assert done["Location"] == reverse("web:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("horse-battery-9")
    used = client.get(link, follow=True).content.decode()
    assert "This link is not valid any more" in used


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("web:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("web:password_reset_done")
    assert not mail.outbox


# -- the profile ----------------------------------------------------------------------------------


def test_the_profile_lists_competitions_with_ranks(client):
    competition = competition_with_solution(title="Ranked One", score_display_precision=3)
    ada, bob = participant(competition, "ada"), participant(competition, "bob")
    scored(bob, competition, 0.9, 0.1)
    scored(ada, competition, 0.8, 0.95)
    client.force_login(ada)
    page = client.get(reverse("web:profile")).content.decode()
    assert "Ranked One" in page and "#2" in page and "0.800" in page
    assert "0.950" not in page and "after the reveal" in page  # no private score before it


def test_the_profile_shows_the_final_rank_after_the_reveal(client):
    from datetime import timedelta

    from podium.competitions.models import Competition
    from podium.core.timeutils import now

    competition = competition_with_solution(score_display_precision=3)
    ada, bob = participant(competition, "ada"), participant(competition, "bob")
    scored(bob, competition, 0.9, 0.1)
    scored(ada, competition, 0.8, 0.95)
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    competition.refresh_from_db()
    assert leaderboard_reveal(competition=competition)
    client.force_login(ada)
    page = client.get(reverse("web:profile")).content.decode()
    assert "<strong>#1</strong>" in page and "0.950" in page


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get(reverse("web:profile"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_api_tokens_are_created_shown_once_rotated_and_revoked(client):
    ada = UserFactory(username="ada")
    client.force_login(ada)
    created = client.post(reverse("web:token_create"), {"name": "laptop"}, follow=True)
    page = created.content.decode()
    key = re.search(r'value="(pdm_[0-9a-f]+)"', page).group(1)
    assert api_token_authenticate(key) == ada
    assert "shown this once" in page and "laptop" in page
    again = client.get(reverse("web:profile")).content.decode()
    assert key not in again and key[:10] in again  # the prefix only, from now on

    token = ApiToken.objects.get(user=ada)
    rotated = client.post(reverse("web:token_change", args=[token.pk, "rotate"]), follow=True)
    new_key = re.search(r'value="(pdm_[0-9a-f]+)"', rotated.content.decode()).group(1)
    assert new_key != key and api_token_authenticate(key) is None
    assert api_token_authenticate(new_key) == ada

    client.post(reverse("web:token_change", args=[token.pk, "revoke"]))
    assert not ApiToken.objects.filter(user=ada).exists()
    assert api_token_authenticate(new_key) is None


def test_a_token_refusal_shows_the_service_message(client, settings):
    settings.API_TOKENS_PER_USER = 1
    ada, eve = UserFactory(username="ada"), UserFactory(username="eve")
    api_token_create(user=ada)
    theirs, _ = api_token_create(user=eve)
    client.force_login(ada)
    page = client.post(reverse("web:token_create"), follow=True).content.decode()
    assert "You already have 1 API tokens" in page
    other = client.post(reverse("web:token_change", args=[theirs.pk, "revoke"]), follow=True)
    assert f"You have no API token with id {theirs.pk}" in other.content.decode()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert client.post(reverse("web:token_change", args=[theirs.pk, "steal"])).status_code == 404
    assert client.get(reverse("web:token_create")).status_code == 405
