"""Each event that exists today notifies the right people and nobody else, inside the event's
transaction: team invitations, join and merge requests and their answers, a failed
submission, a finished kernel, the private board revealed."""

from __future__ import annotations

import pytest
from django.db import transaction

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.kernels import services as kernel_services
from podium.kernels.error_codes import KernelFailure
from podium.leaderboards.reveal import leaderboard_reveal
from podium.notifications.models import Kind, Notification
from podium.submissions.models import Submission
from podium.submissions.services import (
    submission_claim,
    submission_mark_failed,
    submissions_fail_stuck,
)
from podium.teams import services as team_services
from podium.teams.selectors import team_for_user
from podium.workflows import team_joins, team_merges
from tests.podium.factories import (
    CompetitionFactory,
    UserFactory,
    competition_with_solution,
    participant,
    scored,
    submit,
)

pytestmark = pytest.mark.django_db
KERNELS = "/competitions/kernel-cup/kernels/"


def told(kind: str | None = None) -> list[tuple[str, str]]:
    """(username, kind) of every notification, in a stable order."""
    rows = Notification.objects.order_by("recipient__username", "kind")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("recipient__username", "kind"))


@pytest.fixture
def cup():
    return CompetitionFactory(title="Ocean Cup", slug="ocean")


def test_an_invitation_tells_the_invitee_only_and_its_answer_tells_the_inviter(cup):
    leader, invitee = participant(cup, "lea"), participant(cup, "ivan")
    participant(cup, "bystander")
    team = team_for_user(user=leader, competition=cup)
    invitation = team_services.invitation_create(user=leader, team=team, invitee="ivan")
    assert told() == [("ivan", Kind.TEAM_INVITATION)]
    note = Notification.objects.get()
    assert note.title == f"lea invited you to join the team “{team.name}” in Ocean Cup"
    assert note.url == "/competitions/ocean/team/" and note.actor.username == "lea"
    # inviting again returns the pending invitation and tells nobody again
    team_services.invitation_create(user=leader, team=team, invitee="ivan")
    assert len(told()) == 1

    team_joins.invitation_accept(user=invitee, invitation=invitation, accept_rules=True)
    assert told(Kind.TEAM_ANSWER) == [("lea", Kind.TEAM_ANSWER)]
    assert Notification.objects.get(kind=Kind.TEAM_ANSWER).title == (
        f"ivan accepted your invitation to join “{team.name}” in Ocean Cup"
    )


def test_a_declined_invitation_tells_the_inviter_and_a_taken_back_one_nobody(cup):
    leader = participant(cup, "lea")
    participant(cup, "ivan")
    participant(cup, "otto")
    team = team_for_user(user=leader, competition=cup)
    first = team_services.invitation_create(user=leader, team=team, invitee="ivan")
    second = team_services.invitation_create(user=leader, team=team, invitee="otto")
    team_services.invitation_decline(user=first.invitee, invitation=first)
    team_services.invitation_cancel(user=leader, invitation=second)
    assert told(Kind.TEAM_ANSWER) == [("lea", Kind.TEAM_ANSWER)]
    assert "declined" in Notification.objects.get(kind=Kind.TEAM_ANSWER).title


def test_a_join_request_tells_the_leader_only_and_its_answer_the_asker(cup):
    leader, member, asker = (
        participant(cup, "lea"),
        participant(cup, "mia"),
        participant(cup, "ali"),
    )
    team = team_for_user(user=leader, competition=cup)
    invitation = team_services.invitation_create(user=leader, team=team, invitee="mia")
    team_joins.invitation_accept(user=member, invitation=invitation, accept_rules=True)
    Notification.objects.all().delete()

    request = team_services.join_request_create(user=asker, team=team)
    assert told() == [("lea", Kind.TEAM_REQUEST)]  # not mia, a member but not the leader
    team_services.join_request_decline(user=leader, join_request=request)
    assert told(Kind.TEAM_ANSWER) == [("ali", Kind.TEAM_ANSWER)]
    assert Notification.objects.get(kind=Kind.TEAM_ANSWER).title == (
        f"lea declined your request to join “{team.name}” in Ocean Cup"
    )


def test_a_merge_request_tells_the_asked_leader_and_its_answer_the_asker():
    competition = competition_with_solution(title="Merge Cup", slug="merge-cup")
    a, b = participant(competition, "anna"), participant(competition, "bob")
    submit(a, competition)
    submit(b, competition)
    team_a = team_for_user(user=a, competition=competition)
    team_b = team_for_user(user=b, competition=competition)
    request = team_merges.merge_request_create(user=a, team=team_a, into=team_b)
    assert told() == [("bob", Kind.TEAM_REQUEST)]
    assert Notification.objects.get().title == (
        f"The team “{team_a.name}” asks to merge into your team “{team_b.name}” in Merge Cup"
    )
    team_merges.merge_request_accept(user=b, merge_request=request)
    assert told(Kind.TEAM_ANSWER) == [("anna", Kind.TEAM_ANSWER)]


def test_a_refused_acceptance_rolls_its_notification_back(cup):
    """The answer and its notification are one transaction: a refusal after the request was
    closed (the competition's rules not accepted) leaves neither."""
    leader = participant(cup, "lea")
    invitee = UserFactory(username="new")  # has not joined, so has not accepted the rules
    team = team_for_user(user=leader, competition=cup)
    invitation = team_services.invitation_create(user=leader, team=team, invitee="new")
    with pytest.raises(Exception):  # noqa: B017 - the refusal's type is the teams app's
        with transaction.atomic():
            team_joins.invitation_accept(user=invitee, invitation=invitation, accept_rules=False)
    assert told(Kind.TEAM_ANSWER) == []


def test_a_failed_submission_tells_its_team_with_the_public_message_only():
    competition = competition_with_solution(title="Fail Cup", slug="fail-cup")
    leader, mate = participant(competition, "lea"), participant(competition, "mia")
    participant(competition, "other")
    team = team_for_user(user=leader, competition=competition)
    invitation = team_services.invitation_create(user=leader, team=team, invitee="mia")
    team_joins.invitation_accept(user=mate, invitation=invitation, accept_rules=True)
    Notification.objects.all().delete()
    submission = submit(leader, competition)
    assert submission_claim(submission_id=submission.pk, worker="w") is not None
    assert submission_mark_failed(
        submission_id=submission.pk,
        worker="w",
        code="metric_error",
        message="Submission Scoring Error",
        stage=Submission.FailureStage.METRIC,
        detail="private score 0.98765 on rows 3..9",
    )
    assert told() == [("lea", Kind.SUBMISSION_FAILED), ("mia", Kind.SUBMISSION_FAILED)]
    titles = set(Notification.objects.values_list("title", flat=True))
    assert titles == {
        "Your submission “sub.csv” to Fail Cup could not be scored: Submission Scoring Error"
    }
    assert Notification.objects.first().url == "/competitions/fail-cup/submissions/"
    # a second delivery of the same result writes nothing and tells nobody again
    assert not submission_mark_failed(
        submission_id=submission.pk,
        worker="w",
        code="metric_error",
        message="again",
        stage=Submission.FailureStage.METRIC,
    )
    assert Notification.objects.count() == 2


def test_submissions_an_organizer_fails_tell_their_teams():
    competition = competition_with_solution(title="Stuck Cup")
    a, b = participant(competition, "anna"), participant(competition, "bob")
    stuck = submit(a, competition)
    submit(b, competition)  # not failed: bob hears nothing
    assert submissions_fail_stuck(submission_ids=[stuck.pk], by="admin") == [stuck.pk]
    assert told() == [("anna", Kind.SUBMISSION_FAILED)]


def test_a_finished_kernel_tells_its_launcher_and_a_cancelled_one_nobody():
    competition = CompetitionFactory(title="Kernel Cup", slug="kernel-cup")
    kernel_services.kernel_settings_update(
        competition=competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=1,
        max_concurrent_runs=3,
    )
    user = participant(competition, "kim")
    participant(competition, "other")
    runs = [
        kernel_services.kernel_launch(
            user=user, competition=competition, baseline="breast_cancer_mlp", title=title
        )
        for title in ("good", "bad", "stopped")
    ]
    for run in runs:
        assert kernel_services.kernel_claim(run_id=run.pk, worker="w") is not None
    good, bad, stopped = runs
    assert kernel_services.kernel_mark_succeeded(
        run_id=good.pk, worker="w", submission_id=None, exit_code=0, cpu_seconds=1, sandbox="x"
    )
    assert kernel_services.kernel_mark_failed(
        run_id=bad.pk, worker="w", failure=KernelFailure.EXCEPTION, message="boom"
    )
    assert kernel_services.kernel_mark_failed(
        run_id=stopped.pk, worker="w", failure=KernelFailure.CANCELLED, message="cancelled"
    )
    assert told() == [("kim", Kind.KERNEL_FINISHED)] * 2
    assert set(Notification.objects.values_list("title", "url")) == {
        (
            "Your kernel “good” in Kernel Cup finished",
            f"/competitions/kernel-cup/kernels/{good.pk}/",
        ),
        ("Your kernel “bad” in Kernel Cup failed", f"/competitions/kernel-cup/kernels/{bad.pk}/"),
    }


def test_the_reveal_tells_every_member_of_every_team_once():
    competition = competition_with_solution(title="Reveal Cup", slug="reveal-cup")
    other = competition_with_solution(title="Other Cup")
    lea, mia, solo = (participant(competition, n) for n in ("lea", "mia", "solo"))
    participant(other, "elsewhere")
    team = team_for_user(user=lea, competition=competition)
    invitation = team_services.invitation_create(user=lea, team=team, invitee="mia")
    team_joins.invitation_accept(user=mia, invitation=invitation, accept_rules=True)
    scored(lea, competition, 0.8, 0.7)
    scored(solo, competition, 0.6, 0.9)
    Notification.objects.all().delete()
    Competition.objects.filter(pk=competition.pk).update(end_at=now())
    competition.refresh_from_db()

    assert leaderboard_reveal(competition=competition)
    assert told() == [(n, Kind.BOARD_REVEALED) for n in ("lea", "mia", "solo")]
    note = Notification.objects.get(recipient=solo)
    assert note.title == "The private leaderboard of Reveal Cup is revealed"
    assert note.url == "/competitions/reveal-cup/leaderboard/private/"
    assert not leaderboard_reveal(competition=competition)  # already revealed: nobody again
    assert Notification.objects.count() == 3
