"""Celery tasks: thin, take ids, safe to run twice (see leaderboards/scoring.py)."""

from __future__ import annotations

import os
import socket

from celery import shared_task
from django.conf import settings

from podium.leaderboards.scoring import score_submission as score
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
