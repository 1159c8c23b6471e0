"""The rescoring with a new answer key as the submissions see it: which are done
(``rescored_q``), how the walk pages through them (``submission_ids_page``) and how far it got
(``rescore_progress``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from podium.competitions.models import Competition, SolutionVersion
from podium.competitions.selectors import active_solution
from podium.submissions.models import Submission


def rescored_q(version: SolutionVersion) -> Q:
    """The submissions done for a rescoring with ``version``: scored or failed with it (the
    scoring records the version it used) since the rescoring was requested (before, the metric
    may have been another: a changed metric rescores with the same answer key), or failed
    without reaching the metric after the rescoring started (given up by the reconciler, stopped
    by an organizer), so that one that can never be scored does not hold the job open
    forever."""
    ended = [Submission.Status.SCORED, Submission.Status.FAILED]
    done = Q(status__in=ended, solution_version=version)
    if version.rescore_requested_at is not None:
        done &= Q(scored_at__gte=version.rescore_requested_at)
        done |= Q(
            status=Submission.Status.FAILED,
            solution_version__isnull=True,
            scored_at__gte=version.rescore_requested_at,
        )
    return done


def submission_ids_page(*, competition_id: int, after_id: int, limit: int) -> list[int]:
    """The ids of the competition's next ``limit`` submissions after ``after_id``, in id order
    (how the rescoring walks them: each step re-reads from where the last one stopped)."""
    return list(
        Submission.objects.filter(competition_id=competition_id, pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass(frozen=True)
class RescoreProgress:
    """Where the rescoring with a competition's active answer key stands."""

    version_number: int
    done: int
    total: int
    requested_at: datetime
    finished_at: datetime | None

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def text(self) -> str:
        if self.running:
            return (
                f"Rescoring with v{self.version_number}: {self.done:,} of {self.total:,} "
                "submissions done"
            )
        return (
            f"Rescored with v{self.version_number}: {self.total:,} submissions, finished "
            f"{self.finished_at:%Y-%m-%d %H:%M} UTC"
        )

    def __str__(self) -> str:
        return self.text


def rescore_progress(competition: Competition) -> RescoreProgress | None:
    """The rescoring with the active answer key, or None when it was never asked for: done is
    the submissions that ``rescored_q`` counts, of all the competition's submissions (one
    query, plus one for the version)."""
    version = active_solution(competition)
    if version is None or version.rescore_requested_at is None:
        return None
    counts = Submission.objects.filter(competition=competition).aggregate(
        total=Count("pk"), done=Count("pk", filter=rescored_q(version))
    )
    return RescoreProgress(
        version_number=version.number,
        done=counts["done"],
        total=counts["total"],
        requested_at=version.rescore_requested_at,
        finished_at=version.rescore_finished_at,
    )
