"""Team merges: the rules (each refusal with its exact message), what moves, and the board row.

Two merges at once into one team are in tests/podium/teams/test_concurrency.py.
"""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from podium.core.errors import DomainError
from podium.core.timeutils import now, utc_day_start
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.selectors import public_board
from podium.submissions.models import Submission
from podium.teams import services as team_services
from podium.teams.models import Invitation, MergeRequest, RequestStatus, Team
from podium.teams.selectors import team_for_user
from podium.workflows import team_joins, team_merges
from tests.podium.factories import (
    CompetitionFactory,
    UserFactory,
    competition_with_solution,
    participant,
    predictions_file,
    submit,
)

PAST_DEADLINE = datetime(2024, 3, 5, 12, 30, tzinfo=UTC)


@contextmanager
def refused(code: str, message: str):
    with pytest.raises(DomainError) as info:
        yield info
    assert (info.value.code, info.value.message) == (code, message)


def team_of(user, competition) -> Team:
    return team_for_user(user=user, competition=competition)


def add_members(team: Team, *users) -> Team:
    for user in users:
        invitation = team_services.invitation_create(
            user=team.leader, team=team, invitee=user.username
        )
        team_joins.invitation_accept(user=user, invitation=invitation, accept_rules=True)
    return team


def ask(a_leader, b_leader, competition) -> MergeRequest:
    return team_merges.merge_request_create(
        user=a_leader, team=team_of(a_leader, competition), into=team_of(b_leader, competition)
    )


def members(team: Team) -> set[str]:
    return set(team.memberships.values_list("user__username", flat=True))


# -- days the competition has run ------------------------------------------------------------------


def test_days_run_counts_utc_days_from_one_on_the_start_day():
    competition = CompetitionFactory.build(start_at=datetime(2026, 3, 1, 23, 59, tzinfo=UTC))
    at = lambda *args: datetime(*args, tzinfo=UTC)  # noqa: E731
    assert team_merges.days_run(competition, at(2026, 3, 1, 23, 0)) == 0  # before the start
    assert team_merges.days_run(competition, at(2026, 3, 1, 23, 59, 30)) == 1
    assert team_merges.days_run(competition, at(2026, 3, 2, 0, 0)) == 2
    assert team_merges.days_run(competition, at(2026, 3, 5, 12, 0)) == 5
    # A start given in another time zone counts by its UTC day.
    from zoneinfo import ZoneInfo

    competition.start_at = datetime(2026, 3, 2, 1, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    assert team_merges.days_run(competition, at(2026, 3, 2, 0, 30)) == 2


# -- a merge, start to finish ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_accepting_team_remains_with_everyone_and_a_recomputed_board_row(eager):
    competition = competition_with_solution(rows=40, title="Titanic")
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    a = add_members(team_of(alice, competition), UserFactory(username="carl"))
    b = team_of(bob, competition)
    best = submit(alice, competition, predictions_file(competition, quality=0.45, seed=1))
    submit(bob, competition, predictions_file(competition, quality=0.05, seed=2))
    assert [row.team_name for row in public_board(competition=competition)] == ["alice", "bob"]
    dave = UserFactory(username="dave")
    to_dave = team_services.invitation_create(user=alice, team=a, invitee="dave")
    request = ask(alice, bob, competition)

    merged = team_merges.merge_request_accept(user=bob, merge_request=request)

    assert merged == b and (merged.name, merged.leader) == ("bob", bob)
    assert members(merged) == {"alice", "bob", "carl"}
    assert not Team.objects.filter(pk=a.pk).exists()
    assert set(Submission.objects.values_list("team_id", flat=True)) == {b.pk}
    entry = LeaderboardEntry.objects.get()
    assert (entry.team_id, entry.entries, entry.best_submission_id) == (b.pk, 2, best.pk)
    [row] = public_board(competition=competition)
    assert (row.team_name, row.members, row.entries) == ("bob", ["alice", "bob", "carl"], 2)
    request.refresh_from_db()
    assert (request.status, request.from_team, request.from_team_name, request.decided_by) == (
        RequestStatus.ACCEPTED,
        None,
        "alice",
        bob,
    )
    to_dave.refresh_from_db()
    assert to_dave.status == RequestStatus.CANCELLED and dave.team_invitations.get() == to_dave


# -- the rules -------------------------------------------------------------------------------------


@pytest.fixture
def competition(db):
    return competition_with_solution(rows=40, title="Titanic", max_team_size=2)


@pytest.fixture
def alice(competition):
    return participant(competition, "alice")


@pytest.fixture
def bob(competition):
    return participant(competition, "bob")


def test_merged_size_must_fit(competition, alice, bob):
    add_members(team_of(alice, competition), UserFactory())
    with refused("merge_too_large", "Merging would give 3 members; this competition allows 2."):
        ask(alice, bob, competition)
    with refused("merge_too_large", "Merging would give 3 members; this competition allows 2."):
        ask(bob, alice, competition)


def test_merged_submissions_must_fit_the_daily_limit_times_the_days_run(db):
    competition = competition_with_solution(
        rows=40, title="Titanic", start_at=utc_day_start(now()), daily_submission_limit=2
    )
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    submit(alice, competition)
    submit(alice, competition)
    submit(bob, competition)
    with refused(
        "merge_too_many_submissions",
        "Together the teams have made 3 submissions; a merged team may have made at most 2 by "
        "now (2 a day for the 1 day Titanic has run).",
    ):
        ask(alice, bob, competition)
    # Failed submissions do not count (unless the rules say so).
    Submission.objects.filter(team=team_of(bob, competition)).update(status="failed")
    assert ask(alice, bob, competition).status == RequestStatus.PENDING


def test_merged_submissions_must_fit_the_total_limit(db):
    competition = competition_with_solution(rows=40, title="Titanic", total_submission_limit=2)
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    submit(alice, competition)
    submit(alice, competition)
    submit(bob, competition)
    with refused(
        "merge_over_total_limit",
        "Together the teams have made 3 submissions; this competition allows 2 per team in all.",
    ):
        ask(alice, bob, competition)


def test_the_preview_gives_every_reason_at_once(db):
    competition = competition_with_solution(
        rows=40,
        title="Titanic",
        start_at=utc_day_start(now()),
        daily_submission_limit=1,
        max_team_size=2,
        team_merger_deadline=PAST_DEADLINE,
    )
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    submit(alice, competition)
    submit(bob, competition)
    Team.objects.filter(pk=team_of(bob, competition).pk).update(disqualified_at=now())
    preview = team_merges.merge_preview(
        team=team_of(alice, competition), into=team_of(bob, competition)
    )
    assert not preview.allowed
    assert preview.reasons == [
        "“bob” was disqualified; a disqualified team cannot merge or change members.",
        "The team merger deadline of Titanic was 5 Mar 2024, 12:30 UTC; teams can no longer "
        "merge or take new members.",
        "Together the teams have made 2 submissions; a merged team may have made at most 1 by "
        "now (1 a day for the 1 day Titanic has run).",
    ]
    assert (preview.members, preview.max_members, preview.submissions, preview.max_submissions) == (
        2,
        2,
        2,
        1,
    )
    carl = participant(competition, "carl")
    ok = team_merges.merge_preview(
        team=team_of(alice, competition), into=team_of(carl, competition)
    )
    assert ok.reasons == [
        "The team merger deadline of Titanic was 5 Mar 2024, 12:30 UTC; teams can no longer "
        "merge or take new members."
    ]


def test_no_merges_after_the_merger_deadline_or_the_end(competition, alice, bob):
    competition.team_merger_deadline = PAST_DEADLINE
    competition.save()
    with refused(
        "team_changes_closed",
        "The team merger deadline of Titanic was 5 Mar 2024, 12:30 UTC; teams can no longer "
        "merge or take new members.",
    ):
        ask(alice, bob, competition)
    competition.team_merger_deadline = None
    competition.end_at = now() - timedelta(seconds=1)
    competition.save()
    with refused(
        "competition_ended", "Titanic has ended; teams can no longer merge or take new members."
    ):
        ask(alice, bob, competition)


def test_disqualified_and_baseline_teams_do_not_merge(competition, alice, bob):
    Team.objects.filter(name="bob").update(disqualified_at=now())
    with refused(
        "team_disqualified",
        "“bob” was disqualified; a disqualified team cannot merge or change members.",
    ):
        ask(alice, bob, competition)
    Team.objects.filter(name="bob").update(disqualified_at=None, is_baseline=True)
    with refused(
        "baseline_team",
        "“bob” is the organizers' baseline team; it does not merge or take members.",
    ):
        ask(alice, bob, competition)


def test_who_may_ask_and_with_whom(competition, alice, bob):
    with refused("merge_same_team", "A team cannot merge with itself."):
        ask(alice, alice, competition)
    with refused(
        "not_team_leader", "Only the leader of “alice”, alice, can ask another team to merge."
    ):
        team_merges.merge_request_create(
            user=bob, team=team_of(alice, competition), into=team_of(bob, competition)
        )
    elsewhere = competition_with_solution(rows=40, title="Other")
    stranger = participant(elsewhere, "stranger")
    with refused(
        "merge_other_competition", "“alice” and “stranger” are in different competitions."
    ):
        team_merges.merge_request_create(
            user=alice, team=team_of(alice, competition), into=team_of(stranger, elsewhere)
        )


def test_asking_twice_returns_the_request_and_crossed_requests_are_refused(competition, alice, bob):
    first = ask(alice, bob, competition)
    assert ask(alice, bob, competition) == first
    with refused(
        "merge_request_crossed",
        "“alice” has already asked to merge with “bob”: accept its request instead.",
    ):
        ask(bob, alice, competition)


def test_acceptance_checks_everything_again(competition, alice, bob):
    request = ask(alice, bob, competition)
    with refused(
        "not_team_leader",
        "Only the leader of “bob”, bob, can accept merge requests for the team.",
    ):
        team_merges.merge_request_accept(user=alice, merge_request=request)
    add_members(team_of(bob, competition), UserFactory())  # bob's team filled up meanwhile
    with refused("merge_too_large", "Merging would give 3 members; this competition allows 2."):
        team_merges.merge_request_accept(user=bob, merge_request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING and team_of(alice, competition).name == "alice"


def test_a_team_merged_elsewhere_takes_its_other_requests_with_it(competition, alice, bob):
    carl = participant(competition, "carl")
    to_bob, to_carl = ask(alice, bob, competition), ask(alice, carl, competition)
    team_merges.merge_request_accept(user=carl, merge_request=to_carl)
    to_bob.refresh_from_db()
    assert (to_bob.status, to_bob.from_team) == (RequestStatus.CANCELLED, None)
    with refused("team_request_closed", "This merge request was already cancelled."):
        team_merges.merge_request_accept(user=bob, merge_request=to_bob)


def test_decline_and_withdraw(competition, alice, bob):
    request = ask(alice, bob, competition)
    with refused(
        "not_team_leader",
        "Only the leader of “bob”, bob, can answer merge requests for the team.",
    ):
        team_merges.merge_request_decline(user=alice, merge_request=request)
    assert team_merges.merge_request_decline(user=bob, merge_request=request).status == "declined"
    with refused("team_request_closed", "This merge request was already declined."):
        team_merges.merge_request_accept(user=bob, merge_request=request)
    again = ask(alice, bob, competition)
    with refused(
        "not_team_leader", "Only the leader of “alice”, alice, can take back its merge requests."
    ):
        team_merges.merge_request_cancel(user=bob, merge_request=again)
    assert team_merges.merge_request_cancel(user=alice, merge_request=again).status == "cancelled"


# -- joining with a solo team that has submissions is a merge --------------------------------------


def test_accepting_an_invitation_merges_a_solo_team_with_submissions(competition, alice, bob):
    mine = submit(bob, competition)
    solo = team_of(bob, competition)
    invitation = team_services.invitation_create(
        user=alice, team=team_of(alice, competition), invitee="bob"
    )
    joined = team_joins.invitation_accept(user=bob, invitation=invitation)
    assert joined == team_of(alice, competition) == team_of(bob, competition)
    assert members(joined) == {"alice", "bob"} and joined.leader == alice
    assert Submission.objects.get(pk=mine.pk).team == joined
    assert not Team.objects.filter(pk=solo.pk).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == RequestStatus.ACCEPTED


def test_such_an_invitation_follows_the_merge_rules(db):
    competition = competition_with_solution(
        rows=40, title="Titanic", start_at=utc_day_start(now()), daily_submission_limit=2
    )
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    submit(alice, competition)
    submit(alice, competition)
    submit(bob, competition)
    invitation = team_services.invitation_create(
        user=alice, team=team_of(alice, competition), invitee="bob"
    )
    with refused(
        "merge_too_many_submissions",
        "Together the teams have made 3 submissions; a merged team may have made at most 2 by "
        "now (2 a day for the 1 day Titanic has run).",
    ):
        team_joins.invitation_accept(user=bob, invitation=invitation)
    assert team_of(bob, competition).name == "bob"
    assert Invitation.objects.get(pk=invitation.pk).status == RequestStatus.PENDING


def test_accepting_a_join_request_merges_a_solo_team_with_submissions(competition, alice, bob):
    submit(bob, competition)
    request = team_services.join_request_create(user=bob, team=team_of(alice, competition))
    joined = team_joins.join_request_accept(user=alice, join_request=request)
    assert members(joined) == {"alice", "bob"}
    assert Submission.objects.get().team == joined
    assert Team.objects.filter(competition=competition).count() == 1


# -- answering by kind: the one entry point of the web UI and the API ----------------------------


def test_request_answer_calls_the_service_of_each_kind_and_answer(competition, alice, bob):
    merge = ask(alice, bob, competition)
    with refused(
        "not_team_leader",
        "Only the leader of “bob”, bob, can accept merge requests for the team.",
    ):
        team_joins.request_answer(
            user=alice,
            competition=competition,
            kind="merge-requests",
            pk=merge.pk,
            answer="accept",
        )
    done = team_joins.request_answer(
        user=bob, competition=competition, kind="merge-requests", pk=merge.pk, answer="accept"
    )
    assert done.request == merge and done.team == team_of(bob, competition)
    assert members(done.team) == {"alice", "bob"}
    carol, dave = participant(competition, "carol"), participant(competition, "dave")
    invitation = team_services.invitation_create(
        user=carol, team=team_of(carol, competition), invitee="dave"
    )
    done = team_joins.request_answer(
        user=dave,
        competition=competition,
        kind="invitations",
        pk=invitation.pk,
        answer="decline",
    )
    assert done.request.status == RequestStatus.DECLINED and done.team is None
    join = team_services.join_request_create(user=dave, team=team_of(carol, competition))
    done = team_joins.request_answer(
        user=dave, competition=competition, kind="join-requests", pk=join.pk, answer="cancel"
    )
    assert done.request.status == RequestStatus.CANCELLED
    with refused("team_request_not_found", "This invitation no longer exists."):
        team_joins.request_answer(
            user=dave, competition=competition, kind="invitations", pk=10**6, answer="accept"
        )
