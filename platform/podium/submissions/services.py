"""Writes of the submissions app: accepting a file, and the lease protocol of its scoring.

Locking: ``submission_create`` counts a team's submissions while holding the team row
(``select_for_update``; on SQLite the IMMEDIATE transaction serializes writers), so concurrent
uploads cannot pass a limit. A submission counts from the moment it is saved (pending); if it
then fails the file checks, which never look at the public/private split, it is free again
(``selectors.counted_q``), up to ``daily_invalid_submission_limit`` such failures a day; one that
fails while the boards are scored keeps counting. Scoring state changes are conditional
UPDATEs on (status, lease owner), the protocol of ``core.leases`` (``LEASE``): a worker that
lost its lease, or a second delivery of the same task, changes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition, SolutionVersion
from podium.core.errors import Conflict, DomainError, LimitReached, NotFound, PermissionDenied
from podium.core.files import sha256_and_size
from podium.core.leases import Lease
from podium.core.locks import lock_row
from podium.core.queue import SCORE_SUBMISSION, enqueue_on_commit
from podium.core.text import storable
from podium.core.timeutils import humanize_delta, now
from podium.submissions import selectors
from podium.submissions.error_codes import FinalSelectionRefusal, ScoringFailure, SubmissionRefusal
from podium.submissions.models import FinalSelection, Submission
from podium.teams import selectors as team_selectors
from podium.teams.error_codes import TeamErrorCode
from podium.teams.models import Membership, Team
from scoring.error_codes import SubmissionErrorCode as FileErrorCode

Status = Submission.Status


def _check_can_submit(user, competition: Competition, team: Team, moment: datetime) -> None:
    competition_selectors.require_rules_accepted(user, competition)
    if moment < competition.start_at:
        raise DomainError(
            CompetitionErrorCode.NOT_STARTED,
            f"{competition.title} opens for submissions in "
            f"{humanize_delta(competition.start_at - moment)}.",
        )
    if team.disqualified_at:
        raise PermissionDenied(
            TeamErrorCode.TEAM_DISQUALIFIED,
            f"Your team was disqualified: {team.disqualification_reason or 'see the organizers'}.",
        )
    if competition_selectors.active_solution(competition) is None:
        raise DomainError(
            CompetitionErrorCode.NO_SOLUTION,
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
    wait = humanize_delta(quota.resets_at - moment)
    if quota.used_today >= quota.daily_limit:
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
    if quota.invalid_limit_reached:
        raise LimitReached(
            SubmissionRefusal.INVALID_LIMIT_REACHED,
            f"Your team's submissions were refused by the file checks {quota.invalid_today} "
            f"times today; this competition allows {quota.invalid_limit} such failures a day. "
            "Check your file against the sample submission; the next upload opens at 00:00 UTC "
            f"(in {wait}).",
            details={
                "invalid": quota.invalid_today,
                "limit": quota.invalid_limit,
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
        raise DomainError(FileErrorCode.FILE_EMPTY, "The file is empty.")
    if size > competition.submission_max_bytes:
        raise DomainError(
            FileErrorCode.FILE_TOO_LARGE,
            f"The file is {size / 1e6:.1f} MB; this competition accepts at most "
            f"{competition.submission_max_bytes / 1e6:.0f} MB.",
            status=413,
        )
    submission = Submission(
        uuid=uuid.uuid4(),
        competition=competition,
        team=team,
        submitted_by=user,
        original_name=(getattr(file, "name", "") or "submission.csv").rsplit("/", 1)[-1][:255],
        size=size,
        sha256=digest,
        description=description.strip()[:500],
        is_late=moment >= competition.end_at,
        queued_at=moment,
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
    """Take the lease on a pending submission (or one whose lease expired). None: nothing to do."""
    if not LEASE.claim(submission_id, worker):
        return None
    return Submission.objects.select_related("competition", "team").get(pk=submission_id)


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
) -> bool:
    """Write the scores if this worker still holds the lease.

    Call inside the board's transaction.
    """
    return LEASE.finish(
        submission.pk,
        worker,
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
    if worker is not None:
        return LEASE.finish(submission_id, worker, **failed)
    return bool(
        Submission.objects.filter(
            pk=submission_id, status__in=[Status.PENDING, Status.SCORING]
        ).update(lease_expires_at=None, **failed)
    )


def submission_set_result_message(*, submission_id: int, message: str) -> None:
    Submission.objects.filter(pk=submission_id).update(result_message=message)


def submissions_reconcile(
    *, moment: datetime | None = None, limit: int = 500
) -> dict[str, list[int]]:
    """Find work that was lost (a worker died, a message vanished) and queue it again.

    A submission pending past the grace period, or scoring with an expired lease, is queued
    again; one that has used all its attempts is failed with a message for the participant.
    """
    moment = moment or now()
    stale = LEASE.stale(moment, settings.SCORING_PENDING_GRACE_SECONDS).values_list(
        "pk", "attempts", "status", "lease_owner"
    )[:limit]
    requeued, abandoned = [], []
    for pk, attempts, status, owner in stale:
        if attempts >= settings.SCORING_MAX_ATTEMPTS:
            done = LEASE.abandon(
                pk,
                status,
                owner,
                status=Status.FAILED,
                error_code=ScoringFailure.ABANDONED.value,
                error_message="This submission could not be scored after several attempts. "
                "The organizers can see why and may rescore it.",
                error_detail=f"Gave up after {attempts} attempts (last worker: {owner or 'none'}).",
                failure_stage=Submission.FailureStage.SYSTEM,
                scored_at=moment,
            )
            if done:
                abandoned.append(pk)
            continue
        with transaction.atomic():
            # Back to pending: a slow worker that lost its lease can no longer write a result.
            if LEASE.requeue(pk, status, owner, moment=moment):
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
                status=Status.PENDING,
                attempts=0,
                lease_owner="",
                lease_expires_at=None,
                queued_at=moment,
                public_score=None,
                private_score=None,
                scored_at=None,
                duration_ms=None,
                solution_version=None,
                error_code="",
                error_message="",
                error_detail="",
                failure_stage="",
                result_message="",
            )
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
        stale.filter(pk__in=ids).update(
            status=Status.PENDING,
            attempts=0,
            lease_owner="",
            lease_expires_at=None,
            queued_at=moment,
            public_score=None,
            private_score=None,
            scored_at=None,
            duration_ms=None,
            solution_version=None,
            error_code="",
            error_message="",
            error_detail="",
            failure_stage="",
            result_message="",
        )
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
    return sorted(stuck)


# -- final selection ------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _check_can_select(user, competition: Competition, team: Team, moment: datetime) -> None:
    if not Membership.objects.filter(team=team, user=user).exists():
        raise PermissionDenied(
            TeamErrorCode.NOT_A_PARTICIPANT, f"You are not a member of the team “{team.name}”."
        )
    if competition.final_selection_fallback == Competition.FinalSelectionFallback.BEST_PRIVATE:
        raise DomainError(
            FinalSelectionRefusal.NOT_USED,
            "This competition ranks every team by its best private score among all its "
            "submissions made before the deadline: there is nothing to select.",
        )
    if competition.private_revealed_at is not None or moment >= competition.end_at:
        raise Conflict(
            FinalSelectionRefusal.CLOSED,
            "The competition has ended: the final selection can no longer be changed.",
        )
    if team.disqualified_at:
        raise PermissionDenied(
            TeamErrorCode.TEAM_DISQUALIFIED,
            f"Your team was disqualified: {team.disqualification_reason or 'see the organizers'}.",
        )


def final_selection_set(*, user, team: Team, submission_ids: Iterable[int]) -> list[FinalSelection]:
    """Replace ``team``'s final selection with ``submission_ids``, until the deadline.

    Only a member may choose, only scored, on-time submissions of the team, at most
    ``competition.max_final_selections`` of them. An empty list clears the selection: at the
    reveal the team then gets its best public ones (Kaggle's rule).

    Locking: the competition row, then the team row. The reveal holds the competition row while
    it reads the selections, so a choice saved in the last instant before the deadline is either
    in the private board or refused; two members saving at once replace the set in turn.
    """
    wanted = list(dict.fromkeys(int(pk) for pk in submission_ids))
    with transaction.atomic():
        competition = lock_row(Competition.objects, team.competition_id)
        team = lock_row(Team.objects, team.pk)
        _check_can_select(user, competition, team, now())
        limit = competition.max_final_selections
        if len(wanted) > limit:
            raise DomainError(
                FinalSelectionRefusal.TOO_MANY,
                f"You can select at most {_plural(limit, 'submission')}.",
                details={"limit": limit, "selected": len(wanted)},
            )
        # An id no row can have (past the database's integer range) is simply not found: asking
        # the database for it would crash the query.
        low, high = connection.ops.integer_field_range("BigAutoField")
        found = Submission.objects.in_bulk([pk for pk in wanted if low <= pk <= high])
        for pk in wanted:
            submission = found.get(pk)
            if submission is None or submission.team_id != team.pk:
                raise NotFound(
                    FinalSelectionRefusal.NOT_YOURS,
                    f"Submission {pk} is not one of your team's submissions.",
                )
            if submission.is_late:
                raise DomainError(
                    FinalSelectionRefusal.LATE,
                    f"Submission {pk} was made after the deadline: late submissions cannot be "
                    "selected.",
                )
            if submission.status != Status.SCORED:
                raise DomainError(
                    FinalSelectionRefusal.NOT_SCORED,
                    f"Submission {pk} is {submission.status}: only scored submissions can be "
                    "selected.",
                )
        # By the submissions' team too: a merge may have brought selected submissions along.
        FinalSelection.objects.filter(Q(team=team) | Q(submission__team=team)).delete()
        moment = now()
        return FinalSelection.objects.bulk_create(
            FinalSelection(
                competition=competition,
                team=team,
                submission=found[pk],
                selected_by=user,
                selected_at=moment,
            )
            for pk in wanted
        )


@transaction.atomic
def final_selections_autoselect(*, competition: Competition) -> int:
    """Rewrite the automatic selections: each team with no chosen submission that still counts
    (scored, on time) gets its best ``max_final_selections`` by public score, ties to the earlier
    submission. Idempotent; returns how many teams got automatic selections.

    Call with the competition row locked (``leaderboard_reveal`` and ``private_board_build``
    hold it), so no team changes its choice meanwhile.
    """
    eligible = Submission.objects.filter(
        competition=competition, status=Status.SCORED, is_late=False, public_score__isnull=False
    )
    chose = FinalSelection.objects.filter(
        competition=competition, automatic=False, submission__in=eligible
    ).values("submission__team_id")
    FinalSelection.objects.filter(competition=competition, automatic=True).delete()
    best_first = "-public_score" if competition.greater_is_better else "public_score"
    candidates = (
        eligible.exclude(team_id__in=chose)
        .order_by("team_id", best_first, "created_at", "pk")
        .values_list("pk", "team_id")
    )
    limit, taken, rows = competition.max_final_selections, Counter(), []
    moment = now()
    for pk, team_id in candidates.iterator(chunk_size=2000):
        if taken[team_id] < limit:
            taken[team_id] += 1
            rows.append(
                FinalSelection(
                    competition=competition,
                    team_id=team_id,
                    submission_id=pk,
                    automatic=True,
                    selected_at=moment,
                )
            )
    FinalSelection.objects.bulk_create(rows, batch_size=1000)
    return len(taken)
