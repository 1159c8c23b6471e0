"""The team rules without merges: renaming, invitations, join requests, leaving, leadership.

Every refusal is asserted with its code and its exact message. Merges (and joining with a solo
team that has submissions) are in tests/podium/leaderboards/test_team_merges.py; two people
taking the last place at once in test_concurrency.py.
"""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from podium.competitions.models import RuleAcceptance
from podium.core.errors import DomainError
from podium.core.timeutils import now
from podium.teams import services
from podium.teams.models import Invitation, JoinRequest, Membership, RequestStatus, Team
from podium.teams.selectors import team_for_user, team_page
from podium.workflows import team_joins
from tests.podium.factories import (
    CompetitionFactory,
    UserFactory,
    competition_with_solution,
    participant,
    submit,
)

pytestmark = pytest.mark.django_db

PAST_DEADLINE = datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
CLOSED = (
    "The team merger deadline of {title} was 5 Mar 2024, 12:30 UTC; teams can no longer merge "
    "or take new members."
)


def team_of(user, competition) -> Team:
    return team_for_user(user=user, competition=competition)


@contextmanager
def refused(code: str, message: str):
    """The block raises a DomainError with exactly this code and message."""
    with pytest.raises(DomainError) as info:
        yield info
    assert (info.value.code, info.value.message) == (code, message)


@pytest.fixture
def competition():
    return CompetitionFactory(title="Titanic", max_team_size=3)


@pytest.fixture
def alice(competition):
    return participant(competition, "alice")


@pytest.fixture
def bob(competition):
    return participant(competition, "bob")


def invite(leader, competition, who: str) -> Invitation:
    return services.invitation_create(user=leader, team=team_of(leader, competition), invitee=who)


def team_with(competition, leader, *others) -> Team:
    """``leader``'s team with ``others`` in it (each joins by an accepted invitation)."""
    for other in others:
        team_joins.invitation_accept(
            user=other, invitation=invite(leader, competition, other.username), accept_rules=True
        )
    return team_of(leader, competition)


# -- renaming --------------------------------------------------------------------------------------


def test_the_leader_renames_the_team(competition, alice):
    team = services.team_rename(user=alice, team=team_of(alice, competition), name="  Deep   Blue ")
    assert team.name == "Deep Blue"
    assert Team.objects.get(pk=team.pk).name == "Deep Blue"


def test_rename_refusals(competition, alice, bob):
    team = team_with(competition, alice, UserFactory(username="carl"))
    carl = team.memberships.get(user__username="carl").user
    with refused("not_team_leader", "Only the leader of “alice”, alice, can rename the team."):
        services.team_rename(user=carl, team=team, name="Mine")
    with refused("team_name_invalid", "A team name cannot be empty."):
        services.team_rename(user=alice, team=team, name="   ")
    with refused(
        "team_name_invalid", "A team name can have at most 100 characters; this one has 101."
    ):
        services.team_rename(user=alice, team=team, name="x" * 101)
    with refused("team_name_taken", "The name “BOB” is already taken in Titanic."):
        services.team_rename(user=alice, team=team, name="BOB")
    assert Team.objects.get(pk=team.pk).name == "alice"


# -- invitations -----------------------------------------------------------------------------------


def test_invite_by_username_or_email_and_again_returns_the_same_invitation(competition, alice):
    dave = UserFactory(username="dave", email="Dave@Example.com")
    first = invite(alice, competition, "dave")
    assert (first.status, first.invitee, first.invited_by, first.team_name) == (
        RequestStatus.PENDING,
        dave,
        alice,
        "alice",
    )
    assert invite(alice, competition, "dave@example.COM") == first
    assert Invitation.objects.count() == 1


def test_invitation_refusals(competition, alice, bob):
    UserFactory(username="twin1", email="twin@example.com")
    UserFactory(username="twin2", email="twin@example.com")
    with refused(
        "not_team_leader", "Only the leader of “alice”, alice, can invite people to the team."
    ):
        services.invitation_create(user=bob, team=team_of(alice, competition), invitee="carl")
    with refused("user_not_found", "There is no user called “nobody”."):
        invite(alice, competition, "nobody")
    with refused("user_not_found", "No account uses the email address “no@where.org”."):
        invite(alice, competition, "no@where.org")
    with refused(
        "user_ambiguous",
        "Several accounts use the email address “twin@example.com”; invite by username instead.",
    ):
        invite(alice, competition, "twin@example.com")
    with refused("user_not_found", "Type the username or email address of who to invite."):
        invite(alice, competition, "  ")
    with refused("already_in_team", "alice is already in “alice”."):
        invite(alice, competition, "alice")


def test_nobody_is_invited_to_a_full_team(competition, alice):
    team_with(competition, alice, UserFactory(), UserFactory())
    UserFactory(username="dave")
    with refused("team_full", "“alice” already has 3 members; this competition allows 3."):
        invite(alice, competition, "dave")


def test_an_invite_only_competition_takes_only_people_who_may_see_it():
    competition = CompetitionFactory(title="Secret", visibility="invite_only")
    leader = UserFactory(username="lead")
    competition.invited_users.add(leader)
    participant(competition, "lead")
    UserFactory(username="outsider")
    with refused(
        "competition_not_invited",
        "outsider cannot take part in Secret: it is open to invited people only.",
    ):
        invite(leader, competition, "outsider")


def test_no_invitations_after_the_merger_deadline_or_the_end(competition, alice):
    UserFactory(username="dave")
    competition.team_merger_deadline = PAST_DEADLINE
    competition.save()
    with refused("team_changes_closed", CLOSED.format(title="Titanic")):
        invite(alice, competition, "dave")
    competition.team_merger_deadline = None
    competition.end_at = now() - timedelta(minutes=1)
    competition.save()
    with refused(
        "competition_ended", "Titanic has ended; teams can no longer merge or take new members."
    ):
        invite(alice, competition, "dave")


def test_disqualified_and_baseline_teams_invite_nobody(competition, alice):
    UserFactory(username="dave")
    Team.objects.filter(pk=team_of(alice, competition).pk).update(disqualified_at=now())
    with refused(
        "team_disqualified",
        "“alice” was disqualified; a disqualified team cannot merge or change members.",
    ):
        invite(alice, competition, "dave")
    Team.objects.filter(pk=team_of(alice, competition).pk).update(
        disqualified_at=None, is_baseline=True
    )
    with refused(
        "baseline_team",
        "“alice” is the organizers' baseline team; it does not merge or take members.",
    ):
        invite(alice, competition, "dave")


# -- accepting an invitation -----------------------------------------------------------------------


def test_a_participant_accepts_and_their_solo_team_is_dissolved_with_its_pending_requests(
    competition, alice, bob
):
    carl = UserFactory(username="carl")
    from_bob = invite(bob, competition, "carl")  # bob's solo team invited carl
    to_bob = invite(alice, competition, "bob")
    other = invite(participant(competition, "erin"), competition, "bob")
    solo = team_of(bob, competition)

    joined = team_joins.invitation_accept(user=bob, invitation=to_bob)

    assert joined == team_of(alice, competition) == team_of(bob, competition)
    assert not Team.objects.filter(pk=solo.pk).exists()
    from_bob.refresh_from_db()
    to_bob.refresh_from_db()
    other.refresh_from_db()
    assert (to_bob.status, to_bob.decided_by, to_bob.decided_at is not None) == (
        RequestStatus.ACCEPTED,
        bob,
        True,
    )
    assert (from_bob.status, from_bob.team, from_bob.team_name) == (
        RequestStatus.CANCELLED,
        None,
        "bob",
    )
    assert other.status == RequestStatus.CANCELLED  # bob chose a team
    assert carl.team_invitations.get() == from_bob


def test_someone_who_has_not_joined_joins_the_competition_by_accepting(competition, alice):
    newcomer = UserFactory(username="newcomer")
    invitation = invite(alice, competition, "newcomer")
    with refused("rules_not_accepted", "To join “alice” you must accept the rules of Titanic."):
        team_joins.invitation_accept(user=newcomer, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == RequestStatus.PENDING  # a refusal changes nothing
    team_joins.invitation_accept(user=newcomer, invitation=invitation, accept_rules=True)
    assert RuleAcceptance.objects.filter(user=newcomer, competition=competition).exists()
    assert team_of(newcomer, competition) == team_of(alice, competition)
    assert Team.objects.filter(competition=competition).count() == 1


def test_after_the_entry_deadline_only_those_already_in_may_accept(competition, alice, bob):
    late = UserFactory(username="late")
    to_late, to_bob = invite(alice, competition, "late"), invite(alice, competition, "bob")
    competition.entry_deadline = now() - timedelta(minutes=1)
    competition.save()
    with refused(
        "entry_deadline_passed",
        "The entry deadline of Titanic has passed; new participants cannot join.",
    ):
        team_joins.invitation_accept(user=late, invitation=to_late, accept_rules=True)
    assert team_joins.invitation_accept(user=bob, invitation=to_bob) == team_of(alice, competition)


def test_invitation_acceptance_refusals(competition, alice, bob):
    to_bob = invite(alice, competition, "bob")
    with refused("team_request_not_yours", "This invitation is addressed to someone else."):
        team_joins.invitation_accept(user=alice, invitation=to_bob)
    services.invitation_decline(user=bob, invitation=to_bob)
    with refused("team_request_closed", "This invitation was already declined."):
        team_joins.invitation_accept(user=bob, invitation=to_bob)


def test_accepting_into_a_team_that_filled_up_meanwhile(competition, alice):
    dave, erin = UserFactory(username="dave"), UserFactory(username="erin")
    to_dave, to_erin = invite(alice, competition, "dave"), invite(alice, competition, "erin")
    team_with(competition, alice, UserFactory())
    team_joins.invitation_accept(user=dave, invitation=to_dave, accept_rules=True)
    with refused("team_full", "“alice” already has 3 members; this competition allows 3."):
        team_joins.invitation_accept(user=erin, invitation=to_erin, accept_rules=True)
    to_erin.refresh_from_db()
    assert to_erin.status == RequestStatus.PENDING


def test_someone_in_a_team_with_others_must_leave_it_first(competition, alice, bob):
    team_with(competition, bob, UserFactory(username="carl"))
    to_bob = invite(alice, competition, "bob")
    with refused(
        "in_team_with_others",
        "You are in “bob” with 1 other member; you must leave it before joining “alice”.",
    ):
        team_joins.invitation_accept(user=bob, invitation=to_bob)


def test_the_teams_half_never_dissolves_a_team_with_submissions(alice_bob_with_solution):
    """Joining with a solo team that has submissions is a merge (workflows.team_joins); the
    teams app's own move refuses it rather than dissolve the team and orphan its submissions."""
    competition, alice, bob = alice_bob_with_solution
    submit(bob, competition)
    to_bob = invite(alice, competition, "bob")
    moment = now()
    with refused(
        "merge_required",
        "Your team “bob” has submissions, so joining “alice” merges the two teams.",
    ):
        with transaction.atomic():
            admission = services.invitation_admit(
                user=bob, invitation=to_bob, accept_rules=False, moment=moment
            )
            services.member_move(admission=admission, moment=moment)
    assert team_of(bob, competition).name == "bob"


@pytest.fixture
def alice_bob_with_solution():
    competition = competition_with_solution(rows=40, title="Titanic")
    return competition, participant(competition, "alice"), participant(competition, "bob")


def test_no_one_joins_after_the_merger_deadline(competition, alice, bob):
    to_bob = invite(alice, competition, "bob")
    competition.team_merger_deadline = PAST_DEADLINE
    competition.save()
    with refused("team_changes_closed", CLOSED.format(title="Titanic")):
        team_joins.invitation_accept(user=bob, invitation=to_bob)


def test_a_member_of_a_disqualified_team_cannot_join_another(competition, alice, bob):
    to_bob = invite(alice, competition, "bob")
    Team.objects.filter(pk=team_of(bob, competition).pk).update(disqualified_at=now())
    with refused(
        "team_disqualified",
        "“bob” was disqualified; a disqualified team cannot merge or change members.",
    ):
        team_joins.invitation_accept(user=bob, invitation=to_bob)


def test_decline_and_cancel(competition, alice, bob):
    carl = UserFactory(username="carl")
    to_bob = invite(alice, competition, "bob")
    with refused("team_request_not_yours", "This invitation is addressed to someone else."):
        services.invitation_decline(user=carl, invitation=to_bob)
    assert services.invitation_decline(user=bob, invitation=to_bob).status == RequestStatus.DECLINED

    to_carl = invite(alice, competition, "carl")
    with refused(
        "not_team_leader", "Only the leader of “alice”, alice, can take back its invitations."
    ):
        services.invitation_cancel(user=bob, invitation=to_carl)
    cancelled = services.invitation_cancel(user=alice, invitation=to_carl)
    assert (cancelled.status, cancelled.decided_by) == (RequestStatus.CANCELLED, alice)
    with refused("team_request_closed", "This invitation was already cancelled."):
        services.invitation_decline(user=carl, invitation=to_carl)


# -- join requests ---------------------------------------------------------------------------------


def test_ask_to_join_and_the_leader_accepts(competition, alice, bob):
    request = services.join_request_create(user=bob, team=team_of(alice, competition))
    assert services.join_request_create(user=bob, team=team_of(alice, competition)) == request
    assert team_page(user=alice, competition=competition).join_requests_in == [request]

    joined = team_joins.join_request_accept(user=alice, join_request=request)

    assert team_of(bob, competition) == joined == team_of(alice, competition)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.ACCEPTED, alice)
    assert Membership.objects.filter(team=joined).count() == 2
    with refused("team_request_closed", "This join request was already accepted."):
        team_joins.join_request_accept(user=alice, join_request=request)


def test_join_request_refusals(competition, alice, bob):
    outsider = UserFactory()
    with refused(
        "not_a_participant", "You have not joined Titanic. Join it and accept its rules first."
    ):
        services.join_request_create(user=outsider, team=team_of(alice, competition))
    with refused("already_in_team", "You are already in “alice”."):
        services.join_request_create(user=alice, team=team_of(alice, competition))
    team_with(competition, bob, UserFactory(username="carl"))
    with refused(
        "in_team_with_others",
        "You are in “bob” with 1 other member; you must leave it before joining “alice”.",
    ):
        services.join_request_create(user=bob, team=team_of(alice, competition))
    team_with(competition, alice, UserFactory(), UserFactory())
    with refused("team_full", "“alice” already has 3 members; this competition allows 3."):
        services.join_request_create(
            user=participant(competition, "dave"), team=team_of(alice, competition)
        )


def test_only_the_leader_answers_and_the_requester_is_checked_again(competition, alice, bob):
    carl = (
        team_with(competition, alice, UserFactory(username="carl"))
        .memberships.get(user__username="carl")
        .user
    )
    erin = participant(competition, "erin")
    request = services.join_request_create(user=bob, team=team_of(alice, competition))
    with refused(
        "not_team_leader",
        "Only the leader of “alice”, alice, can answer requests to join the team.",
    ):
        team_joins.join_request_accept(user=carl, join_request=request)
    # Meanwhile bob joined erin's team: alice's answer now meets a refusal about bob.
    team_with(competition, erin, bob)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED  # bob chose a team
    fresh = JoinRequest.objects.create(
        competition=competition, team=team_of(alice, competition), team_name="alice", user=bob
    )
    with refused(
        "in_team_with_others",
        "bob is in “erin” with 1 other member; they must leave it before joining “alice”.",
    ):
        team_joins.join_request_accept(user=alice, join_request=fresh)


def test_decline_and_withdraw_a_join_request(competition, alice, bob):
    team = team_of(alice, competition)
    first = services.join_request_create(user=bob, team=team)
    with refused(
        "not_team_leader",
        "Only the leader of “alice”, alice, can answer requests to join the team.",
    ):
        services.join_request_decline(user=bob, join_request=first)
    assert services.join_request_decline(user=alice, join_request=first).status == "declined"
    second = services.join_request_create(user=bob, team=team)
    with refused("team_request_not_yours", "This join request is someone else's."):
        services.join_request_cancel(user=alice, join_request=second)
    assert services.join_request_cancel(user=bob, join_request=second).status == "cancelled"


# -- leaving and leading ---------------------------------------------------------------------------


def test_a_member_leaves_for_a_new_solo_team(competition, alice, bob):
    team = team_with(competition, alice, bob)
    solo = services.team_leave(user=bob, team=team)
    assert (solo.name, solo.leader, team_of(bob, competition)) == ("bob", bob, solo)
    assert list(Membership.objects.filter(team=team).values_list("user__username", flat=True)) == [
        "alice"
    ]


def test_the_leader_hands_over_before_leaving(competition, alice, bob):
    team = team_with(competition, alice, bob)
    with refused(
        "leader_must_transfer", "You lead “alice”: make another member the leader before you leave."
    ):
        services.team_leave(user=alice, team=team)
    assert services.leadership_transfer(user=alice, team=team, new_leader=bob).leader == bob
    services.team_leave(user=alice, team=team)
    assert Team.objects.get(pk=team.pk).leader == bob
    assert team_of(alice, competition).name == "alice (2)"  # the old team still has the name


def test_the_last_member_of_a_team_without_submissions_dissolves_it(competition, alice):
    team = team_of(alice, competition)
    team = services.team_rename(user=alice, team=team, name="Old")
    pending = invite(alice, competition, UserFactory(username="dave").username)
    solo = services.team_leave(user=alice, team=team)
    assert not Team.objects.filter(pk=team.pk).exists()
    assert solo.name == "alice" and team_of(alice, competition) == solo
    pending.refresh_from_db()
    assert (pending.status, pending.team, pending.team_name) == (
        RequestStatus.CANCELLED,
        None,
        "Old",
    )


def test_leave_refusals_with_submissions(alice_bob_with_solution):
    competition, alice, bob = alice_bob_with_solution
    team = team_with(competition, alice, bob)
    submit(alice, competition)
    lonely = team_of(participant(competition, "carl"), competition)
    submit(lonely.leader, competition)
    with refused(
        "last_member_with_submissions",
        "You are the last member of “carl”, which has submissions; a team on the leaderboard "
        "keeps its last member.",
    ):
        services.team_leave(user=lonely.leader, team=lonely)
    competition.team_merger_deadline = PAST_DEADLINE
    competition.save()
    with refused(
        "leave_after_merger_deadline",
        "“alice” has submissions and the team merger deadline of Titanic was 5 Mar 2024, "
        "12:30 UTC; its members can no longer leave it.",
    ):
        services.team_leave(user=bob, team=team)
    competition.team_merger_deadline = None
    competition.end_at = now() - timedelta(minutes=1)
    competition.save()
    with refused(
        "leave_after_merger_deadline",
        "“alice” has submissions and Titanic has ended; its members can no longer leave it.",
    ):
        services.team_leave(user=bob, team=team)


def test_a_team_without_submissions_may_be_left_after_the_merger_deadline(competition, alice, bob):
    team = team_with(competition, alice, bob)
    competition.team_merger_deadline = PAST_DEADLINE
    competition.save()
    assert services.team_leave(user=bob, team=team).name == "bob"


def test_leave_refusals_for_outsiders_and_disqualified_teams(competition, alice, bob):
    team = team_with(competition, alice, UserFactory(username="carl"))
    with refused("not_team_member", "You are not a member of “alice”."):
        services.team_leave(user=bob, team=team)
    Team.objects.filter(pk=team.pk).update(disqualified_at=now())
    carl = team.memberships.get(user__username="carl").user
    with refused("team_disqualified", "“alice” was disqualified; its members cannot leave it."):
        services.team_leave(user=carl, team=team)


def test_leadership_transfer_refusals(competition, alice, bob):
    team = team_with(competition, alice, UserFactory(username="carl"))
    carl = team.memberships.get(user__username="carl").user
    with refused(
        "not_team_leader", "Only the leader of “alice”, alice, can hand over the leadership."
    ):
        services.leadership_transfer(user=carl, team=team, new_leader=carl)
    with refused("not_team_member", "bob is not a member of “alice”."):
        services.leadership_transfer(user=alice, team=team, new_leader=bob)
    assert services.leadership_transfer(user=alice, team=team, new_leader=alice).leader == alice


@pytest.mark.django_db(transaction=True)
def test_team_rename_runs_in_its_own_transaction():
    """Outside any transaction (as a view without ATOMIC_REQUESTS calls it): the row lock needs
    one, which PostgreSQL enforces (SQLite ignores FOR UPDATE)."""
    from django.db import connection

    competition = competition_with_solution()
    user = participant(competition, "ren")
    team = Team.objects.get(memberships__user=user)
    assert not connection.in_atomic_block
    assert services.team_rename(user=user, team=team, name="Renamed").name == "Renamed"
    team.refresh_from_db()
    assert team.name == "Renamed"
