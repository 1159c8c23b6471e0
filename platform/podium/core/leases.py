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

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, Model, Q, QuerySet

from podium.core import timeutils
from podium.core.progress import progress_note


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
    ) -> Iterator[Heartbeat]:
        """Keep the lease alive while the block runs: a thread extends it every third of the
        lease (or calls ``beat``, which returns whether the lease is still held); the yielded
        thread's ``lost`` turns True once it was lost."""
        thread = Heartbeat(
            beat or (lambda: self.extend(pk, worker)),
            interval=_value(self.seconds) / 3,
            name=f"lease-{pk}",
        )
        thread.start()
        try:
            yield thread
        finally:
            thread.stop()

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
        self, beat: Callable[[], bool] | None = None, *, interval: float, name: str = "lease"
    ) -> None:
        super().__init__(daemon=True, name=name)
        self._beat, self.interval = beat, interval
        self.stopped = threading.Event()
        self.lost = False

    def beat(self) -> bool:
        return bool(self._beat()) if self._beat else True

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                if not self.beat():
                    self.lost = True
                    return
                progress_note()  # a long run renewing its lease is a worker getting work done
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join()
