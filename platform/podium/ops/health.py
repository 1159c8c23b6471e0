"""Readiness: whether this Podium can do its work now (``/readyz``).

Five checks, run side by side, each bounded: the database (``SELECT 1``), the broker (its queue
depths can be read), the default storage (a small marker written and deleted under ``ops/``),
the cache (a key written and read back) and the workers (``core.progress``: work waits and no
worker got anything done for ``WORKER_STALL_SECONDS``). Each answers a status, a detail of a few
fixed words and its latency; the reason a check failed (hosts, errors) goes to the log only, as
this answer may be public. A check that has not answered by ``DEADLINE_SECONDS`` fails; while it
hangs, later polls wait on that same check rather than start another.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections

from podium.core import progress
from podium.core.broker_queues import queue_depths

logger = logging.getLogger(__name__)

DEADLINE_SECONDS = 3.0
OK, FAIL = "ok", "fail"
PROBE_FOLDER = "ops/readyz"


class CheckFailed(Exception):
    """A check's failure, with the few words the answer may show."""


@dataclass(frozen=True)
class Check:
    status: str
    detail: str
    latency_ms: float

    def as_dict(self) -> dict:
        return {"status": self.status, "detail": self.detail, "latency_ms": self.latency_ms}


def _database() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread's own connection: never left open
    return "answers"


def _broker() -> str:
    if queue_depths(settings.WORKER_QUEUES) is None:
        raise CheckFailed("cannot read the queues")
    return "queues readable"


def _storage() -> str:
    name = default_storage.save(f"{PROBE_FOLDER}/{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)
    return "writable"


def _cache() -> str:
    key, value = f"podium:readyz:{uuid.uuid4().hex}", time.time()
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise CheckFailed("does not keep a value")
    cache.delete(key)
    return "answers"


def _worker() -> str:
    verdict = progress.worker_stall(
        progress.ANY, settings.WORKER_QUEUES, stall_seconds=settings.WORKER_STALL_SECONDS
    )
    if verdict.stuck:
        logger.warning("readyz: workers stuck: %s", verdict.reason)
        raise CheckFailed("work waits and no worker makes progress")
    if verdict.backlog is None:
        return "unknown (broker unreadable)"
    return "no work waiting" if verdict.backlog == 0 else "making progress"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "broker": _broker,
    "storage": _storage,
    "cache": _cache,
    "worker": _worker,
}


def _timed(name: str, check: Callable[[], str]) -> Check:
    started = time.monotonic()
    try:
        detail, status = check(), OK
    except CheckFailed as exc:
        detail, status = str(exc), FAIL
    except Exception as exc:  # noqa: BLE001 - whatever the dependency raises: a failed check
        logger.warning("readyz: the %s check failed: %r", name, exc)
        detail, status = "unreachable", FAIL
    return Check(status, detail, round((time.monotonic() - started) * 1000, 1))


_running: dict[str, Future] = {}
_running_lock = threading.Lock()


def _start(name: str, check: Callable[[], str]) -> Future:
    """The check, in a daemon thread of its own; while one still runs (a dependency that hangs),
    its answer is awaited again instead of starting another, so polling never piles up threads."""
    with _running_lock:
        running = _running.get(name)
        if running is not None and not running.done():
            return running
        future = _running[name] = Future()
    thread = threading.Thread(
        target=lambda: future.set_result(_timed(name, check)), name=f"readyz-{name}", daemon=True
    )
    thread.start()
    return future


def readiness() -> dict:
    """``{"status": "ok"|"fail", "checks": {name: {status, detail, latency_ms}}}``."""
    futures = {name: _start(name, check) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=DEADLINE_SECONDS)
    checks = {}
    for name, future in futures.items():
        if future.done():
            checks[name] = future.result()
        else:
            logger.warning("readyz: the %s check did not answer in %s s", name, DEADLINE_SECONDS)
            checks[name] = Check(FAIL, "timed out", DEADLINE_SECONDS * 1000)
    ok = all(check.status == OK for check in checks.values())
    return {
        "status": OK if ok else FAIL,
        "checks": {name: check.as_dict() for name, check in checks.items()},
    }
