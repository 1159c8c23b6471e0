"""Company access: public, invite-only through a secret link, or open to verified email
domains; everyone else gets a 404 everywhere; organizers are a group of co-hosts."""

import pytest
from django.urls import reverse

from podium.accounts.models import VerifiedEmail
from podium.accounts.services import email_verification_token, email_verify
from podium.competitions.models import Competition
from podium.competitions.selectors import can_view, competition_cards, competition_list
from podium.competitions.services import (
    competition_invitation_accept,
    competition_invitation_rotate,
    competition_organizers_set,
)
from podium.core.errors import NotFound, PermissionDenied
from podium.teams.models import Team
from podium.teams.services import competition_join
from tests.podium.adminforms import form_data
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    organizer,
    superuser,
)

pytestmark = pytest.mark.django_db

TABS = ("overview", "data", "evaluation", "rules", "leaderboard", "submit", "my_submissions")


def url(view: str, competition, **kwargs) -> str:
    return reverse(f"web:{view}", kwargs={"slug": competition.slug, **kwargs})


def invite_url(competition, token: str | None = None) -> str:
    return url("invitation", competition, token=token or competition.invitation_token)


def not_found(response, competition) -> bool:
    return response.status_code == 404 and (
        f"There is no competition called &#x27;{competition.slug}&#x27;."
        in response.content.decode()
    )


def hidden_everywhere(client, competition) -> bool:
    """Every page, the data download and joining answer as for a competition that does not
    exist."""
    responses = [client.get(url(tab, competition)) for tab in TABS]
    responses.append(client.get(url("data_download", competition, name="sample_submission.csv")))
    responses.append(client.post(url("join", competition)))
    return all(not_found(r, competition) for r in responses)


@pytest.fixture
def secret():
    return competition_with_solution(
        title="Secret",
        visibility=Competition.Visibility.INVITE_ONLY,
        allowed_email_domains="corp.example, @Lab.Example",
    )


# -- invite-only: invisible to everyone else ------------------------------------------------------


def test_an_invite_only_competition_is_a_404_everywhere_for_outsiders(client, secret):
    outsider = UserFactory(email="eve@corp.example")  # the right domain, but not verified
    client.force_login(outsider)
    assert hidden_everywhere(client, secret)
    assert competition_cards(user=outsider) == []
    assert competition_list(user=outsider) == []
    with pytest.raises(NotFound) as refused:
        competition_join(user=outsider, competition=secret)
    assert refused.value.code == "competition_not_found"
    assert refused.value.message == f"There is no competition called {secret.slug!r}."
    assert not Team.objects.filter(competition=secret).exists()
    client.logout()
    assert all(not_found(client.get(url(tab, secret)), secret) for tab in TABS[:5])


# -- the invitation link ---------------------------------------------------------------------------


def test_the_invitation_link_lets_a_signed_in_user_in(client, secret):
    guest = UserFactory()
    client.force_login(guest)
    response = client.get(invite_url(secret))
    assert response.status_code == 302 and response["Location"] == url("overview", secret)
    assert secret.invited_users.filter(pk=guest.pk).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "You are invited to Secret. Read its rules to join." in page.content.decode()
    assert [card.slug for card in competition_cards(user=guest)] == [secret.slug]
    assert client.post(url("join", secret)).status_code == 302  # and join it
    assert Team.objects.filter(competition=secret, memberships__user=guest).exists()
    download = client.get(url("data_download", secret, name="sample_submission.csv"))
    assert download.status_code == 200
    assert client.get(invite_url(secret)).status_code == 302  # opening it again is harmless
    assert secret.invited_users.count() == 1


def test_the_invitation_link_needs_a_login(client, secret):
    response = client.get(invite_url(secret))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    assert not secret.invited_users.exists()


def test_a_wrong_token_or_slug_is_a_404(client, secret):
    guest = UserFactory()
    client.force_login(guest)
    for token in ("wrong", secret.invitation_token[:-1], secret.invitation_token + "x", "é"):
        assert not_found(client.get(invite_url(secret, token)), secret), token
    other = competition_with_solution(visibility=Competition.Visibility.INVITE_ONLY)
    assert not_found(client.get(invite_url(secret, other.invitation_token)), secret)
    response = client.get(reverse("web:invitation", kwargs={"slug": "nope", "token": "x"}))
    assert response.status_code == 404
    assert not secret.invited_users.exists() and not other.invited_users.exists()
    with pytest.raises(NotFound) as refused:
        competition_invitation_accept(user=guest, slug=secret.slug, token="wrong")
    assert refused.value.message == f"There is no competition called {secret.slug!r}."


def test_a_rotated_link_stops_working_and_the_new_one_works(client, secret):
    host = organizer(secret)
    early, late = UserFactory(), UserFactory()
    old = secret.invitation_token
    competition_invitation_accept(user=early, slug=secret.slug, token=old)
    new = competition_invitation_rotate(competition=secret, by=host)
    assert new != old and Competition.objects.get(pk=secret.pk).invitation_token == new
    client.force_login(late)
    assert not_found(client.get(invite_url(secret, old)), secret)
    assert hidden_everywhere(client, secret)
    assert client.get(invite_url(secret, new)).status_code == 302
    assert client.get(url("overview", secret)).status_code == 200
    assert can_view(early, secret)  # whoever the old link let in stays invited


def test_only_organizers_rotate_the_link(secret):
    with pytest.raises(PermissionDenied) as refused:
        competition_invitation_rotate(competition=secret, by=UserFactory())
    assert refused.value.code == "not_an_organizer"
    assert refused.value.message == "Only the organizers of Secret can change its invitation link."


# -- the email-domain rule: verified addresses only --------------------------------------------


def test_the_domain_rule_counts_verified_addresses_only(client, secret):
    worker = UserFactory(email="kim@corp.example")
    client.force_login(worker)
    assert not can_view(worker, secret)  # the account's address, unverified
    assert hidden_everywhere(client, secret)

    token = email_verification_token(user=worker, email="kim@corp.example")
    email_verify(user=worker, token=token)
    assert can_view(worker, secret)
    assert all(client.get(url(tab, secret)).status_code == 200 for tab in TABS)
    assert [card.slug for card in competition_cards(user=worker)] == [secret.slug]

    # A verified address elsewhere opens nothing; the domains list is case- and '@'-blind.
    stranger = UserFactory(email="kim@corp.example")
    VerifiedEmail.objects.create(user=stranger, email="kim@corp.example.org")
    assert not can_view(stranger, secret)
    VerifiedEmail.objects.create(user=stranger, email="kim@lab.example")
    assert can_view(stranger, secret)


def test_organizers_superusers_and_members_see_it(secret):
    cohost = organizer(secret)
    assert can_view(cohost, secret) and can_view(superuser(), secret)
    member = UserFactory()
    competition_invitation_accept(user=member, slug=secret.slug, token=secret.invitation_token)
    competition_join(user=member, competition=secret)
    secret.invited_users.remove(member)  # whoever got in stays in: their team is there
    assert can_view(member, secret)
    assert not can_view(UserFactory(), secret)


def test_a_public_competition_is_open_to_everyone(client):
    public = competition_with_solution()
    assert can_view(UserFactory(), public)
    assert client.get(url("overview", public)).status_code == 200


# -- the admin: the link, its rotation, the co-hosts ---------------------------------------------


def change_url(competition) -> str:
    return reverse("admin:competitions_competition_change", args=[competition.pk])


def test_organizers_see_and_rotate_the_link_in_the_admin(client, secret):
    host = organizer(secret)
    client.force_login(host)
    page = client.get(change_url(secret))
    link = f"http://testserver/competitions/{secret.slug}/invite/{secret.invitation_token}/"
    assert link in page.content.decode()
    old = secret.invitation_token
    data = form_data(page, rotate_invitation_link="on")
    saved = client.post(change_url(secret), data, follow=True)
    assert "The invitation link was rotated: the old link no longer works." in (
        saved.content.decode()
    )
    secret.refresh_from_db()
    assert secret.invitation_token != old
    assert secret.invitation_token in client.get(change_url(secret)).content.decode()
    # Saving without the box keeps the link (the shown link field is not an input of it).
    client.post(change_url(secret), form_data(client.get(change_url(secret)), invitation_link="x"))
    assert Competition.objects.get(pk=secret.pk).invitation_token == secret.invitation_token


def test_a_new_competition_shows_no_link_yet(client):
    client.force_login(superuser())
    page = client.get(reverse("admin:competitions_competition_add"))
    assert page.status_code == 200
    assert "Invitation link" not in page.content.decode()
    assert "Rotate the invitation link" not in page.content.decode()


def test_any_organizer_adds_an_existing_organizer_as_co_host_who_then_uses_the_admin(
    client, secret
):
    host = organizer(secret)
    cohost = organizer()  # an organizer (made one by a superuser), of no competition yet
    client.force_login(host)
    data = form_data(client.get(change_url(secret)), organizers=[str(host.pk), str(cohost.pk)])
    assert client.post(change_url(secret), data).status_code == 302
    assert set(secret.organizers.all()) == {host, cohost}
    client.force_login(cohost)
    assert client.get(change_url(secret)).status_code == 200  # the co-host manages it now
    assert can_view(cohost, secret)

    # The co-host removes the first organizer; an organizer cannot remove themselves here.
    data = form_data(client.get(change_url(secret)), organizers=[str(host.pk)])
    client.post(change_url(secret), data)
    assert set(secret.organizers.all()) == {host, cohost}
    data = form_data(client.get(change_url(secret)), organizers=[str(cohost.pk)])
    client.post(change_url(secret), data)
    assert set(secret.organizers.all()) == {cohost}
    client.force_login(host)
    assert client.get(change_url(secret)).status_code == 404


def test_only_organizers_change_the_organizers(secret):
    host = organizer(secret)
    with pytest.raises(PermissionDenied) as refused:
        competition_organizers_set(competition=secret, users=[host], by=organizer())
    assert refused.value.message == "Only the organizers of Secret can change its organizers."
    assert competition_organizers_set(competition=secret, users=[], by=superuser()) == []
    assert not secret.organizers.exists()  # superusers organize everything anyway
