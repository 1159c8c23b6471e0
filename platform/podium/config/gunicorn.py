"""gunicorn's configuration, read from the environment:
``gunicorn -c python:podium.config.gunicorn`` (the WSGI app is named here: nothing else needed).

Threaded workers by default, their threads split between reads and writes
(``config/gunicorn_worker.py``): a request holds one thread, not the whole process, and waits
only for a thread of its kind, so a burst of uploads never queues a board read. With sync
workers, 2,000 uploads from 32 clients queued every read behind them; with one thread pool,
behind the uploads that held every thread (issue 15; the figures are in ``python -m
benchmarks.load``). ``PODIUM_WEB_THREADS=1`` gives sync workers back.

* ``PODIUM_WEB_BIND`` (``0.0.0.0:8000``), ``PODIUM_WEB_WORKERS`` (processes, 4),
  ``PODIUM_WEB_THREADS`` (per process, 8), ``PODIUM_WEB_WRITE_THREADS`` (of those, for
  requests other than GET/HEAD/OPTIONS: half), ``PODIUM_WEB_SWITCH_INTERVAL_MS`` (the GIL's
  hand-off interval in a threaded worker, 1);
* ``PODIUM_WEB_TIMEOUT`` (s, 120: a worker silent this long is killed and replaced),
  ``PODIUM_WEB_GRACEFUL_TIMEOUT`` (s, 30: on SIGTERM, what requests get to finish),
  ``PODIUM_WEB_KEEPALIVE`` (s, 5: idle keep-alive connections, threaded workers only);
* ``PODIUM_WEB_MAX_REQUESTS`` (0: never; else a worker is replaced after about this many);
* ``PODIUM_WEB_ACCESS_LOG`` (``-``: stdout; a path; empty: none), ``PODIUM_WEB_LOG_LEVEL`` (info);
* ``PROMETHEUS_MULTIPROC_DIR``: where the workers' request metrics are merged
  (``ops/multiproc.py``): emptied when the master starts, each exited worker marked dead.
  Unset: each worker's ``/metrics`` shows its own requests only.

Each thread keeps its own database connection: workers x threads connections per host.
"""

from __future__ import annotations

import os

from podium.config.env import env, env_int
from podium.ops import multiproc

wsgi_app = "podium.config.wsgi:application"
bind = [env("PODIUM_WEB_BIND", "0.0.0.0:8000")]
workers = max(1, env_int("PODIUM_WEB_WORKERS", 4))
threads = max(1, env_int("PODIUM_WEB_THREADS", 8))
worker_class = "podium.config.gunicorn_worker.SplitThreadWorker" if threads > 1 else "sync"
timeout = env_int("PODIUM_WEB_TIMEOUT", 120)
graceful_timeout = env_int("PODIUM_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("PODIUM_WEB_KEEPALIVE", 5)
max_requests = env_int("PODIUM_WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# The workers' heartbeat files: on a disk, a stalled filesystem (a container's overlay) can
# stall every worker's heartbeat and have them all killed; memory never does.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = env("PODIUM_WEB_ACCESS_LOG", "-") or None
loglevel = env("PODIUM_WEB_LOG_LEVEL", "info")
# Client, request line, status, bytes, duration in ms, the request id (podium.ops), user agent.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'


def on_starting(server) -> None:  # the master, before any worker
    multiproc.folder_reset()


def child_exit(server, worker) -> None:  # the master, after a worker exited
    multiproc.process_dead(worker.pid)
