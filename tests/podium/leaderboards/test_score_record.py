"""``services.score_record``, the scoring transaction's write: the board row from scratch, the
message, the lease; a merge that moves the submission meanwhile; a lost lease writes nothing."""

from __future__ import annotations

import pytest

from podium.leaderboards import entry_sql
from podium.leaderboards import services as board_services
from podium.leaderboards.models import LeaderboardEntry
from podium.submissions.models import Submission
from podium.submissions.services import submission_claim
from podium.teams.models import Team
from tests.podium.factories import competition_with_solution, participant, scored, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def competition():
    competition = competition_with_solution(rows=40, score_display_precision=2)
    scored(participant(competition, "alice"), competition, 0.9, 0.5)
    return competition


def record(submission, worker="w", score=0.7) -> bool:
    return board_services.score_record(
        submission=submission,
        worker=worker,
        public_score=score,
        private_score=score,
        duration_ms=1,
        solution_version_id=submission.competition.solution_versions.get().pk,
    )


def test_a_first_entry_a_better_one_and_a_worse_one(competition):
    bob = participant(competition, "bob")
    first = submission_claim(submission_id=submit(bob, competition).pk, worker="w")
    assert record(first, score=0.7)
    first.refresh_from_db()
    assert first.result_message == (
        "Your Best Entry! Your submission scored 0.70, placing you in position 2 on the "
        "leaderboard."
    )
    better = submission_claim(submission_id=submit(bob, competition).pk, worker="w")
    assert record(better, score=0.95)
    better.refresh_from_db()
    assert better.result_message == (
        "Your Best Entry! You improved on your best score by 0.25. "
        "You just moved up 1 position on the leaderboard."
    )
    worse = submission_claim(submission_id=submit(bob, competition).pk, worker="w")
    assert record(worse, score=0.1)
    worse.refresh_from_db()
    assert "not an improvement" in worse.result_message
    entry = LeaderboardEntry.objects.get(team__name="bob")
    assert (entry.entries, entry.best_submission_id, entry.best_public_score) == (
        3,
        better.pk,
        0.95,
    )


def test_a_merge_after_the_claim_puts_the_result_on_the_survivors_row(competition):
    bob = participant(competition, "bob")
    submission = submission_claim(submission_id=submit(bob, competition).pk, worker="w")
    alice = Team.objects.get(name="alice")
    Submission.objects.filter(pk=submission.pk).update(team=alice)  # as a merge moves it
    assert record(submission, score=0.95)
    entry = LeaderboardEntry.objects.get(team=alice)
    assert (entry.entries, entry.best_submission_id) == (2, submission.pk)
    assert not LeaderboardEntry.objects.filter(team__name="bob").exists()


def test_a_merge_between_the_lock_and_the_write_is_tried_again(competition, monkeypatch):
    """The lock read the team before a merge moved the submission (PostgreSQL under load): the
    write, filtered on that team, matches nothing; everything is rolled back and tried again."""
    bob_user = participant(competition, "bob")
    submission = submission_claim(submission_id=submit(bob_user, competition).pk, worker="w")
    bob, alice = Team.objects.get(name="bob"), Team.objects.get(name="alice")
    real, calls = entry_sql.team_lock, []

    def stale_then_real(submission_id):
        calls.append(submission_id)
        found = real(submission_id)  # bob, locked, the first time
        # The merge lands (again on the second try: here it runs in the transaction that the
        # first try rolls back, where a real merge commits on its own).
        Submission.objects.filter(pk=submission_id).update(team=alice)
        return found if len(calls) == 1 else real(submission_id)

    monkeypatch.setattr(board_services, "team_lock", stale_then_real)
    assert record(submission, score=0.95)
    assert len(calls) == 2
    assert not LeaderboardEntry.objects.filter(team=bob).exists()  # the first try rolled back
    assert LeaderboardEntry.objects.get(team=alice).entries == 2
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SCORED


def test_a_lost_lease_writes_nothing(competition):
    bob = participant(competition, "bob")
    submission = submission_claim(submission_id=submit(bob, competition).pk, worker="w")
    assert record(submission, worker="someone-else") is False
    assert not LeaderboardEntry.objects.filter(team__name="bob").exists()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SCORING and submission.result_message == ""
