"""A run's execution under the lease: claiming it, the heartbeat that renews the lease and
charges compute, the end of the run (succeeded, failed or cancelled), and the reconciler that
takes back runs whose worker died.

Locking: no row lock but ``kernel_holds_lease`` (``LEASE.holds``: locks the run's row and says
whether the worker still holds it, inside the caller's transaction). Every state change is a
conditional UPDATE on (status, lease owner), the protocol of ``core.leases`` (``LEASE``) as for
submissions: a worker that lost its lease (the reconciler took the run back) or a second
delivery of the task changes nothing. A run whose cancel was asked for is never claimed again.

Compute is charged as a run goes: each heartbeat adds the wall time since the last charge to
the run (the same conditional UPDATE that renews the lease, a compare-and-swap on
``charged_at``), and the UPDATE that ends the run adds the last part. A team's hours are its
runs' charged time; a heartbeat that finds them at the quota asks the worker to stop ("quota").

The reconciler's UPDATEs are filtered on the (status, owner) it read; a run it queues again is
re-queued, noted in its log and re-sent on commit in one transaction.

The time is this module's ``now`` (looked up at each call, the lease's too): tests patch it here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from podium.core.broker_queues import still_queued
from podium.core.leases import Lease
from podium.core.queue import RUN_KERNEL, enqueue_on_commit
from podium.core.text import storable
from podium.core.timeutils import now
from podium.kernels import selectors
from podium.kernels.error_codes import KernelFailure
from podium.kernels.models import KernelRun
from podium.kernels.services.logs import kernel_log_append
from podium.notifications.models import Kind
from podium.notifications.services import notify

Status = KernelRun.Status


def _kernel_seconds() -> int:
    return settings.KERNEL_LEASE_SECONDS


def _kernel_attempts() -> int:
    return settings.KERNEL_MAX_ATTEMPTS


# The protocol is ``core.leases``'; the time is this module's ``now`` (looked up at each call).
# A run whose cancel was asked for is never claimed again.
LEASE = Lease(
    model=KernelRun,
    waiting=Status.QUEUED,
    running=Status.RUNNING,
    seconds=_kernel_seconds,
    max_attempts=_kernel_attempts,
    claim_also=Q(cancel_requested_at__isnull=True),
    clock=lambda: now(),
)


def kernel_claim(*, run_id: int, worker: str) -> KernelRun | None:
    """Take the lease on a queued run (or one whose lease expired). None: nothing to do, e.g.
    a second delivery of the task while another worker runs it."""
    moment = now()
    if not LEASE.claim(
        run_id, worker, moment=moment, started_at=moment, finished_at=None, charged_at=moment
    ):
        return None
    return KernelRun.objects.select_related("competition", "team", "created_by").get(pk=run_id)


STOP_CANCEL = "cancel"  # someone cancelled the run
STOP_QUOTA = "quota"  # its team's compute hours ran out (fail it as KernelFailure.QUOTA_EXCEEDED)


@dataclass(frozen=True)
class Heartbeat:
    """What a heartbeat tells the worker: whether the lease is still its own (``held``), and
    whether to stop the kernel now: ``stop`` is "" (keep going), "cancel" or "quota"."""

    held: bool
    stop: str = ""


def _charge(*, run_id: int, worker: str, moment: datetime, **fields) -> bool:
    """One conditional UPDATE of the run ``worker`` holds that also charges the wall time since
    it was last charged (and writes ``fields``). False: the lease is not (or no longer) ours.

    The charge is a compare-and-swap on ``charged_at``: a heartbeat and the run's end racing in
    one worker never charge one interval twice. Time past the lease's expiry is not charged."""
    held = LEASE.held(run_id, worker)
    for _ in range(5):
        row = held.values_list("charged_at", "started_at", "lease_expires_at").first()
        if row is None:
            return False
        charged_at, started_at, expires = row
        since = charged_at or started_at or moment
        # Never past the lease (a worker that missed its heartbeats may have been dead), and
        # never backwards (a clock that went back charges nothing).
        until = max(since, min(moment, expires or moment))
        if held.filter(charged_at=charged_at).update(
            charged_seconds=F("charged_seconds") + (until - since).total_seconds(),
            charged_at=until,
            **fields,
        ):
            return True
    return False


def kernel_heartbeat(*, run_id: int, worker: str) -> Heartbeat:
    """Extend the lease and charge the time since the last heartbeat to the run. ``stop`` asks
    the worker to stop the kernel: "cancel" once someone cancelled it, "quota" once its team's
    charged hours on its queue (all its runs together) reach the quota. Concurrent runs of one
    team therefore pass the quota by at most one heartbeat interval each. The organizers'
    baselines are never stopped for a quota."""
    moment = now()
    held = _charge(
        run_id=run_id, worker=worker, moment=moment, lease_expires_at=LEASE.until(moment)
    )
    run = (
        KernelRun.objects.filter(pk=run_id)
        .values("cancel_requested_at", "competition_id", "team_id", "queue", "is_baseline")
        .first()
    )
    if run is None:
        return Heartbeat(held=False)
    if run["cancel_requested_at"] is not None:
        return Heartbeat(held=held, stop=STOP_CANCEL)
    if (
        held
        and not run["is_baseline"]
        and run["team_id"] is not None
        and selectors.quota_spent(
            competition_id=run["competition_id"], team_id=run["team_id"], queue=run["queue"]
        )
    ):
        return Heartbeat(held=True, stop=STOP_QUOTA)
    return Heartbeat(held=held)


def kernel_charge_final(*, run_id: int, worker: str) -> None:
    """Charge the time since the last heartbeat now (e.g. before a long step after the kernel
    exited). Not needed at the end: ``kernel_mark_failed`` and ``kernel_mark_succeeded`` charge
    the last interval in the UPDATE that ends the run. Safe to call any number of times."""
    _charge(run_id=run_id, worker=worker, moment=now())


def kernel_mark_failed(
    *,
    run_id: int,
    worker: str | None,
    failure: KernelFailure,
    message: str,
    detail: str = "",
    exit_code: int | None = None,
    cpu_seconds: float | None = None,
    sandbox: str = "",
) -> bool:
    """End a run held by ``worker`` as failed or cancelled, charging the time since its last
    heartbeat. Worker None: a run nobody holds (the reconciler's; its dead worker's last
    interval is not charged)."""
    status = Status.CANCELLED if failure == KernelFailure.CANCELLED else Status.FAILED
    moment = now()
    end = {
        "status": status,
        "failure": failure.value,
        "error_message": storable(message),
        "error_detail": storable(detail[-20000:]),
        "exit_code": exit_code,
        "cpu_seconds_used": cpu_seconds,
        "finished_at": moment,
        "lease_expires_at": None,
        "sandbox": sandbox or F("sandbox"),
    }
    with transaction.atomic():  # the end and its notification to the launcher
        if worker is not None:
            written = _charge(run_id=run_id, worker=worker, moment=moment, **end)
        else:
            written = bool(
                KernelRun.objects.filter(
                    pk=run_id, status__in=[Status.QUEUED, Status.RUNNING]
                ).update(**end)
            )
        if written and status == Status.FAILED:  # a cancel was asked for: no news to its asker
            _finished_notify(run_id)
    return written


def kernel_mark_succeeded(
    *,
    run_id: int,
    worker: str,
    submission_id: int,
    exit_code: int,
    cpu_seconds: float,
    sandbox: str,
) -> bool:
    """End a run held by ``worker`` as succeeded, charging the time since its last heartbeat."""
    moment = now()
    with transaction.atomic():  # the end and its notification to the launcher
        written = _charge(
            run_id=run_id,
            worker=worker,
            moment=moment,
            status=Status.SUCCEEDED,
            submission_id=submission_id,
            exit_code=exit_code,
            cpu_seconds_used=cpu_seconds,
            sandbox=sandbox,
            finished_at=moment,
            lease_expires_at=None,
            failure="",
            error_message="",
            error_detail="",
        )
        if written:
            _finished_notify(run_id)
    return written


def _finished_notify(run_id: int) -> None:
    """Tell whoever launched the run that it ended (succeeded or failed)."""
    run = KernelRun.objects.select_related("competition").get(pk=run_id)
    if run.created_by_id is None:
        return
    outcome = "finished" if run.status == Status.SUCCEEDED else "failed"
    notify(
        recipient_ids=[run.created_by_id],
        kind=Kind.KERNEL_FINISHED,
        title=f"Your kernel “{run.title}” in {run.competition.title} {outcome}",
        url=f"/competitions/{run.competition.slug}/kernels/{run.pk}/",
    )


def kernel_holds_lease(*, run_id: int, worker: str) -> bool:
    """Lock the run's row and say whether ``worker`` still holds it (inside a transaction)."""
    return LEASE.holds(run_id, worker)


def kernels_reconcile(*, moment: datetime | None = None, limit: int = 200) -> dict[str, list[int]]:
    """Runs whose worker died (expired lease) are queued again, or failed once their attempts
    are used up; queued runs whose message was lost (a killed worker takes a filesystem-broker
    message with it) are queued again. A run is never left running without a live worker."""
    moment = moment or now()
    stale = LEASE.stale(moment, settings.KERNEL_PENDING_GRACE_SECONDS).values_list(
        "pk", "attempts", "status", "lease_owner", "queue", "cancel_requested_at"
    )
    stale = list(stale[:limit])
    peeks: dict[str, Callable[[tuple], bool]] = {}  # per queue, read once, only when needed
    requeued, failed = [], []
    for pk, attempts, status, owner, queue, cancel in stale:
        if status == Status.QUEUED:
            if queue not in peeks:
                peeks[queue] = still_queued(queue, RUN_KERNEL)
            if peeks[queue]((pk,)):
                continue  # its message still waits behind others
        if status == Status.RUNNING and (cancel or attempts >= settings.KERNEL_MAX_ATTEMPTS):
            lost = "cancelled" if cancel else f"lost after {attempts} attempt(s)"
            done = kernel_mark_failed(
                run_id=pk,
                worker=owner,
                failure=KernelFailure.CANCELLED if cancel else KernelFailure.ABANDONED,
                message="Its worker stopped while running it"
                + ("." if cancel else "; it was not retried again."),
                detail=f"Worker {owner or 'none'} {lost}.",
            )
            if done:
                failed.append(pk)
            continue
        with transaction.atomic():
            if LEASE.requeue(pk, status, owner, moment=moment):
                if status == Status.RUNNING:
                    kernel_log_append(
                        run_id=pk,
                        attempt=attempts,
                        text=(
                            "\n[podium: the worker running this kernel stopped; it runs again]\n"
                        ),
                    )
                enqueue_on_commit(RUN_KERNEL, pk, queue=queue)
                requeued.append(pk)
    return {"requeued": requeued, "failed": failed}
