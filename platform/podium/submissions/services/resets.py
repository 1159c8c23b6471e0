"""Scoring taken out of the lease's hands: an organizer's rescore of one submission
(``submission_rescore``), the rescoring with a new answer key (``submissions_rescore_for_version``)
and an organizer stopping stuck submissions (``submissions_fail_stuck``).

Locking: ``submission_rescore`` is one conditional UPDATE that skips a submission a worker holds
an unexpired lease on, so it cannot race a claim. ``submissions_rescore_for_version`` and
``submissions_fail_stuck`` lock the chosen submission rows (``select_for_update``; SQLite's
IMMEDIATE transaction serializes writers) and change them by one UPDATE; a worker that still
scores one of them finds the status changed and writes nothing (``core.leases``).
"""

from __future__ import annotations

from django.db import transaction

from podium.competitions.models import SolutionVersion
from podium.core.queue import SCORE_SUBMISSION, enqueue_on_commit
from podium.core.timeutils import now
from podium.submissions import selectors
from podium.submissions.error_codes import ScoringFailure
from podium.submissions.models import Submission
from podium.submissions.notices import failed_notify

Status = Submission.Status


def _unscored(moment) -> dict:
    """The columns of a submission back to pending, as if never scored: a fresh start."""
    return {
        "status": Status.PENDING,
        "attempts": 0,
        "lease_owner": "",
        "lease_expires_at": None,
        "queued_at": moment,
        "public_score": None,
        "private_score": None,
        "scored_at": None,
        "duration_ms": None,
        "solution_version": None,
        "error_code": "",
        "error_message": "",
        "error_detail": "",
        "failure_stage": "",
        "result_message": "",
    }


def submission_rescore(*, submission_id: int) -> bool:
    """Put a submission back to pending with fresh attempts and queue it after commit.

    False when a worker holds an unexpired lease on it (it is being scored right now). One
    conditional UPDATE, so it cannot race a worker that is claiming the submission.
    """
    moment = now()
    with transaction.atomic():
        reset = (
            Submission.objects.filter(pk=submission_id)
            .exclude(status=Status.SCORING, lease_expires_at__gte=moment)
            .update(**_unscored(moment))
        )
        if reset:
            enqueue_on_commit(SCORE_SUBMISSION, submission_id)
    return bool(reset)


def submissions_rescore_for_version(
    *, version: SolutionVersion, submission_ids: list[int] | None = None, limit: int = 500
) -> list[int]:
    """Put back to pending, and queue after commit, up to ``limit`` of the competition's ended
    submissions (among ``submission_ids`` if given) that are not yet done for a rescoring with
    ``version`` (``selectors.rescored_q``); returns their ids.

    Pending and scoring ones are left alone: they are scored with the active answer key when
    their turn comes, and a dead lease is the reconciler's. Locking: the chosen rows are locked
    (``select_for_update``; SQLite's IMMEDIATE transaction serializes) and reset by one UPDATE
    that repeats the condition, so a walk and a sweep running at once never reset a submission
    twice, nor one a worker has claimed since.
    """
    moment = now()
    ended = [Status.SCORED, Status.FAILED]
    with transaction.atomic():
        stale = Submission.objects.filter(
            competition_id=version.competition_id, status__in=ended
        ).exclude(selectors.rescored_q(version))
        if submission_ids is not None:
            stale = stale.filter(pk__in=submission_ids)
        ids = list(stale.select_for_update().order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        stale.filter(pk__in=ids).update(**_unscored(moment))
        for pk in ids:
            enqueue_on_commit(SCORE_SUBMISSION, pk)
    return ids


STUCK_MESSAGE = (
    "This submission could not be scored and was stopped by the organizers. "
    "It does not count toward your limits unless the rules say failed ones do."
)


def submissions_fail_stuck(*, submission_ids: list[int], by: str = "") -> list[int]:
    """Fail the given submissions that are still pending or scoring; returns those failed.

    Rows are locked for the update (``select_for_update``); a worker that still scores one of
    them loses its lease (its conditional write finds the status changed) and writes nothing.
    """
    moment = now()
    with transaction.atomic():
        stuck = list(
            Submission.objects.select_for_update()
            .filter(pk__in=submission_ids, status__in=[Status.PENDING, Status.SCORING])
            .values_list("pk", flat=True)
        )
        Submission.objects.filter(pk__in=stuck).update(
            status=Status.FAILED,
            error_code=ScoringFailure.ABANDONED.value,
            error_message=STUCK_MESSAGE,
            error_detail=f"Failed by an organizer ({by or 'admin'}) at {moment.isoformat()}.",
            failure_stage=Submission.FailureStage.SYSTEM,
            scored_at=moment,
            lease_expires_at=None,
        )
        failed_notify(submission_ids=stuck)
    return sorted(stuck)
