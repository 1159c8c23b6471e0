"""The public board as the scoring transaction keeps it: best score, ties, entries, messages."""

import pytest

from podium.leaderboards.selectors import public_board, team_entry
from podium.leaderboards.services import team_entry_refresh
from podium.submissions.models import Submission
from podium.submissions.services import submission_rescore
from tests.podium.factories import competition_with_solution, participant, predictions_file, submit

pytestmark = pytest.mark.django_db(transaction=True)


def scored(sub):
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORED, sub.error_message
    return sub


def test_best_score_ranks_and_kaggle_messages(eager):
    competition = competition_with_solution(score_display_precision=4)
    alice, bob, carol = (participant(competition, name) for name in ("alice", "bob", "carol"))
    scored(submit(alice, competition, predictions_file(competition, quality=0.3, seed=1)))
    scored(submit(bob, competition, predictions_file(competition, quality=0.2, seed=2)))
    first = scored(submit(carol, competition, predictions_file(competition, quality=0.02, seed=3)))
    assert first.result_message.endswith("placing you in position 3 on the leaderboard.")

    better = scored(submit(carol, competition, predictions_file(competition, quality=0.45, seed=4)))
    gain = better.public_score - first.public_score
    assert better.result_message == (
        f"Your Best Entry! You improved on your best score by {gain:.4f}. "
        "You just moved up 2 positions on the leaderboard."
    )
    worse = scored(submit(carol, competition, predictions_file(competition, quality=0.05, seed=5)))
    assert worse.result_message == (
        f"Your submission scored {worse.public_score:.4f}, which is not an improvement of your "
        "best score. Keep trying!"
    )
    board = public_board(competition=competition)
    assert [row.team_name for row in board] == ["carol", "alice", "bob"]
    assert [row.rank for row in board] == [1, 2, 3]
    assert board[0].entries == 3 and board[0].score == better.public_score
    assert board[0].score_display == f"{better.public_score:.4f}"


def test_a_tie_goes_to_the_earlier_submission(eager):
    competition = competition_with_solution()
    early, late = participant(competition, "early"), participant(competition, "late")
    same = dict(quality=0.5, seed=7)
    scored(submit(early, competition, predictions_file(competition, **same)))
    tied = scored(submit(late, competition, predictions_file(competition, **same)))
    assert [row.team_name for row in public_board(competition=competition)] == ["early", "late"]
    assert "position 2" in tied.result_message
    # Resubmitting the same score later is not an improvement, and keeps the earlier one.
    again = scored(submit(early, competition, predictions_file(competition, **same)))
    assert "not an improvement" in again.result_message
    entry, rank = team_entry(competition=competition, team=again.team)
    assert rank == 1 and entry.best_submission_id != again.pk


def test_lower_is_better_metrics_rank_ascending(eager):
    competition = competition_with_solution(metric="log_loss")
    good, bad = participant(competition, "good"), participant(competition, "bad")
    scored(submit(bad, competition, predictions_file(competition, quality=0.1, seed=1)))
    scored(submit(good, competition, predictions_file(competition, quality=0.9, seed=2)))
    board = public_board(competition=competition)
    assert [row.team_name for row in board] == ["good", "bad"]
    assert board[0].score < board[1].score


def test_rescoring_never_counts_an_entry_twice(eager):
    competition = competition_with_solution()
    user = participant(competition)
    sub = scored(submit(user, competition))
    assert submission_rescore(submission_id=sub.pk)
    scored(sub)
    entry, _ = team_entry(competition=competition, team=sub.team)
    assert entry.entries == 1 and entry.best_submission_id == sub.pk


def test_refresh_drops_the_row_of_a_team_without_scored_entries(eager):
    competition = competition_with_solution()
    user = participant(competition)
    sub = scored(submit(user, competition))
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.FAILED)
    assert team_entry_refresh(competition=competition, team=sub.team) is None
    assert public_board(competition=competition) == []
