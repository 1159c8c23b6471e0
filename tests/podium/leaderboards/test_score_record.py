"""``services.score_record``, the scoring transaction's write: the board row from scratch, the
message, the lease; a merge that moves the submission meanwhile; a lost lease writes nothing."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

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


def _waits_for_a_lock(seconds: float = 10) -> None:
    """Until another session waits for a row lock (PostgreSQL); SQLite's BEGIN IMMEDIATE waits
    in its busy handler, where nothing shows it: a moment's pause instead."""
    if connection.vendor != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the second scoring never waited for the team's lock")


def test_a_scoring_that_waited_for_the_team_reads_the_row_the_first_one_wrote(
    competition, monkeypatch
):
    """Two submissions of one team scored at once: the second waits for the first's lock, then
    reads the board row as the first left it (b4117f9: under READ COMMITTED a read that waited
    for the lock saw the row as before the wait, and both said 'Your Best Entry!')."""
    bob = participant(competition, "bob")
    first = submission_claim(submission_id=submit(bob, competition).pk, worker="w1")
    second = submission_claim(submission_id=submit(bob, competition).pk, worker="w2")
    written, release, outcomes = threading.Event(), threading.Event(), {}
    real = board_services.submission_mark_scored

    def held_open(**kwargs):  # the first scoring stays uncommitted, holding its lock
        done = real(**kwargs)
        if kwargs["worker"] == "w1":
            written.set()
            release.wait(20)
        return done

    monkeypatch.setattr(board_services, "submission_mark_scored", held_open)

    def score(submission, worker, value):
        try:
            outcomes[worker] = record(submission, worker=worker, score=value)
        finally:
            connection.close()  # this thread's own

    one = threading.Thread(target=score, args=(first, "w1", 0.7))
    one.start()
    assert written.wait(20)
    two = threading.Thread(target=score, args=(second, "w2", 0.6))
    two.start()
    try:
        _waits_for_a_lock()
    finally:
        release.set()
        one.join(30)
        two.join(30)
    assert outcomes == {"w1": True, "w2": True}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.result_message.startswith("Your Best Entry! Your submission scored 0.70")
    assert second.result_message == (
        "Your submission scored 0.60, which is not an improvement of your best score. Keep trying!"
    )
    entry = LeaderboardEntry.objects.get(team__name="bob")
    assert (entry.entries, entry.best_submission_id) == (2, first.pk)
