"""Celery tasks: thin, take ids, safe to run twice (see workflows/scoring.py).

Queued by name (``core.queue``), so a lower app can queue one without importing this module.
A message queued under a former name (``podium.leaderboards.tasks.*``, before the workflows
layer) is dropped by the worker as unregistered; the reconciler and the rescoring sweep queue
its work again.
"""

from __future__ import annotations

import logging
import os
import socket

from celery import shared_task
from django.conf import settings

from podium.core.log_context import log_context
from podium.leaderboards import reveal
from podium.leaderboards import services as boards
from podium.submissions.services import orphan_files_remove, submissions_reconcile
from podium.workflows.rescoring import rescore_sweep, rescore_walk
from podium.workflows.scoring import submission_score

logger = logging.getLogger(__name__)


@shared_task(
    name="podium.workflows.tasks.score_submission",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.SCORING_SOFT_TIME_LIMIT,
    time_limit=settings.SCORING_TIME_LIMIT,
)
def score_submission(self, submission_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}:{self.request.id or 'local'}"
    with log_context(submission_id=submission_id):  # on every line its scoring logs
        outcome = submission_score(submission_id=submission_id, worker=worker)
        logger.info("Submission scoring: %s", outcome)
    return outcome


@shared_task(name="podium.workflows.tasks.reconcile_submissions")
def reconcile_submissions() -> dict:
    done = submissions_reconcile()
    for outcome, ids in done.items():
        for pk in ids:
            with log_context(submission_id=pk):
                logger.info("Reconciled: %s", outcome)
    return done


@shared_task(name="podium.workflows.tasks.remove_orphan_files")
def remove_orphan_files() -> int:
    """Periodic: stored submission files that no row names (a crash mid-upload)."""
    return len(orphan_files_remove())


@shared_task(name="podium.workflows.tasks.rescore_submissions")
def rescore_submissions(version_id: int, after_id: int = 0) -> int | None:
    """One step of a rescoring's walk over the submissions (queues the next one)."""
    return rescore_walk(version_id=version_id, after_id=after_id)


@shared_task(name="podium.workflows.tasks.rescoring_sweep")
def rescoring_sweep() -> dict:
    """Periodic: requeue what a rescoring lost, finish rescorings that are done."""
    return rescore_sweep()


@shared_task(name="podium.workflows.tasks.reveal_due_boards")
def reveal_due_boards() -> list[str]:
    """Periodic (every minute): reveal the private boards of competitions that have ended."""
    return reveal.reveal_due_boards()


@shared_task(name="podium.workflows.tasks.snapshot_board_ranks")
def snapshot_board_ranks() -> dict[str, int]:
    """Periodic: record the public ranks that changed (the boards' 24-hour moves, rank history)."""
    return boards.board_ranks_snapshot_due()
