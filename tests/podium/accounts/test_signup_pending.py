"""Sign-up limited to email domains (issue 13): the typed address lets nobody in until it is
proved. The account is inactive (no sign-in, no domain-limited competition) until the link
mailed to the address is opened with the account's password; a pending sign-up never blocks the
address's real owner."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from podium.accounts.models import PendingSignup, VerifiedEmail
from podium.accounts.services import email_verification_token
from podium.accounts.signup import signup_confirm, user_signup
from podium.competitions.models import Competition
from podium.competitions.selectors import can_view
from podium.core.errors import Conflict, DomainError
from podium.core.timeutils import now
from podium.teams.models import Team
from tests.podium.factories import UserFactory, competition_with_solution

pytestmark = pytest.mark.django_db
User = get_user_model()
SQUATTER_PASSWORD = "not-the-ceo-1843"
OWNER_PASSWORD = "really-the-ceo-1843"


@pytest.fixture(autouse=True)
def limited(settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["corp.example"]


@pytest.fixture
def corp_only():
    return competition_with_solution(
        title="Corp only",
        visibility=Competition.Visibility.INVITE_ONLY,
        allowed_email_domains="corp.example",
    )


def sign_up(client, username="ceo", email="ceo@corp.example", password=SQUATTER_PASSWORD):
    data = {"username": username, "email": email, "password": password, "password_again": password}
    return client.post(reverse("web:signup"), data, follow=True)


def log_in(client, username="ceo", password=SQUATTER_PASSWORD):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def last_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"http://testserver(/account/email/verify/\S+/)", body).group(1)


def signed_in(client) -> bool:
    return client.get(reverse("web:profile")).status_code == 200


def join(client, competition):
    return client.post(reverse("web:join", kwargs={"slug": competition.slug}))


def test_a_domain_sign_up_can_neither_sign_in_nor_join_until_the_link_is_opened(client, corp_only):
    page = sign_up(client).content.decode()
    assert "we sent a link to ceo@corp.example" in page and "until then you cannot sign in" in page
    user = User.objects.get(username="ceo")
    assert not user.is_active and PendingSignup.objects.filter(user=user).exists()
    assert not VerifiedEmail.objects.exists()
    assert not signed_in(client)  # sign-up did not sign in

    refused = log_in(client)
    assert refused.status_code == 200 and not signed_in(client)
    text = refused.content.decode()
    assert "Confirm your address first: we sent a link to ceo@corp.example" in text
    assert reverse("web:signup_resend") + "?username=ceo" in text
    assert "Please enter a correct username" in log_in(client, password="wrong").content.decode()

    # Even a session forced onto the account, or a stray verified row, opens nothing.
    assert not can_view(user, corp_only)
    client.force_login(user)
    assert not signed_in(client)  # Django drops an inactive user's session
    assert join(client, corp_only).status_code in (302, 404)
    assert not Team.objects.filter(memberships__user=user).exists()
    VerifiedEmail.objects.create(user=user, email="ceo@corp.example")
    assert not can_view(User.objects.get(pk=user.pk), corp_only)
    VerifiedEmail.objects.all().delete()
    client.logout()

    # The link: the page asks for the password (a mail scanner's GET changes nothing).
    link = last_link()
    confirm = client.get(link)
    assert confirm.status_code == 200 and "ceo@corp.example" in confirm.content.decode()
    assert "password" in confirm.content.decode().lower()
    assert not User.objects.get(pk=user.pk).is_active
    wrong = client.post(link, {"password": "guess-1234567"})
    assert wrong.status_code == 403 and not User.objects.get(pk=user.pk).is_active
    done = client.post(link, {"password": SQUATTER_PASSWORD}, follow=True)
    assert "ceo@corp.example is verified. Welcome to Podium, ceo!" in done.content.decode()

    user.refresh_from_db()
    assert user.is_active and not PendingSignup.objects.exists()
    assert list(user.verified_emails.values_list("email", flat=True)) == ["ceo@corp.example"]
    assert signed_in(client) and can_view(user, corp_only)
    assert join(client, corp_only).status_code == 302
    assert Team.objects.filter(competition=corp_only, memberships__user=user).exists()
    client.logout()
    assert log_in(client).status_code == 302 and signed_in(client)
    # The used link is now an ordinary verification link of an active account: harmless.
    assert client.post(link).status_code == 302
    assert VerifiedEmail.objects.count() == 1


def test_the_address_owner_clicking_a_squatters_link_activates_nothing(client):
    sign_up(client)  # the squatter, with a password the owner does not know
    link = last_link()
    client.post(link, {"password": OWNER_PASSWORD})
    assert not User.objects.get(username="ceo").is_active


def test_the_real_owner_signs_up_again_at_once_and_the_squatters_link_dies(client):
    sign_up(client)  # the squatter
    squatters_link = last_link()
    page = sign_up(client, username="jane", password=OWNER_PASSWORD).content.decode()
    assert "we sent a link to ceo@corp.example" in page
    assert list(User.objects.values_list("username", flat=True)) == ["jane"]
    stale = client.post(squatters_link, {"password": SQUATTER_PASSWORD})
    assert "no longer finishes a sign-up" in stale.content.decode()
    client.post(last_link(), {"password": OWNER_PASSWORD})
    jane = User.objects.get(username="jane")
    assert jane.is_active and jane.verified_emails.filter(email="ceo@corp.example").exists()
    # Once verified, the address is taken for good.
    with pytest.raises(Conflict):
        user_signup(username="ceo2", email="ceo@corp.example", password=SQUATTER_PASSWORD)


def test_an_expired_pending_sign_up_holds_its_username_no_longer(settings):
    user_signup(username="ceo", email="ceo@corp.example", password=SQUATTER_PASSWORD)
    with pytest.raises(Conflict):  # while its link works, the username is held
        user_signup(username="ceo", email="jane@corp.example", password=OWNER_PASSWORD)
    PendingSignup.objects.update(
        created_at=now() - timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS + 1)
    )
    user = user_signup(username="ceo", email="jane@corp.example", password=OWNER_PASSWORD)
    assert list(User.objects.values_list("email", flat=True)) == ["jane@corp.example"]
    assert user.pending_signup.email == "jane@corp.example"


def test_a_deactivated_account_is_never_taken_for_a_pending_sign_up():
    UserFactory(username="ceo", email="ceo@corp.example", is_active=False)
    with pytest.raises(Conflict):
        user_signup(username="x", email="ceo@corp.example", password=OWNER_PASSWORD)
    ceo = User.objects.get(username="ceo")
    token = email_verification_token(user=ceo, email="ceo@corp.example")
    with pytest.raises(DomainError):
        signup_confirm(token=token, password="anything")
    assert User.objects.filter(username="ceo", is_active=False).exists()


def test_resend_mails_a_new_link_to_the_signed_up_address(client):
    sign_up(client)
    mail.outbox.clear()
    refused = client.post(
        reverse("web:signup_resend"), {"username": "ceo", "password": "wrong-1234567"}
    )
    assert "No sign-up waiting for its address" in refused.content.decode() and not mail.outbox
    sent = client.post(
        reverse("web:signup_resend"),
        {"username": "ceo", "password": SQUATTER_PASSWORD},
        follow=True,
    )
    assert "We sent a new link to ceo@corp.example" in sent.content.decode()
    [message] = mail.outbox
    assert message.to == ["ceo@corp.example"]
    client.post(last_link(), {"password": SQUATTER_PASSWORD})
    assert User.objects.get(username="ceo").is_active


def test_password_reset_neither_mails_nor_activates_a_pending_sign_up(client):
    sign_up(client)
    mail.outbox.clear()
    client.post(reverse("web:password_reset"), {"email": "ceo@corp.example"})
    assert not mail.outbox  # Django mails active accounts only
    assert not User.objects.get(username="ceo").is_active


def test_without_a_domain_limit_sign_up_still_signs_in_at_once(client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = []
    sign_up(client, email="ada@home.example")
    user = User.objects.get(username="ceo")
    assert user.is_active and not PendingSignup.objects.exists() and signed_in(client)
    token = email_verification_token(user=user, email="ada@home.example")
    with pytest.raises(DomainError):  # an active account's link finishes no sign-up
        signup_confirm(token=token, password=SQUATTER_PASSWORD)
