"""Celery tasks of the kernels app: thin, take ids, safe to run twice.

``run_kernel`` goes to the queue the run names (``cpu``, or ``gpu`` where a GPU worker runs).
It holds a lease renewed by a heartbeat: a second delivery of the message (Redis redelivers an
unacknowledged task after its visibility timeout, even while the first still runs) finds the run
leased and does nothing. Its hard time limit is above every run's wall-clock limit (the sandbox
stops the kernel itself). ``reconcile_kernels`` (beat) takes back runs whose worker died.
"""

from __future__ import annotations

import os
import socket

from celery import shared_task
from django.conf import settings

from podium.kernels.execution import execute
from podium.kernels.services import kernels_reconcile


@shared_task(
    name="podium.kernels.tasks.run_kernel",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.KERNEL_TASK_TIME_LIMIT,
)
def run_kernel(self, run_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}:{self.request.id or 'local'}"
    return execute(run_id=run_id, worker=worker)


@shared_task(name="podium.kernels.tasks.reconcile_kernels")
def reconcile_kernels() -> dict:
    return kernels_reconcile()
