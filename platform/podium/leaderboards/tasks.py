"""Celery tasks: thin, take ids, safe to run twice (see leaderboards/scoring.py)."""

from __future__ import annotations

import os
import socket

from celery import shared_task
from django.conf import settings

from podium.leaderboards.rescoring import rescore_sweep, rescore_walk
from podium.leaderboards.scoring import score_submission as score
from podium.leaderboards.services import board_ranks_snapshot_due
from podium.leaderboards.services import reveal_due_boards as reveal_due
from podium.submissions.services import submissions_reconcile


@shared_task(
    name="podium.leaderboards.tasks.score_submission",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.SCORING_SOFT_TIME_LIMIT,
    time_limit=settings.SCORING_TIME_LIMIT,
)
def score_submission(self, submission_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}:{self.request.id or 'local'}"
    return score(submission_id=submission_id, worker=worker)


@shared_task(name="podium.leaderboards.tasks.reconcile_submissions")
def reconcile_submissions() -> dict:
    return submissions_reconcile()


@shared_task(name="podium.leaderboards.tasks.rescore_submissions")
def rescore_submissions(version_id: int, after_id: int = 0) -> int | None:
    """One step of a rescoring's walk over the submissions (queues the next one)."""
    return rescore_walk(version_id=version_id, after_id=after_id)


@shared_task(name="podium.leaderboards.tasks.rescoring_sweep")
def rescoring_sweep() -> dict:
    """Periodic: requeue what a rescoring lost, finish rescorings that are done."""
    return rescore_sweep()


@shared_task(name="podium.leaderboards.tasks.reveal_due_boards")
def reveal_due_boards() -> list[str]:
    """Periodic (every minute): reveal the private boards of competitions that have ended."""
    return reveal_due()


@shared_task(name="podium.leaderboards.tasks.snapshot_board_ranks")
def snapshot_board_ranks() -> dict[str, int]:
    """Periodic: record the public ranks that changed (the boards' 24-hour moves, rank history)."""
    return board_ranks_snapshot_due()
