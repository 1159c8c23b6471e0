"""Worker progress: when each worker last got something done, and whether it is stuck.

A worker that answers ping can still be wedged (issue 15: a pool that holds a backlog and
starts nothing). What tells a live worker from a wedged one is progress, so every worker process
notes it: when a task ends, when a lease is renewed (a long scoring or kernel run), and at
start. :func:`worker_stall` then says that a worker is stuck when work waits in its queues and
it has noted nothing for ``stall_seconds``; the devserver's supervisor restarts such a worker,
the container's health check (``manage.py podium_worker_alive``) fails, and ``/readyz`` reports it.

Notes live in the shared cache (a file cache on the embedded default, Redis in production), one
key per worker node plus one for "any worker", each written at most every ``_EVERY`` seconds per
process, so noting costs no SQL and at most a cache write every few seconds. A cache that is
down forgets progress: every reader then answers "unknown", which never restarts anything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

from podium.core.broker_queues import queue_depths

logger = logging.getLogger(__name__)

_EVERY = 2.0  # seconds between two writes of one process
_KEEP = 7 * 24 * 3600  # how long the cache keeps a note
ANY = "any"  # the node name under which every note is also written

_node = ""  # this process's worker node name, set when the worker starts (see set_node)
_last_written = 0.0
_lock = threading.Lock()


def _key(node: str) -> str:
    return f"podium:progress:{node}"


def set_node(node: str) -> None:
    """Name this process's worker (Celery's node name, ``name@host``). A prefork worker's pool
    processes inherit it."""
    global _node
    _node = node


def node() -> str:
    return _node


def progress_note(*, force: bool = False) -> None:
    """Note that this worker got something done now (at most every ``_EVERY`` s; never raises)."""
    global _last_written
    moment = time.time()
    with _lock:
        if not force and moment - _last_written < _EVERY:
            return
        _last_written = moment
    names = [ANY] + ([_node] if _node else [])
    try:
        cache.set_many({_key(n): moment for n in names}, timeout=_KEEP)
    except Exception as exc:  # noqa: BLE001 - the cache's error, whatever its kind
        logger.warning("Could not note worker progress: %s", exc)


def last_progress(node: str = ANY) -> float | None:
    """When ``node`` (default: any worker) last noted progress, as a Unix time; None: never or
    unknown."""
    try:
        value = cache.get(_key(node))
    except Exception as exc:  # noqa: BLE001
        logger.warning("Could not read worker progress: %s", exc)
        return None
    return float(value) if value is not None else None


@dataclass(frozen=True)
class Stall:
    """A verdict on one worker: ``stuck`` with the reason why, or not."""

    stuck: bool
    reason: str
    backlog: int | None = None
    idle_seconds: float | None = None


def worker_stall(
    node: str, queues: Iterable[str], *, stall_seconds: float, started_at: float = 0.0
) -> Stall:
    """Whether worker ``node``, consuming ``queues``, is stuck: work waits in its queues and it
    has noted no progress for ``stall_seconds`` since it last did, or since ``started_at`` (a
    Unix time: a worker that just started has had no chance yet). Unknown (broker or cache
    unreadable) is never stuck."""
    depths = queue_depths(queues)
    if depths is None:
        return Stall(False, "the broker's queues cannot be read")
    backlog = sum(depths.values())
    if backlog == 0:
        return Stall(False, "no work waiting", backlog=0)
    last = max(last_progress(node) or 0.0, started_at)
    if last == 0.0:
        return Stall(False, "no progress noted yet", backlog=backlog)
    idle = time.time() - last
    if idle <= stall_seconds:
        return Stall(False, f"progress {idle:.0f} s ago", backlog=backlog, idle_seconds=idle)
    return Stall(
        True,
        f"{backlog} messages wait in {', '.join(sorted(depths))} and this worker has got nothing "
        f"done for {idle:.0f} s",
        backlog=backlog,
        idle_seconds=idle,
    )
