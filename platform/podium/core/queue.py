"""Queueing Celery tasks by name, after the surrounding transaction commits.

By name, so a lower layer (submissions) can queue a task that lives in a higher one
(workflows) without importing it; after commit, so a worker never looks for a row that is not
there yet. In eager mode (tests that want no worker) the task runs in-process instead.

A broker that fails at that moment (Redis restarting, a full disk under the folder broker) must
not fail what was already committed: the error is logged and the caller carries on. Every task
queued here has a reconciler that queues its work again (pending submissions, queued kernel
runs, an open rescoring), so nothing is lost, only later.
"""

from __future__ import annotations

import logging
from importlib import import_module

from django.db import transaction

logger = logging.getLogger(__name__)

SCORE_SUBMISSION = "podium.workflows.tasks.score_submission"
RESCORE_SUBMISSIONS = "podium.workflows.tasks.rescore_submissions"
RUN_KERNEL = "podium.kernels.tasks.run_kernel"
# Medals, points and tiers from a revealed private board (progression: above the boards).
COMPUTE_AWARDS = "podium.progression.tasks.compute_awards"
EMAIL_NOTIFICATIONS = "podium.notifications.tasks.email_notifications"


def enqueue_on_commit(task_name: str, *args, **options) -> None:
    def send() -> None:
        from celery import current_app

        if current_app.conf.task_always_eager:
            import_module(task_name.rsplit(".", 1)[0])  # registers it, as a worker would
            current_app.tasks[task_name].apply(args=args)
            return
        try:
            current_app.send_task(task_name, args=args, **options)
        except Exception:  # the broker's error, whatever its kind: the row is committed
            logger.exception(
                "Could not queue %s%r; the reconciler will queue it again.", task_name, args
            )

    transaction.on_commit(send)
