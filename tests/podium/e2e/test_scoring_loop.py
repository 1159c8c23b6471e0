"""submit -> a real worker process scores it -> the board: on each backend (see conftest.py)."""

import pytest
from django.core.files.base import ContentFile

import scoring
from podium.competitions.answer_keys import prepared_solution
from podium.competitions.metrics import competition_metric
from podium.competitions.selectors import active_solution
from podium.core.files import materialize
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.selectors import public_board
from podium.submissions.models import Submission
from podium.submissions.selectors import submission_view
from tests.podium.factories import (
    competition_with_solution,
    organizer,
    participant,
    predictions_file,
    submit,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCORED, FAILED = Submission.Status.SCORED, Submission.Status.FAILED


def direct_scores(competition, submission) -> scoring.ScoreResult:
    """What the scoring library says, called directly in this process."""
    with materialize(submission.file) as path:
        return scoring.score_submission(
            prepared_solution(active_solution(competition)),
            path,
            metric=competition_metric(competition),
            params=competition.metric_params,
            max_bytes=competition.submission_max_bytes,
        )


def test_a_submission_is_scored_by_the_worker_and_lands_on_the_board(e2e):
    e2e.start_worker()
    competition = competition_with_solution()
    user = participant(competition)

    sub = submit(user, competition, file=predictions_file(competition, quality=0.4))
    e2e.wait_for_status(sub, SCORED, FAILED)

    assert sub.status == SCORED, sub.error_detail
    expected = direct_scores(competition, sub)
    assert sub.public_score == expected.public_score
    assert sub.private_score == expected.private_score
    assert sub.attempts == 1 and sub.lease_expires_at is None and sub.scored_at is not None
    assert sub.solution_version_id == active_solution(competition).pk
    assert sub.duration_ms is not None
    shown = f"{expected.public_score:.5f}"
    assert sub.result_message == (
        f"Your Best Entry! Your submission scored {shown}, placing you in position 1 on the "
        "leaderboard."
    )
    entry = LeaderboardEntry.objects.get(competition=competition)
    assert (entry.team_id, entry.best_submission_id, entry.entries) == (sub.team_id, sub.pk, 1)
    assert entry.best_public_score == expected.public_score
    [row] = public_board(competition=competition)
    assert (row.rank, row.team_name, row.score_display, row.entries) == (1, sub.team.name, shown, 1)


def test_a_broken_file_fails_with_the_participant_message_and_the_organizer_detail(e2e):
    e2e.start_worker()
    competition = competition_with_solution()
    user = participant(competition)

    sub = submit(user, competition, file=ContentFile(b"id,target\n1,0.5\n", name="short.csv"))
    e2e.wait_for_status(sub, SCORED, FAILED)

    assert sub.status == FAILED
    assert sub.error_code == "row_count_mismatch"
    seen_by_team = submission_view(sub, viewer=user)
    assert "Submission has 1 rows; expected 200." in seen_by_team.error_message
    assert seen_by_team.error_detail == ""  # the detail is for the organizers only
    seen_by_organizer = submission_view(sub, viewer=organizer(competition))
    assert '"problems"' in seen_by_organizer.error_detail
    assert sub.public_score is None and sub.private_score is None
    assert not LeaderboardEntry.objects.filter(competition=competition).exists()


def test_two_submissions_of_one_team_scored_at_once_count_both_and_keep_the_best(e2e):
    e2e.start_worker(concurrency=2)
    competition = competition_with_solution(rows=2000)
    user = participant(competition)

    good = submit(user, competition, file=predictions_file(competition, quality=0.8, seed=3))
    weak = submit(user, competition, file=predictions_file(competition, quality=0.1, seed=4))
    for sub in (good, weak):
        e2e.wait_for_status(sub, SCORED, FAILED)
        assert sub.status == SCORED, sub.error_detail

    assert good.public_score > weak.public_score
    entry = LeaderboardEntry.objects.get(competition=competition)
    assert entry.entries == 2
    assert entry.best_submission_id == good.pk
    assert entry.best_public_score == good.public_score
    assert entry.last_submission_at == max(good.created_at, weak.created_at)
    # The one written first opened the row; the one written second saw it (team row lock).
    if "not an improvement" in weak.result_message:  # the good one came first
        assert good.result_message.startswith("Your Best Entry! Your submission scored")
    else:  # the weak one came first, the good one improved on it
        assert weak.result_message.startswith("Your Best Entry! Your submission scored")
        assert good.result_message.startswith("Your Best Entry! You improved on your best score")
