"""Writes of the submissions app: accepting a file, and the lease protocol of its scoring.

Locking: ``submission_create`` counts a team's submissions while holding the team row
(``select_for_update``; on SQLite the IMMEDIATE transaction serializes writers), so concurrent
uploads cannot pass a limit. Scoring state changes are conditional UPDATEs on (status, lease
owner): a worker that lost its lease, or a second delivery of the same task, changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.core.errors import DomainError, LimitReached, PermissionDenied
from podium.core.files import sha256_and_size
from podium.core.queue import SCORE_SUBMISSION, enqueue_on_commit
from podium.core.timeutils import humanize_delta, now
from podium.submissions import selectors
from podium.submissions.error_codes import ScoringFailure, SubmissionRefusal
from podium.submissions.models import Submission
from podium.teams import selectors as team_selectors
from podium.teams.error_codes import TeamErrorCode
from podium.teams.models import Team

Status = Submission.Status


def _check_can_submit(user, competition: Competition, team: Team, moment: datetime) -> None:
    competition_selectors.require_rules_accepted(user, competition)
    if moment < competition.start_at:
        raise DomainError(
            CompetitionErrorCode.NOT_STARTED,
            f"{competition.title} opens for submissions in {humanize_delta(competition.start_at - moment)}.",
        )
    if team.disqualified_at:
        raise PermissionDenied(
            TeamErrorCode.TEAM_DISQUALIFIED,
            f"Your team was disqualified: {team.disqualification_reason or 'see the organizers'}.",
        )
    if competition_selectors.active_solution(competition) is None:
        raise DomainError(
            SubmissionRefusal.NO_SOLUTION,
            "This competition is not ready to score submissions yet; the organizers have not "
            "uploaded its answer key.",
        )


def _check_limits(competition: Competition, team: Team, moment: datetime) -> None:
    quota = selectors.quota(team=team, competition=competition, moment=moment)
    if quota.total_limit is not None and quota.used_total >= quota.total_limit:
        raise LimitReached(
            SubmissionRefusal.TOTAL_LIMIT_REACHED,
            f"Your team has used all {quota.total_limit} submissions this competition allows.",
            details={"used": quota.used_total, "limit": quota.total_limit},
        )
    if quota.used_today >= quota.daily_limit:
        wait = humanize_delta(quota.resets_at - moment)
        raise LimitReached(
            SubmissionRefusal.DAILY_LIMIT_REACHED,
            f"Your team has used {quota.used_today} of {quota.daily_limit} submissions today. "
            f"The next one opens at 00:00 UTC (in {wait}).",
            details={
                "used": quota.used_today,
                "limit": quota.daily_limit,
                "resets_at": quota.resets_at.isoformat(),
            },
        )


def submission_create(
    *, user, competition: Competition, file: File, description: str = ""
) -> Submission:
    """Accept a prediction file and queue its scoring after commit.

    The file is stored first (outside any lock: it may be large), then the limits are checked
    under the team's row lock; a refused upload's file is deleted again.
    """
    moment = now()
    team = team_selectors.require_team(user=user, competition=competition)
    _check_can_submit(user, competition, team, moment)
    digest, size = sha256_and_size(file)
    if size == 0:
        raise DomainError(SubmissionRefusal.FILE_EMPTY, "The file is empty.")
    if size > competition.submission_max_bytes:
        raise DomainError(
            SubmissionRefusal.FILE_TOO_LARGE,
            f"The file is {size / 1e6:.1f} MB; this competition accepts at most "
            f"{competition.submission_max_bytes / 1e6:.0f} MB.",
            status=413,
        )
    submission = Submission(
        uuid=uuid.uuid4(), competition=competition, team=team, submitted_by=user,
        original_name=(getattr(file, "name", "") or "submission.csv").rsplit("/", 1)[-1][:255],
        size=size, sha256=digest, description=description.strip()[:500],
        is_late=moment >= competition.end_at, queued_at=moment,
    )
    submission.file.save(submission.original_name, file, save=False)
    try:
        with transaction.atomic():
            Team.objects.select_for_update().get(pk=team.pk)
            _check_limits(competition, team, moment)
            submission.save()
            enqueue_on_commit(SCORE_SUBMISSION, submission.pk)
    except BaseException:
        submission.file.delete(save=False)
        raise
    return submission


# -- the scoring lease ----------------------------------------------------------------------


def submission_claim(*, submission_id: int, worker: str) -> Submission | None:
    """Take the lease on a pending submission (or one whose lease expired). None: nothing to do."""
    moment = now()
    claimable = Q(status=Status.PENDING) | Q(status=Status.SCORING, lease_expires_at__lt=moment)
    claimed = Submission.objects.filter(
        claimable, pk=submission_id, attempts__lt=settings.SCORING_MAX_ATTEMPTS
    ).update(
        status=Status.SCORING,
        lease_owner=worker,
        lease_expires_at=moment + timedelta(seconds=settings.SCORING_LEASE_SECONDS),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return Submission.objects.select_related("competition", "team").get(pk=submission_id)


def submission_heartbeat(*, submission_id: int, worker: str) -> bool:
    """Extend the lease; False means it was lost and the result must not be written."""
    return bool(
        Submission.objects.filter(pk=submission_id, status=Status.SCORING, lease_owner=worker).update(
            lease_expires_at=now() + timedelta(seconds=settings.SCORING_LEASE_SECONDS)
        )
    )


def submission_mark_scored(
    *, submission: Submission, worker: str, public_score: float, private_score: float,
    duration_ms: int, solution_version_id: int,
) -> bool:
    """Write the scores if this worker still holds the lease. Call inside the board's transaction."""
    return bool(
        Submission.objects.filter(pk=submission.pk, status=Status.SCORING, lease_owner=worker).update(
            status=Status.SCORED, public_score=public_score, private_score=private_score,
            duration_ms=duration_ms, solution_version_id=solution_version_id, scored_at=now(),
            lease_expires_at=None, error_code="", error_message="", error_detail="",
        )
    )


def submission_mark_failed(
    *, submission_id: int, worker: str | None, code: str, message: str, detail: str = ""
) -> bool:
    """Fail a submission held by ``worker`` (or, with worker None, one nobody holds any more)."""
    qs = Submission.objects.filter(pk=submission_id, status__in=[Status.PENDING, Status.SCORING])
    if worker is not None:
        qs = qs.filter(status=Status.SCORING, lease_owner=worker)
    return bool(
        qs.update(
            status=Status.FAILED, error_code=code, error_message=message, error_detail=detail,
            scored_at=now(), lease_expires_at=None,
        )
    )


def submission_set_result_message(*, submission_id: int, message: str) -> None:
    Submission.objects.filter(pk=submission_id).update(result_message=message)


def submissions_reconcile(*, moment: datetime | None = None, limit: int = 500) -> dict[str, list[int]]:
    """Find work that was lost (a worker died, a message vanished) and queue it again.

    A submission pending past the grace period, or scoring with an expired lease, is queued
    again; one that has used all its attempts is failed with a message for the participant.
    """
    moment = moment or now()
    grace = moment - timedelta(seconds=settings.SCORING_PENDING_GRACE_SECONDS)
    stale = Submission.objects.filter(
        Q(status=Status.PENDING, queued_at__lt=grace) | Q(status=Status.SCORING, lease_expires_at__lt=moment)
    ).values_list("pk", "attempts", "status", "lease_owner")[:limit]
    requeued, abandoned = [], []
    for pk, attempts, status, owner in stale:
        if attempts >= settings.SCORING_MAX_ATTEMPTS:
            done = Submission.objects.filter(pk=pk, status=status, lease_owner=owner).update(
                status=Status.FAILED, error_code=ScoringFailure.ABANDONED.value,
                error_message="This submission could not be scored after several attempts. "
                "The organizers can see why and may rescore it.",
                error_detail=f"Gave up after {attempts} attempts (last worker: {owner or 'none'}).",
                scored_at=moment, lease_expires_at=None,
            )
            if done:
                abandoned.append(pk)
            continue
        with transaction.atomic():
            # Back to pending: a slow worker that lost its lease can no longer write a result.
            back = Submission.objects.filter(pk=pk, status=status, lease_owner=owner).update(
                status=Status.PENDING, lease_owner="", lease_expires_at=None, queued_at=moment
            )
            if back:
                enqueue_on_commit(SCORE_SUBMISSION, pk)
                requeued.append(pk)
    return {"requeued": requeued, "abandoned": abandoned}


# -- organizer actions ----------------------------------------------------------------------


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
            .update(
                status=Status.PENDING, attempts=0, lease_owner="", lease_expires_at=None,
                queued_at=moment, public_score=None, private_score=None, scored_at=None,
                duration_ms=None, solution_version=None, error_code="", error_message="",
                error_detail="", result_message="",
            )
        )
        if reset:
            enqueue_on_commit(SCORE_SUBMISSION, submission_id)
    return bool(reset)


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
            status=Status.FAILED, error_code=ScoringFailure.ABANDONED.value,
            error_message=STUCK_MESSAGE,
            error_detail=f"Failed by an organizer ({by or 'admin'}) at {moment.isoformat()}.",
            scored_at=moment, lease_expires_at=None,
        )
    return sorted(stuck)
