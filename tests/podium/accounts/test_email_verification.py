"""Email verification: a signed, expiring link mailed through Django's email backend; only a
verified address counts for a competition's email-domain rule (tests/podium/competitions)."""

import re

import pytest
from django.urls import reverse

from podium.accounts.models import VerifiedEmail
from podium.accounts.selectors import verified_email_domains
from podium.accounts.services import (
    email_verification_send,
    email_verification_token,
    email_verify,
)
from podium.core.errors import Conflict, DomainError, PermissionDenied
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL_PAGE = reverse("web:email")
INVALID = (
    "This verification link is not valid. Copy the whole link from the email, or send a new one "
    "from your email page."
)
EXPIRED = "This verification link has expired. Send a new one from your email page."
OTHER_ACCOUNT = (
    "This verification link was sent for another account. Sign in as that account and open it "
    "again."
)


def link_in(mail) -> str:
    return re.search(r"http://testserver(/\S+)", mail.body).group(1)


def verify_url(token: str) -> str:
    return reverse("web:email_verify", kwargs={"token": token})


def test_the_emailed_link_verifies_the_address(client, mailoutbox):
    ada = UserFactory(username="ada", email="ada@home.example")
    client.force_login(ada)
    page = client.get(EMAIL_PAGE)
    assert "You have no verified email address yet." in page.content.decode()
    assert page.context["form"]["email"].value() == "ada@home.example"  # the account's, to start
    assert "verify it" in client.get(reverse("web:home")).content.decode()  # the prompt

    sent = client.post(EMAIL_PAGE, {"email": "  Ada@Corp.Example "}, follow=True)
    assert "We sent a link to ada@corp.example. Open it to verify the address." in (
        sent.content.decode()
    )
    [mail] = mailoutbox
    assert mail.to == ["ada@corp.example"]
    assert mail.subject == "Verify your email address for Podium"
    link = link_in(mail)
    assert not VerifiedEmail.objects.exists()  # nothing until the link is opened

    confirm = client.get(link)  # what a mail scanner would fetch: changes nothing
    assert confirm.status_code == 200 and "Verify <strong>ada@corp.example</strong>" in (
        confirm.content.decode()
    )
    assert not VerifiedEmail.objects.exists()
    done = client.post(link, follow=True)
    assert "ada@corp.example is verified." in done.content.decode()
    assert list(VerifiedEmail.objects.values_list("user__username", "email")) == [
        ("ada", "ada@corp.example")
    ]
    assert verified_email_domains(user=ada) == {"corp.example"}
    assert "✓ ada@corp.example" in client.get(EMAIL_PAGE).content.decode()
    assert "verify it" not in client.get(reverse("web:home")).content.decode()
    assert client.post(link).status_code == 302  # opening it again is harmless
    assert VerifiedEmail.objects.count() == 1


def test_an_expired_link_is_refused(client, settings):
    ada = UserFactory()
    token = email_verification_token(user=ada, email="ada@corp.example")
    settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS = -1  # any age is too old
    client.force_login(ada)
    for method in (client.get, client.post):
        response = method(verify_url(token))
        assert response.status_code == 400 and EXPIRED in response.content.decode()
    with pytest.raises(DomainError) as refused:
        email_verify(user=ada, token=token)
    assert (refused.value.code, refused.value.message) == ("email_link_expired", EXPIRED)
    assert not VerifiedEmail.objects.exists()


def test_an_altered_link_is_refused(client):
    ada = UserFactory()
    token = email_verification_token(user=ada, email="ada@corp.example")
    forged = token.replace("corp", "evil")  # nothing readable to change, but try
    client.force_login(ada)
    for bad in (token[:-2], forged + "x", "nonsense"):
        response = client.post(verify_url(bad))
        assert response.status_code == 400 and INVALID in response.content.decode()
    with pytest.raises(DomainError) as refused:
        email_verify(user=ada, token=token + "x")
    assert (refused.value.code, refused.value.message) == ("email_link_invalid", INVALID)
    assert not VerifiedEmail.objects.exists()


def test_a_link_made_for_another_account_is_refused(client):
    ada, eve = UserFactory(), UserFactory()
    token = email_verification_token(user=ada, email="ada@corp.example")
    client.force_login(eve)
    response = client.post(verify_url(token))
    assert response.status_code == 403 and OTHER_ACCOUNT in response.content.decode()
    with pytest.raises(PermissionDenied) as refused:
        email_verify(user=eve, token=token)
    assert refused.value.code == "email_link_other_account"
    assert not VerifiedEmail.objects.exists()


def test_an_invalid_or_already_verified_address_is_refused(client, mailoutbox):
    ada = UserFactory()
    client.force_login(ada)
    page = client.post(EMAIL_PAGE, {"email": "not an address"})
    assert "Enter a valid email address, e.g. ada@example.com." in page.content.decode()
    VerifiedEmail.objects.create(user=ada, email="ada@corp.example")
    page = client.post(EMAIL_PAGE, {"email": "ADA@corp.example"})
    assert "ada@corp.example is already verified." in page.content.decode()
    assert mailoutbox == []
    with pytest.raises(Conflict) as refused:
        email_verification_send(user=ada, email="ada@corp.example", link_for=str)
    assert refused.value.code == "email_already_verified"
    with pytest.raises(DomainError) as refused:
        email_verification_send(user=ada, email="", link_for=str)
    assert refused.value.code == "email_invalid"


def test_the_pages_need_a_login(client):
    token = email_verification_token(user=UserFactory(), email="ada@corp.example")
    for url in (EMAIL_PAGE, verify_url(token)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
