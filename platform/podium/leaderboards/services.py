"""Writes of the public board: a scored submission and its team's row change in one transaction.

Locking: the team row is locked before its board row is read and written, so two submissions of
one team scored at once update the row one after the other.
"""

from __future__ import annotations

from django.db import transaction

from podium.competitions.models import Competition
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.selectors import rank_of, sort_key
from podium.submissions.models import Submission
from podium.submissions.services import submission_mark_scored, submission_set_result_message
from podium.teams.models import Team


def _moved(before: int, after: int) -> str:
    if after < before:
        n = before - after
        return f"You just moved up {n} position{'s' if n != 1 else ''} on the leaderboard."
    return f"You are still in position {after} on the leaderboard."


def score_record(
    *, submission: Submission, worker: str, public_score: float, private_score: float,
    duration_ms: int, solution_version_id: int,
) -> bool:
    """Write a scored submission and, if it is on time, its team's board row; False if this
    worker no longer held the lease (someone else wrote the result, or will)."""
    competition: Competition = submission.competition
    precision = competition.score_display_precision
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=submission.team_id)
        written = submission_mark_scored(
            submission=submission, worker=worker, public_score=public_score,
            private_score=private_score, duration_ms=duration_ms, solution_version_id=solution_version_id,
        )
        if not written:
            return False
        shown = f"{public_score:.{precision}f}"
        if submission.is_late:
            message = f"Your late submission scored {shown}. Late submissions are not ranked."
        elif team.disqualified_at:
            message = f"Your submission scored {shown}. Your team is not ranked (disqualified)."
        else:
            message = _board_update(competition, team, submission, public_score, shown)
        submission_set_result_message(submission_id=submission.pk, message=message)
    return True


def team_entry_refresh(*, competition: Competition, team: Team) -> LeaderboardEntry | None:
    """Recompute a team's board row from its scored, on-time submissions.

    From scratch rather than incrementally, so rescoring, a changed answer key or a merge can
    never count an entry twice. Call with the team row locked.
    """
    scored = Submission.objects.filter(
        competition=competition, team=team, status=Submission.Status.SCORED, is_late=False,
        public_score__isnull=False,
    )
    entries = scored.count()
    if not entries:
        LeaderboardEntry.objects.filter(team=team).delete()
        return None
    best_first = "-public_score" if competition.greater_is_better else "public_score"
    best = scored.order_by(best_first, "created_at", "pk").first()
    last = scored.order_by("-created_at").values_list("created_at", flat=True).first()
    entry, _ = LeaderboardEntry.objects.update_or_create(
        team=team,
        defaults={
            "competition": competition, "best_submission": best,
            "best_public_score": best.public_score, "sort_key": sort_key(competition, best.public_score),
            "best_submitted_at": best.created_at, "entries": entries, "last_submission_at": last,
        },
    )
    return entry


def _board_update(
    competition: Competition, team: Team, submission: Submission, score: float, shown: str
) -> str:
    before = LeaderboardEntry.objects.filter(team=team).first()
    was = before and rank_of(
        competition=competition, key=before.sort_key, submitted_at=before.best_submitted_at
    )
    entry = team_entry_refresh(competition=competition, team=team)
    rank = rank_of(competition=competition, key=entry.sort_key, submitted_at=entry.best_submitted_at)
    if before is None:
        return (
            f"Your Best Entry! Your submission scored {shown}, placing you in position {rank} "
            "on the leaderboard."
        )
    if entry.best_submission_id != submission.pk or before.best_submission_id == submission.pk:
        return (
            f"Your submission scored {shown}, which is not an improvement of your best score. "
            "Keep trying!"
        )
    gain = abs(score - before.best_public_score)
    return (
        f"Your Best Entry! You improved on your best score by "
        f"{gain:.{competition.score_display_precision}f}. " + _moved(was, rank)
    )
