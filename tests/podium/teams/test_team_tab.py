"""The Team tab, through Django's test client: what it shows, and each form's POST coming back
with the service's message (what was done, or the refusal word for word)."""

import html

import pytest
from django.urls import reverse

from podium.teams import services as team_services
from podium.teams.models import Invitation, JoinRequest, MergeRequest, Team
from podium.teams.selectors import team_for_user
from podium.workflows import team_joins
from tests.podium.factories import CompetitionFactory, UserFactory, participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    return CompetitionFactory(title="Titanic", max_team_size=2)


def url(name: str, competition, **kwargs) -> str:
    return reverse(f"web:{name}", kwargs={"slug": competition.slug, **kwargs})


def answer_url(competition, kind: str, pk: int, answer: str) -> str:
    return url("team_answer", competition, kind=kind, pk=pk, answer=answer)


def text(response) -> str:
    return html.unescape(response.content.decode())


def post(client, path: str, data: dict | None = None) -> str:
    response = client.post(path, data or {}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/team/")
    return text(response)


def team_of(user, competition) -> Team:
    return team_for_user(user=user, competition=competition)


def test_anonymous_visitors_are_asked_to_sign_in(client, competition):
    page = text(client.get(url("team", competition)))
    assert "Sign in to see your team" in page


def test_the_tab_shows_the_team_its_members_and_the_leaders_forms(client, competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    invitation = team_services.invitation_create(
        user=alice, team=team_of(alice, competition), invitee="bob"
    )
    team_joins.invitation_accept(user=bob, invitation=invitation)
    client.force_login(alice)
    page = text(client.get(url("team", competition)))
    assert 'aria-current="page">Team</a>' in page
    assert "2 of 2 places taken" in page
    assert 'alice <span class="badge">leader</span>' in page and "bob" in page
    assert "Invite someone" in page and "Hand over the leadership" in page
    client.force_login(bob)
    page = text(client.get(url("team", competition)))
    assert "Invite someone" not in page and "Leave “alice”" in page


def test_accepting_an_invitation_needs_the_rules_and_then_joins(client, competition):
    alice = participant(competition, "alice")
    newcomer = UserFactory(username="newcomer")
    invitation = team_services.invitation_create(
        user=alice, team=team_of(alice, competition), invitee="newcomer"
    )
    client.force_login(newcomer)
    page = text(client.get(url("team", competition)))
    assert "Invitations for you" in page and 'name="accept_rules"' in page
    accept = answer_url(competition, "invitations", invitation.pk, "accept")
    assert "To join “alice” you must accept the rules of Titanic." in post(client, accept)
    page = post(client, accept, {"accept_rules": "on"})
    assert "Welcome to “alice”!" in page and "2 of 2 places taken" in page
    assert team_of(newcomer, competition) == team_of(alice, competition)


def test_declining_an_invitation(client, competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    invitation = team_services.invitation_create(
        user=alice, team=team_of(alice, competition), invitee="bob"
    )
    client.force_login(bob)
    page = post(client, answer_url(competition, "invitations", invitation.pk, "decline"))
    assert "You declined the invitation to “alice”." in page
    page = post(client, answer_url(competition, "invitations", invitation.pk, "accept"))
    assert "This invitation was already declined." in page


def test_inviting_renaming_and_their_refusals(client, competition):
    alice = participant(competition, "alice")
    participant(competition, "bob")
    UserFactory(username="carl")
    client.force_login(alice)
    assert "There is no user called “nobody”." in post(
        client, url("team_invite", competition), {"invitee": "nobody"}
    )
    assert "carl is invited to “alice”." in post(
        client, url("team_invite", competition), {"invitee": "carl"}
    )
    assert "The name “BOB” is already taken in Titanic." in post(
        client, url("team_rename", competition), {"name": "BOB"}
    )
    page = post(client, url("team_rename", competition), {"name": "Deep Blue"})
    assert "Your team is now called “Deep Blue”." in page and "<h2>Deep Blue</h2>" in page
    invitation = Invitation.objects.get()
    assert "The invitation to carl is cancelled." in post(
        client, answer_url(competition, "invitations", invitation.pk, "cancel")
    )


def test_join_requests_asked_accepted_and_declined(client, competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    carl = participant(competition, "carl")
    client.force_login(bob)
    assert "There is no team called “nope” in Titanic." in post(
        client, url("team_join_request", competition), {"team": "nope"}
    )
    assert "You asked to join “alice”; its leader will answer." in post(
        client, url("team_join_request", competition), {"team": "ALICE"}
    )
    client.force_login(carl)
    post(client, url("team_join_request", competition), {"team": "alice"})
    from_bob, from_carl = JoinRequest.objects.order_by("pk")

    client.force_login(bob)
    assert "Only the leader of “alice”, alice, can answer requests to join the team." in post(
        client, answer_url(competition, "join-requests", from_carl.pk, "accept")
    )
    client.force_login(alice)
    page = text(client.get(url("team", competition)))
    assert "Requests to join your team" in page
    assert "bob joined “alice”." in post(
        client, answer_url(competition, "join-requests", from_bob.pk, "accept")
    )
    assert "“alice” already has 2 members; this competition allows 2." in post(
        client, answer_url(competition, "join-requests", from_carl.pk, "accept")
    )
    assert "You declined carl's request to join." in post(
        client, answer_url(competition, "join-requests", from_carl.pk, "decline")
    )


def test_merge_preview_request_and_acceptance(client, competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    carl = participant(competition, "carl")
    client.force_login(alice)
    page = text(client.get(url("team", competition), {"merge_with": "bob"}))
    assert "“alice” can merge into “bob”: 2 of 2 members" in page
    page = text(client.get(url("team", competition), {"merge_with": "alice"}))
    assert "A team cannot merge with itself." in page
    assert "You asked “bob” to merge with your team; its leader will answer." in post(
        client, url("team_merge_request", competition), {"team": "bob"}
    )
    client.force_login(carl)
    post(client, url("team_merge_request", competition), {"team": "bob"})
    from_alice, from_carl = MergeRequest.objects.order_by("pk")

    client.force_login(bob)
    page = text(client.get(url("team", competition)))
    assert "Teams asking to merge into yours" in page and "carl" in page
    assert "“alice” merged into “bob”." in post(
        client, answer_url(competition, "merge-requests", from_alice.pk, "accept")
    )
    # carl's request is now refused, and the tab says why next to it.
    page = text(client.get(url("team", competition)))
    assert "Merging would give 3 members; this competition allows 2." in page
    assert "Merging would give 3 members; this competition allows 2." in post(
        client, answer_url(competition, "merge-requests", from_carl.pk, "accept")
    )
    assert "You declined the merge request of “carl”." in post(
        client, answer_url(competition, "merge-requests", from_carl.pk, "decline")
    )
    assert set(team_of(bob, competition).memberships.values_list("user__username", flat=True)) == {
        "alice",
        "bob",
    }


def test_merging_is_refused_with_the_reason_shown(client, competition):
    alice = participant(competition, "alice")
    participant(competition, "bob")
    team_joins.invitation_accept(
        user=participant(competition, "carl"),
        invitation=team_services.invitation_create(
            user=alice, team=team_of(alice, competition), invitee="carl"
        ),
    )
    client.force_login(alice)
    page = text(client.get(url("team", competition), {"merge_with": "bob"}))
    assert "“alice” cannot merge into “bob”:" in page
    assert "Merging would give 3 members; this competition allows 2." in page
    assert "Merging would give 3 members; this competition allows 2." in post(
        client, url("team_merge_request", competition), {"team": "bob"}
    )
    assert not MergeRequest.objects.exists()


def test_leave_and_transfer(client, competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    team_joins.invitation_accept(
        user=bob,
        invitation=team_services.invitation_create(
            user=alice, team=team_of(alice, competition), invitee="bob"
        ),
    )
    client.force_login(alice)
    assert "You lead “alice”: make another member the leader before you leave." in post(
        client, url("team_leave", competition)
    )
    assert "nobody is not a member of “alice”." in post(
        client, url("team_transfer", competition), {"username": "nobody"}
    )
    assert "bob now leads “alice”." in post(
        client, url("team_transfer", competition), {"username": "bob"}
    )
    page = post(client, url("team_leave", competition))
    assert "You left “alice”. You are now in a team of your own, “alice (2)”." in page


def test_unknown_actions_and_other_competitions_requests(client, competition):
    alice = participant(competition, "alice")
    client.force_login(alice)
    assert client.post(answer_url(competition, "teams", 1, "accept")).status_code == 404
    assert client.post(answer_url(competition, "invitations", 1, "explode")).status_code == 404
    other = CompetitionFactory(title="Other")
    lead = participant(other, "lead")
    elsewhere = team_services.invitation_create(
        user=lead, team=team_of(lead, other), invitee="alice"
    )
    assert "This invitation no longer exists." in post(
        client, answer_url(competition, "invitations", elsewhere.pk, "accept")
    )
    assert client.get(url("team_leave", competition)).status_code == 405
