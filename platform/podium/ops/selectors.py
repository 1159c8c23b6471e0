"""The counts ``/metrics`` shows, read from the database at scrape time.

Rows are the truth about submissions and kernel runs, whichever of many web and worker processes
wrote them, so a scrape reads them (a handful of grouped counts) instead of keeping counters in
each process. Only states, error codes and bucket counts leave here: never a score, a name or a
competition.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, Sum

from podium.core.error_codes import code_values
from podium.kernels.models import KernelRun
from podium.submissions.models import Submission

OTHER_CODE = "other"  # a stored code that is not (or no longer) a registered one


def submissions_by_state() -> dict[str, int]:
    counts = dict.fromkeys(Submission.Status.values, 0)
    for row in Submission.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def failures_by_code() -> dict[str, int]:
    """Failed submissions by error code; a code outside the registry counts as ``other``, so
    the label's values stay the closed set of ``core.error_codes``."""
    known = set(code_values())
    counts: dict[str, int] = {}
    rows = (
        Submission.objects.filter(status=Submission.Status.FAILED)
        .order_by()
        .values("error_code")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        code = row["error_code"] if row["error_code"] in known else OTHER_CODE
        counts[code] = counts.get(code, 0) + row["n"]
    return counts


def kernel_runs_by_state() -> dict[str, int]:
    counts = dict.fromkeys(KernelRun.Status.values, 0)
    for row in KernelRun.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def scoring_durations(bounds_ms: Sequence[int]) -> tuple[list[int], int, int]:
    """How long the scoring took, over every submission that recorded it: the cumulative count
    at or under each bound (ms), the count, and the sum (ms). One query."""
    timed = Q(duration_ms__isnull=False)
    aggregates = {
        f"le{i}": Count("pk", filter=timed & Q(duration_ms__lte=b)) for i, b in enumerate(bounds_ms)
    }
    row = Submission.objects.order_by().aggregate(
        count=Count("pk", filter=timed), total=Sum("duration_ms"), **aggregates
    )
    return [row[f"le{i}"] for i in range(len(bounds_ms))], row["count"], row["total"] or 0
