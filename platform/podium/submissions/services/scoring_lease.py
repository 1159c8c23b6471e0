"""The scoring lease: ``LEASE`` (``core.leases``), a worker's claim, heartbeat and result
(``submission_claim``, ``submission_heartbeat``, ``submission_mark_scored``,
``submission_mark_failed``), and the reconciler that queues lost work again
(``submissions_reconcile``).

Locking: no row lock. Every scoring state change is a conditional UPDATE on (status, lease
owner), the protocol of ``core.leases``: a worker that lost its lease, or a second delivery of
the same task, changes nothing. ``submission_mark_scored`` is called inside the board's
transaction (``leaderboards.services.score_record``, which holds the team row). The reconciler's
UPDATEs are filtered on the (status, owner) it read. The lease reads the time through this
module's ``now`` (looked up at each call).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from podium.competitions.answer_keys import active_version_columns, active_version_of
from podium.core.broker_queues import still_queued
from podium.core.leases import Lease
from podium.core.queue import SCORE_SUBMISSION, enqueue_on_commit
from podium.core.text import storable
from podium.core.timeutils import now
from podium.submissions.error_codes import ScoringFailure
from podium.submissions.models import Submission
from podium.submissions.notices import failed_notify

Status = Submission.Status


def _scoring_seconds() -> int:
    return settings.SCORING_LEASE_SECONDS


def _scoring_attempts() -> int:
    return settings.SCORING_MAX_ATTEMPTS


# The protocol is ``core.leases``'; the time is this module's ``now`` (looked up at each call).
LEASE = Lease(
    model=Submission,
    waiting=Status.PENDING,
    running=Status.SCORING,
    seconds=_scoring_seconds,
    max_attempts=_scoring_attempts,
    clock=lambda: now(),
)


def submission_claim(*, submission_id: int, worker: str) -> Submission | None:
    """Take the lease on a pending submission (or one whose lease expired). None: nothing to do.
    Two statements: the claim, then the submission with its competition and, as
    ``active_solution``, the competition's active answer-key version (None: it has none) for
    ``answer_keys.scoring_setup``. Its team is read, and locked, where the result is written."""
    if not LEASE.claim(submission_id, worker):
        return None
    submission = (
        Submission.objects.select_related("competition")
        .annotate(**active_version_columns(Submission._meta.db_table))
        .get(pk=submission_id)
    )
    submission.active_solution = active_version_of(submission, submission.competition)
    return submission


def submission_heartbeat(*, submission_id: int, worker: str) -> bool:
    """Extend the lease; False means it was lost and the result must not be written."""
    return LEASE.extend(submission_id, worker)


def submission_mark_scored(
    *,
    submission: Submission,
    worker: str,
    public_score: float,
    private_score: float,
    duration_ms: int,
    solution_version_id: int,
    team_id: int | None = None,
    result_message: str = "",
) -> bool:
    """Write the scores (and the participant's message) if this worker still holds the lease
    and, with ``team_id``, the submission still belongs to that team (a merge may move it).

    Call inside the board's transaction: one UPDATE.
    """
    return LEASE.finish(
        submission.pk,
        worker,
        where=None if team_id is None else Q(team_id=team_id),
        result_message=storable(result_message),
        status=Status.SCORED,
        public_score=public_score,
        private_score=private_score,
        duration_ms=duration_ms,
        solution_version_id=solution_version_id,
        scored_at=now(),
        error_code="",
        error_message="",
        error_detail="",
        failure_stage="",
    )


def submission_mark_failed(
    *,
    submission_id: int,
    worker: str | None,
    code: str,
    message: str,
    stage: str,
    detail: str = "",
    solution_version_id: int | None = None,
) -> bool:
    """Fail a submission held by ``worker`` (or, with worker None, one nobody holds any more).
    ``stage``: a ``Submission.FailureStage``, which decides whether it counts toward the limits
    (a failure in the metric does). ``solution_version_id``: the answer key it was checked
    against, when it got that far (a rescoring counts such a failure as done)."""
    stage = Submission.FailureStage(stage)
    failed = {
        "status": Status.FAILED,
        "error_code": code,
        "error_message": storable(message),
        "error_detail": storable(detail),
        "failure_stage": stage,
        "scored_at": now(),
        "solution_version_id": solution_version_id,
    }
    with transaction.atomic():  # the failure and its notification to the team
        if worker is not None:
            written = LEASE.finish(submission_id, worker, **failed)
        else:
            written = bool(
                Submission.objects.filter(
                    pk=submission_id, status__in=[Status.PENDING, Status.SCORING]
                ).update(lease_expires_at=None, **failed)
            )
        if written:
            failed_notify(submission_ids=[submission_id])
    return written


def submissions_reconcile(
    *, moment: datetime | None = None, limit: int = 500
) -> dict[str, list[int]]:
    """Find work that was lost (a worker died, a message vanished) and queue it again.

    A submission pending past the grace period whose message no longer waits in the queue, or
    scoring with an expired lease, is queued again (and waits another grace period before the
    next try: ``queued_at`` moves on); one that has used all its attempts is failed with a
    message for the participant. Pending rows are left alone while the queue cannot be read.
    """
    moment = moment or now()
    stale = list(
        LEASE.stale(moment, settings.SCORING_PENDING_GRACE_SECONDS).values_list(
            "pk", "attempts", "status", "lease_owner"
        )[:limit]
    )
    # Read the queue only when a pending row looks lost: the common run finds none.
    queued = (
        still_queued(settings.CELERY_TASK_DEFAULT_QUEUE, SCORE_SUBMISSION)
        if any(status == Status.PENDING for _, _, status, _ in stale)
        else None
    )
    requeued, abandoned = [], []
    for pk, attempts, status, owner in stale:
        if status == Status.PENDING and queued((pk,)):
            continue  # its message still waits (a backlog, a worker that was away)
        if attempts >= settings.SCORING_MAX_ATTEMPTS:
            with transaction.atomic():
                done = LEASE.abandon(
                    pk,
                    status,
                    owner,
                    status=Status.FAILED,
                    error_code=ScoringFailure.ABANDONED.value,
                    error_message="This submission could not be scored after several attempts. "
                    "The organizers can see why and may rescore it.",
                    error_detail=f"Gave up after {attempts} attempts "
                    f"(last worker: {owner or 'none'}).",
                    failure_stage=Submission.FailureStage.SYSTEM,
                    scored_at=moment,
                )
                if done:
                    failed_notify(submission_ids=[pk])
            if done:
                abandoned.append(pk)
            continue
        with transaction.atomic():
            # Back to pending: a slow worker that lost its lease can no longer write a result.
            if LEASE.requeue(pk, status, owner, moment=moment):
                enqueue_on_commit(SCORE_SUBMISSION, pk)
                requeued.append(pk)
    return {"requeued": requeued, "abandoned": abandoned}
