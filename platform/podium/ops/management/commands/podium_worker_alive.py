"""``manage.py podium_worker_alive``: a Celery worker's health check that sees progress.

A wedged worker still answers ``celery inspect ping``; this asks instead whether work waits in
the worker's queues while the worker has got nothing done (no task ended, no lease renewed) for
``PODIUM_WORKER_STALL_SECONDS`` (``core/progress.py``). Exit 1 with the reason when it is stuck
(the container is then restarted), 0 otherwise, including when the broker or the cache cannot be
read: that is their own check's business (``/readyz``), and restarting workers would not help.
"""

from __future__ import annotations

import socket
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from podium.core.progress import worker_stall


class Command(BaseCommand):
    help = "Exit 1 when this host's worker is stuck: work waits and it gets nothing done."

    def add_arguments(self, parser):
        parser.add_argument(
            "--node",
            required=True,
            help="The worker's node name, as given to `celery worker -n` (e.g. default@%%h).",
        )
        parser.add_argument(
            "--queues",
            default=",".join(settings.WORKER_QUEUES),
            help="The queues it consumes, comma separated (as `celery worker -Q`).",
        )
        parser.add_argument("--stall-seconds", type=float, default=None)

    def handle(self, *args, node: str, queues: str, stall_seconds: float | None, **options):
        node = node.replace("%h", socket.gethostname())
        stall = worker_stall(
            node,
            [q for q in queues.split(",") if q],
            stall_seconds=stall_seconds or settings.WORKER_STALL_SECONDS,
        )
        if stall.stuck:
            self.stderr.write(f"{node} is stuck: {stall.reason}.")
            sys.exit(1)
        self.stdout.write(f"{node}: alive ({stall.reason}).")
