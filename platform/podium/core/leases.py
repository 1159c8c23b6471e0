"""The lease protocol, written once: how a worker takes a row of work, keeps it, and ends it.

A :class:`Lease` is parametrized by a model and the names of its fields and statuses
(submissions: pending -> scoring; kernel runs: queued -> running). The rules:

- **claim**: one conditional UPDATE. A row is claimable when it is waiting, or running with an
  expired lease, and has used fewer than ``max_attempts`` attempts; the UPDATE sets the running
  status, the owner (``host:pid:task-id``), the expiry (now + ``seconds``) and attempts+1. Two
  workers (or a second delivery of the task) racing for one row: one UPDATE matches, the other
  writes nothing.
- **extend** (the heartbeat, every third of the lease: :class:`Heartbeat`), **finish** and
  every other state change a worker makes are UPDATEs filtered on (running status, owner):
  a worker that lost its lease writes nothing, and learns it from the False it gets back.
  :meth:`Lease.heartbeat` starts the thread only when the lease is due for its first renewal
  (one scheduler thread per process watches the due times): most scorings end long before it,
  and then cost no thread start and no join.
- **reconcile** (:meth:`Lease.stale`, :meth:`Lease.requeue`, :meth:`Lease.abandon`): rows
  waiting past a grace period (their message was lost) or running with an expired lease (their
  worker died) go back to waiting, or are ended after their last attempt, each by an UPDATE
  filtered on the (status, owner) the reconciler read, so it never takes back a row that was
  claimed again meanwhile.

Row and worker are positional-only, so any field (``status`` among them) can be an update.
The time comes from ``clock`` (a callable, looked up at each call), so an app can pass its own
(``lambda: now()``) and tests that patch the app's ``now`` reach the lease. ``seconds`` and
``max_attempts`` may be callables too, read at each call (settings overridden in tests).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, Model, Q, QuerySet

from podium.core import timeutils
from podium.core.progress import progress_note

logger = logging.getLogger(__name__)


def _value(value: int | float | Callable[[], Any]) -> Any:
    return value() if callable(value) else value


@dataclass(frozen=True)
class Lease:
    """The lease protocol of one model. See the module docstring."""

    model: type[Model]
    waiting: str  # status of a row that waits for a worker (pending, queued)
    running: str  # status of a row a worker holds (scoring, running)
    seconds: int | float | Callable[[], int | float]
    max_attempts: int | Callable[[], int]
    status_field: str = "status"
    owner_field: str = "lease_owner"
    expires_field: str = "lease_expires_at"
    attempts_field: str = "attempts"
    queued_field: str = "queued_at"
    claim_also: Q = field(default_factory=Q)  # more conditions a claimable row meets
    clock: Callable[[], datetime] = field(default=lambda: timeutils.now())

    # -- reading ---------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def until(self, moment: datetime) -> datetime:
        """When a lease taken or renewed at ``moment`` expires."""
        return moment + timedelta(seconds=_value(self.seconds))

    def claimable(self, moment: datetime) -> Q:
        """Waiting, or running with a lease expired at ``moment``; attempts left."""
        return (
            (
                Q(**{self.status_field: self.waiting})
                | Q(**{self.status_field: self.running, f"{self.expires_field}__lt": moment})
            )
            & Q(**{f"{self.attempts_field}__lt": _value(self.max_attempts)})
            & self.claim_also
        )

    def held(self, pk: Any, worker: str) -> QuerySet:
        """The row, if ``worker`` holds its lease (running, owned by it): the filter of every
        write a worker makes."""
        return self.model._default_manager.filter(
            pk=pk, **{self.status_field: self.running, self.owner_field: worker}
        )

    def holds(self, pk: Any, worker: str) -> bool:
        """Lock the row and say whether ``worker`` still holds it (call inside a transaction:
        what is written next in it is written only while the lease is ours)."""
        return self.held(pk, worker).select_for_update().exists()

    # -- a worker's writes -----------------------------------------------------------------

    def claim(
        self, pk: Any, worker: str, /, *, moment: datetime | None = None, **updates: Any
    ) -> bool:
        """Take the lease on row ``pk`` (also writing ``updates``). False: nothing to do (not
        claimable: taken by a live worker, ended, out of attempts)."""
        moment = moment or self.now()
        return bool(
            self.model._default_manager.filter(self.claimable(moment), pk=pk).update(
                **{
                    self.status_field: self.running,
                    self.owner_field: worker,
                    self.expires_field: self.until(moment),
                    self.attempts_field: F(self.attempts_field) + 1,
                    **updates,
                }
            )
        )

    def extend(
        self, pk: Any, worker: str, /, *, moment: datetime | None = None, **updates: Any
    ) -> bool:
        """Renew the lease from now. False: it was lost; write no result."""
        moment = moment or self.now()
        return bool(
            self.held(pk, worker).update(**{self.expires_field: self.until(moment), **updates})
        )

    def finish(self, pk: Any, worker: str, /, *, where: Q | None = None, **updates: Any) -> bool:
        """End the work: write ``updates`` (the final status among them) and clear the expiry,
        only if ``worker`` still holds the lease (and the row meets ``where``, when given).
        False: it did not, nothing was written."""
        held = self.held(pk, worker)
        if where is not None:
            held = held.filter(where)
        return bool(held.update(**{self.expires_field: None, **updates}))

    @contextmanager
    def heartbeat(
        self, pk: Any, worker: str, *, beat: Callable[[], bool] | None = None
    ) -> Iterator[Renewal]:
        """Keep the lease alive while the block runs: from the first renewal on (a third of the
        lease), a :class:`Heartbeat` thread extends it every third of the lease (or calls
        ``beat``, which returns whether the lease is still held); the yielded renewal's ``lost``
        turns True once it was lost. A block that ends before the first renewal starts no
        thread."""
        renewal = Renewal(
            beat or (lambda: self.extend(pk, worker)),
            interval=_value(self.seconds) / 3,
            name=f"lease-{pk}",
        )
        _scheduler().add(renewal)
        try:
            yield renewal
        finally:
            renewal.stop()

    # -- the reconciler --------------------------------------------------------------------

    def stale(self, moment: datetime, grace_seconds: float) -> QuerySet:
        """Rows whose work was lost: waiting since before ``moment - grace_seconds`` (the
        message vanished) or running with a lease expired at ``moment`` (the worker died)."""
        grace = moment - timedelta(seconds=grace_seconds)
        return self.model._default_manager.filter(
            Q(**{self.status_field: self.waiting, f"{self.queued_field}__lt": grace})
            | Q(**{self.status_field: self.running, f"{self.expires_field}__lt": moment})
        )

    def _as_read(self, pk: Any, status: str, owner: str) -> QuerySet:
        return self.model._default_manager.filter(
            pk=pk, **{self.status_field: status, self.owner_field: owner}
        )

    def requeue(self, pk: Any, status: str, owner: str, /, *, moment: datetime) -> bool:
        """Put a stale row back to waiting, if it is still as the reconciler read it
        (``status``, ``owner``): the worker that lost it can no longer write a result. Queue
        its task again after commit when True."""
        return bool(
            self._as_read(pk, status, owner).update(
                **{
                    self.status_field: self.waiting,
                    self.owner_field: "",
                    self.expires_field: None,
                    self.queued_field: moment,
                }
            )
        )

    def abandon(self, pk: Any, status: str, owner: str, /, **updates: Any) -> bool:
        """End a stale row that used its last attempt (``updates``: the failed status and why),
        if it is still as the reconciler read it."""
        return bool(
            self._as_read(pk, status, owner).update(**{self.expires_field: None, **updates})
        )


class Heartbeat(threading.Thread):
    """Calls ``beat`` every ``interval`` seconds until stopped or until ``beat`` returns False
    (``lost`` is then True). Uses, and closes, a database connection of its own. Subclass and
    override :meth:`beat` to learn more from each renewal (a kernel's cancel, its quota)."""

    def __init__(
        self,
        beat: Callable[[], bool] | None = None,
        *,
        interval: float,
        name: str = "lease",
        first: float | None = None,
    ) -> None:
        super().__init__(daemon=True, name=name)
        self._beat, self.interval = beat, interval
        self.first = interval if first is None else first  # seconds until the first beat
        self.stopped = threading.Event()
        self.lost = False

    def beat(self) -> bool:
        return bool(self._beat()) if self._beat else True

    def run(self) -> None:
        wait = self.first
        try:
            while not self.stopped.wait(wait):
                wait = self.interval
                if not self.beat():
                    self.lost = True
                    return
                progress_note()  # a long run renewing its lease is a worker getting work done
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join()


class Renewal:
    """The renewals of one lease (:meth:`Lease.heartbeat`): due every ``interval`` seconds from
    now; its :class:`Heartbeat` thread is started by the scheduler at the first one, if the
    lease is still held then."""

    def __init__(self, beat: Callable[[], bool], *, interval: float, name: str) -> None:
        self._beat, self.interval, self.name = beat, interval, name
        self.due = time.monotonic() + interval
        self.thread: Heartbeat | None = None  # set, under the scheduler's lock, when due
        self.stopped = False

    @property
    def lost(self) -> bool:
        thread = self.thread
        return thread is not None and thread.lost

    def is_alive(self) -> bool:
        """Still renewing: not stopped, and not lost."""
        return not self.stopped and not self.lost

    def start_thread(self) -> None:
        """The first renewal is due: beat now, then every ``interval``, in a thread of its own."""
        self.thread = Heartbeat(self._beat, interval=self.interval, name=self.name, first=0)
        self.thread.start()

    def stop(self) -> None:
        thread = _scheduler().remove(self)
        if thread is not None:
            thread.stop()


class _Scheduler(threading.Thread):
    """Starts the heartbeat thread of each renewal that is still waiting when its first
    renewal is due. One per process (started at first use, again in a forked child). Idle, it
    looks every ``IDLE_WAKE`` seconds; it is woken only for a renewal due before it looks."""

    IDLE_WAKE = 1.0

    def __init__(self) -> None:
        super().__init__(daemon=True, name="lease-renewals")
        self.changed = threading.Condition()
        self.waiting: set[Renewal] = set()
        self.wakes_at = 0.0  # when it looks next (monotonic)

    def add(self, renewal: Renewal) -> None:
        with self.changed:
            self.waiting.add(renewal)
            if renewal.due < self.wakes_at:
                self.changed.notify()

    def remove(self, renewal: Renewal) -> Heartbeat | None:
        """Stop waiting for ``renewal``; its thread, if it was started, for the caller to stop."""
        with self.changed:
            renewal.stopped = True
            self.waiting.discard(renewal)
            return renewal.thread

    def run(self) -> None:
        with self.changed:
            while True:
                moment = time.monotonic()
                for renewal in [r for r in self.waiting if r.due <= moment]:
                    self.waiting.discard(renewal)
                    try:
                        renewal.start_thread()  # under the lock: a stop waits, then joins it
                    except RuntimeError:  # no thread to be had: the lease will run out
                        logger.exception("Could not start the renewals of %s", renewal.name)
                self.wakes_at = min((r.due for r in self.waiting), default=moment + self.IDLE_WAKE)
                self.changed.wait(max(0.0, self.wakes_at - moment))


_the_scheduler: _Scheduler | None = None
_scheduler_lock = threading.Lock()


def _scheduler() -> _Scheduler:
    global _the_scheduler
    with _scheduler_lock:
        if _the_scheduler is None or not _the_scheduler.is_alive():
            _the_scheduler = _Scheduler()
            _the_scheduler.start()
        return _the_scheduler


def _forked() -> None:
    """A forked child (a prefork pool process) has no thread of its parent's: its own later."""
    global _the_scheduler, _scheduler_lock
    _the_scheduler, _scheduler_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forked)
