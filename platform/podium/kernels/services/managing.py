"""What a run's organizers or author do to it: cancelling it, and (organizers only)
publishing it.

Locking: none. Cancelling is two conditional UPDATEs in one transaction: the cancel request is
written once (only where none is), and a run still queued ends cancelled at once (only while it
is queued); a running one is stopped by its worker at its next heartbeat (``run_lease``), which
reads the request. Publishing is one UPDATE.
"""

from __future__ import annotations

from django.db import transaction

from podium.core.errors import Conflict, PermissionDenied
from podium.core.timeutils import now
from podium.kernels import selectors
from podium.kernels.error_codes import KernelFailure, KernelRefusal
from podium.kernels.models import KernelRun

Status = KernelRun.Status


def _require_manage(user, run: KernelRun) -> None:
    if selectors.can_manage(user, run):
        return
    raise PermissionDenied(
        KernelRefusal.NOT_ALLOWED, "Only its organizers or its author may change this kernel run."
    )


def kernel_cancel(*, user, run: KernelRun) -> KernelRun:
    """A queued run ends cancelled at once; a running one is killed by its worker within a
    heartbeat (a third of the lease)."""
    _require_manage(user, run)
    moment = now()
    if run.finished:
        raise Conflict(KernelRefusal.FINISHED, f"This run has already {run.status}.")
    with transaction.atomic():
        KernelRun.objects.filter(pk=run.pk, cancel_requested_at__isnull=True).update(
            cancel_requested_at=moment
        )
        KernelRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED,
            failure=KernelFailure.CANCELLED.value,
            error_message=f"Cancelled by {user.get_username()} before it started.",
            finished_at=moment,
        )
    run.refresh_from_db()
    return run


def kernel_publish(*, user, run: KernelRun, published: bool = True) -> KernelRun:
    if not selectors.is_organizer(user, run.competition):
        raise PermissionDenied(KernelRefusal.NOT_ALLOWED, "Only the organizers publish kernels.")
    KernelRun.objects.filter(pk=run.pk).update(published=published)
    run.refresh_from_db()
    return run
