"""The organizer dashboard's reads of a competition's submissions: per day, by status, failures
by error code, stuck ones, the public score distribution. Organizers' pages only (the dashboard,
``web/views/organizer``, and the admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.submissions.models import Submission


def _figures(competition: Competition):
    """The submissions the figures count: never a draft's test submissions (deleted when it is
    published, and never a participant's)."""
    return Submission.objects.filter(competition=competition, is_test=False)


def submissions_per_day(
    *, competition: Competition, since: datetime
) -> dict[date, tuple[int, int]]:
    """Submissions made per UTC day from ``since``: (not failed, failed) by day. One query."""
    rows = (
        _figures(competition)
        .filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(total=Count("pk"), failed=Count("pk", filter=Q(status=Submission.Status.FAILED)))
        .order_by("day")
    )
    return {r["day"]: (r["total"] - r["failed"], r["failed"]) for r in rows}


def status_counts(*, competition: Competition) -> dict[str, int]:
    """How many of the competition's submissions are in each status (all four keys)."""
    counts = dict.fromkeys(Submission.Status.values, 0)
    rows = _figures(competition).values_list("status").annotate(n=Count("pk")).order_by()
    counts.update({status: n for status, n in rows})
    return counts


@dataclass(frozen=True)
class FailureCount:
    code: str
    count: int
    example: str  # the participant-visible message of the latest one
    latest_at: datetime


def failures_by_error_code(*, competition: Competition) -> list[FailureCount]:
    """Failed submissions by error code, the most frequent first, each with its latest
    message (two queries)."""
    failed = _figures(competition).filter(status=Submission.Status.FAILED)
    rows = list(
        failed.values("error_code")
        .annotate(n=Count("pk"), latest=Max("created_at"))
        .order_by("-n", "error_code")
    )
    examples = {}
    for code, message in failed.order_by("created_at").values_list("error_code", "error_message"):
        examples[code] = message  # the latest one stays
    return [
        FailureCount(
            code=r["error_code"] or "unknown",
            count=r["n"],
            example=examples.get(r["error_code"], ""),
            latest_at=r["latest"],
        )
        for r in rows
    ]


def stuck_submissions(
    *, competition: Competition, moment: datetime | None = None, limit: int = 50
) -> list[Submission]:
    """Submissions waiting for the reconciler (``submissions_reconcile``): pending past the
    grace period since they were queued (or made, if never queued), or scoring with an expired
    lease (the worker is gone). Oldest first. Many here for long: no worker is running."""
    moment = moment or now()
    grace = moment - timedelta(seconds=settings.SCORING_PENDING_GRACE_SECONDS)
    late_in_queue = Q(queued_at__lt=grace) | Q(queued_at__isnull=True, created_at__lt=grace)
    stuck = (Q(status=Submission.Status.PENDING) & late_in_queue) | Q(
        status=Submission.Status.SCORING, lease_expires_at__lt=moment
    )
    return list(
        Submission.objects.filter(stuck, competition=competition)
        .select_related("team", "submitted_by")
        .order_by("created_at")[:limit]
    )


def public_scores(*, competition: Competition) -> list[float]:
    """Every scored on-time submission's public score (the organizers' score distribution)."""
    return list(
        _figures(competition)
        .filter(
            status=Submission.Status.SCORED,
            is_late=False,
            public_score__isnull=False,
        )
        .values_list("public_score", flat=True)
    )
