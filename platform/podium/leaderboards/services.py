"""Writes of the boards.

The public board: a scored submission and its team's row change in one transaction. Locking:
the team row is locked before its board row is read and written, so two submissions of one team
scored at once update the row one after the other. Every write that changes what a board shows
calls ``cache.board_changed`` (the cached pages are dropped once it commits).

The private board (``private_board_build``; its reveal is ``leaderboards.reveal``) and the public
board's rank history (``board_ranks_snapshot``): see each one's docstring for its locks.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Subquery

from podium.competitions.models import Competition
from podium.core.locks import lock_row
from podium.core.timeutils import now
from podium.leaderboards.cache import board_changed
from podium.leaderboards.entry_sql import entry_upsert, team_lock
from podium.leaderboards.models import LeaderboardEntry, PrivateEntry, RankSnapshot
from podium.leaderboards.selectors import public_ranks, ranked_entries, sort_key
from podium.submissions.models import Submission
from podium.submissions.services import (
    LEASE,
    final_selections_autoselect,
    submission_mark_scored,
)
from podium.teams.models import Team

logger = logging.getLogger(__name__)


def _moved(before: int, after: int) -> str:
    if after < before:
        n = before - after
        return f"You just moved up {n} position{'s' if n != 1 else ''} on the leaderboard."
    return f"You are still in position {after} on the leaderboard."


class _Moved(Exception):
    """The submission's team changed (a merge) between the lock and the write: try again."""


class _Lost(Exception):
    """The lease was lost: roll back what was written."""


def score_record(
    *,
    submission: Submission,
    worker: str,
    public_score: float,
    private_score: float,
    duration_ms: int,
    solution_version_id: int,
) -> bool:
    """Write a scored submission, its message for the participant and, if it is on time, its
    team's board row, in one transaction; False if this worker no longer held the lease (someone
    else wrote the result, or will).

    Three statements (``entry_sql``): lock the submission's team; upsert its board row from
    scratch with the submission counted, returning the new rank and the row as it was before
    (read in the lock's statement on SQLite, in the upsert's on PostgreSQL); then the
    submission's UPDATE (scores and message), filtered on the lease and the team. If that UPDATE
    matches nothing, everything is rolled back: the lease was lost, or a merge moved the
    submission to another team after the lock (then it is tried again with that team).
    """
    while True:
        try:
            with transaction.atomic():
                return _score_write(
                    submission,
                    worker,
                    public_score,
                    private_score,
                    duration_ms,
                    solution_version_id,
                )
        except _Moved:
            continue
        except _Lost:
            return False


def _score_write(
    submission: Submission,
    worker: str,
    public_score: float,
    private_score: float,
    duration_ms: int,
    solution_version_id: int,
) -> bool:
    competition: Competition = submission.competition
    team = team_lock(submission.pk)
    if team is None:  # merged away just now: the submission has moved to the survivor
        if _still_held(submission, worker):
            raise _Moved
        return False
    shown = f"{public_score:.{competition.score_display_precision}f}"
    on_board = not submission.is_late and not team.disqualified and not submission.is_test
    if submission.is_test:  # a draft's rehearsal: scored, never on a board
        message = (
            f"Your test submission scored {shown}. Test submissions on a draft are never on a "
            "leaderboard."
        )
    elif submission.is_late:
        message = f"Your late submission scored {shown}. Late submissions are not ranked."
    elif team.disqualified:
        message = f"Your submission scored {shown}. Your team is not ranked (disqualified)."
    else:
        entry = entry_upsert(
            competition_id=competition.pk,
            team_id=team.id,
            greater_is_better=competition.greater_is_better,
            submission_id=submission.pk,
            public_score=public_score,
            before=team.before,
        )
        if entry is None:  # moved to another team since the lock: nothing was written
            raise _Moved if _still_held(submission, worker) else _Lost
        message = _board_message(competition, entry, submission.pk, public_score, shown)
    written = submission_mark_scored(
        submission=submission,
        worker=worker,
        public_score=public_score,
        private_score=private_score,
        duration_ms=duration_ms,
        solution_version_id=solution_version_id,
        team_id=team.id,
        result_message=message,
    )
    if not written:  # raised, so the board row written above is rolled back too
        raise _Moved if _still_held(submission, worker) else _Lost
    submission.team_id = team.id
    if on_board:
        board_changed(competition.pk)
    return True


def _still_held(submission: Submission, worker: str) -> bool:
    """The lease is still ours (so the write missed because the team changed)."""
    return LEASE.held(submission.pk, worker).exists()


def _board_message(
    competition: Competition, entry, submission_id: int, score: float, shown: str
) -> str:
    before = entry.before  # the team's row as it was before this write
    if before is None:
        return (
            f"Your Best Entry! Your submission scored {shown}, placing you in position "
            f"{entry.rank} on the leaderboard."
        )
    if entry.best_submission_id != submission_id or before.best_submission_id == submission_id:
        return (
            f"Your submission scored {shown}, which is not an improvement of your best score. "
            "Keep trying!"
        )
    gain = abs(score - before.best_public_score)
    return (
        f"Your Best Entry! You improved on your best score by "
        f"{gain:.{competition.score_display_precision}f}. " + _moved(before.rank, entry.rank)
    )


_UNREAD = object()


def team_entry_refresh(
    *, competition: Competition, team: Team, entry=_UNREAD
) -> LeaderboardEntry | None:
    """Recompute a team's board row from its scored, on-time submissions.

    From scratch rather than incrementally, so rescoring, a changed answer key or a merge can
    never count an entry twice. ``entry``: the team's row as the caller already read it under
    the lock (None: it has none), so it is not read again; it is left as it was. Call with the
    team row locked.
    """
    scored = Submission.objects.filter(
        competition=competition,
        team=team,
        status=Submission.Status.SCORED,
        is_late=False,
        is_test=False,
        public_score__isnull=False,
    )
    summary = scored.aggregate(entries=Count("pk"), first=Min("created_at"), last=Max("created_at"))
    board_changed(competition.pk)
    if not summary["entries"]:
        LeaderboardEntry.objects.filter(team=team).delete()
        return None
    best_first = "-public_score" if competition.greater_is_better else "public_score"
    best = scored.order_by(best_first, "created_at", "pk").first()
    fields = {
        "competition": competition,
        "best_submission": best,
        "best_public_score": best.public_score,
        "sort_key": sort_key(competition, best.public_score),
        "best_submitted_at": best.created_at,
        "entries": summary["entries"],
        "last_submission_at": summary["last"],
        "first_entry_at": summary["first"],
    }
    if entry is _UNREAD:
        refreshed, _ = LeaderboardEntry.objects.update_or_create(team=team, defaults=fields)
        return refreshed
    if entry is None:
        return LeaderboardEntry.objects.create(team=team, **fields)
    LeaderboardEntry.objects.filter(pk=entry.pk).update(**fields)
    return LeaderboardEntry(pk=entry.pk, team=team, **fields)


# -- the private board and its reveal --------------------------------------------------------


def private_board_build(*, competition: Competition) -> int:
    """Rebuild the private board from scratch; returns its number of rows. Idempotent.

    Each team that is not disqualified is ranked by the best private score among the
    submissions that count for it, ties to the earlier submission (then the lower team id):

    - its final selections; a team that chose none gets its best public ones, written here as
      automatic selections (``final_selections_autoselect``, Kaggle's rule);
    - with the competition's fallback ``best_private`` (DrivenData), all its submissions.

    Only scored, on-time submissions count: a late one is never on the board. Each row keeps the
    team's public rank and score at this moment, for the board's shake-up column. Used by the
    reveal, and after it by whatever changes scores or teams (rescoring, disqualification).

    Locking: the competition row, as ``final_selection_set`` and ``leaderboard_reveal`` take it,
    so no selection changes while this reads them, and two rebuilds run one after the other.
    """
    with transaction.atomic():
        locked = lock_row(Competition.objects, competition.pk)
        counted = Submission.objects.filter(
            competition=locked,
            status=Submission.Status.SCORED,
            is_late=False,
            is_test=False,
            private_score__isnull=False,
            team__disqualified_at__isnull=True,
        )
        if locked.final_selection_fallback != Competition.FinalSelectionFallback.BEST_PRIVATE:
            final_selections_autoselect(competition=locked)
            counted = counted.filter(final_selection__isnull=False)
        best_first = "-private_score" if locked.greater_is_better else "private_score"
        best: dict[int, tuple[int, float, datetime]] = {}
        rows = counted.order_by("team_id", best_first, "created_at", "pk").values_list(
            "team_id", "pk", "private_score", "created_at"
        )
        for team_id, pk, score, created_at in rows.iterator(chunk_size=2000):
            best.setdefault(team_id, (pk, score, created_at))
        ordered = sorted(
            best.items(), key=lambda item: (-sort_key(locked, item[1][1]), item[1][2], item[0])
        )
        public = public_ranks(competition=locked)
        moment = now()
        PrivateEntry.objects.filter(competition=locked).delete()
        PrivateEntry.objects.bulk_create(
            (
                PrivateEntry(
                    competition=locked,
                    team_id=team_id,
                    submission_id=pk,
                    private_score=score,
                    sort_key=sort_key(locked, score),
                    submitted_at=created_at,
                    rank=rank,
                    public_rank=public.get(team_id, (None, None))[0],
                    public_score=public.get(team_id, (None, None))[1],
                    built_at=moment,
                )
                for rank, (team_id, (pk, score, created_at)) in enumerate(ordered, start=1)
            ),
            batch_size=1000,
        )
    return len(ordered)


# -- rank history ----------------------------------------------------------------------------


@transaction.atomic
def board_ranks_snapshot(*, competition: Competition, moment: datetime | None = None) -> int:
    """Record the public rank and best score of every team whose rank or score changed since
    its previous snapshot (every team the first time); returns how many were written.

    One read of the board, each row beside its team's latest snapshot (a correlated subquery on
    the index ``rank_snapshot_team``), then one bulk insert of what moved. Periodic rather than
    in the scoring transaction: one team's new best moves every team it passes, so snapshots
    written there would cost up to a row per team on every improvement, under the team's lock;
    here the cost is bounded by the board's size per period, whatever the submission rate.
    No locks: a row that changes meanwhile is caught by the next snapshot.
    """
    moment = moment or now()
    latest = RankSnapshot.objects.filter(team=OuterRef("team_id")).order_by("-taken_at")
    rows = (
        ranked_entries(competition=competition)
        .annotate(
            last_rank=Subquery(latest.values("rank")[:1]),
            last_score=Subquery(latest.values("score")[:1]),
        )
        .values_list("team_id", "best_public_score", "last_rank", "last_score")
    )
    changed = [
        RankSnapshot(
            competition=competition, team_id=team_id, rank=rank, score=score, taken_at=moment
        )
        for rank, (team_id, score, last_rank, last_score) in enumerate(rows, start=1)
        if (last_rank, last_score) != (rank, score)
    ]
    RankSnapshot.objects.bulk_create(changed, batch_size=1000)
    if changed:  # the board's 24-hour moves read the snapshots
        board_changed(competition.pk)
    return len(changed)


def board_ranks_snapshot_due(*, moment: datetime | None = None) -> dict[str, int]:
    """Snapshot every board that is running or ended less than a day ago; returns the number of
    snapshots written per slug. Older boards are left alone: their 24-hour change has run its
    course and their history is complete."""
    moment = moment or now()
    boards = Competition.objects.filter(start_at__lte=moment, end_at__gt=moment - timedelta(days=1))
    return {c.slug: board_ranks_snapshot(competition=c, moment=moment) for c in boards}
