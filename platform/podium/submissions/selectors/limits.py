"""What counts toward a team's submission limits (``counted_q``, ``counted_submissions``) and
what the team has used of them (``quota``, read under the team's row lock by
``submission_create``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from podium.competitions.models import Competition
from podium.core.timeutils import next_utc_midnight, now, utc_day_start
from podium.submissions.models import Submission
from podium.teams.models import Team


def counted_q(competition: Competition) -> Q:
    """The submissions of ``competition`` that count toward its limits: all but the failed
    ones that cost nothing. A failure in the metric (on either board) counts as a scored
    submission does, whatever the rules say: whether the metric fails can depend on which rows
    are Public and which Private, and a free answer to that would be an oracle for the split.
    Failures found before the split (the file checks) and those that are not the team's doing
    are free, unless the rules count failed submissions."""
    if competition.failed_submissions_count:
        return Q(pk__isnull=False)
    return ~Q(status=Submission.Status.FAILED) | Q(failure_stage=Submission.FailureStage.METRIC)


def counted_submissions(*, team: Team, competition: Competition) -> QuerySet[Submission]:
    """The team's submissions that count toward the limits (``counted_q``)."""
    return Submission.objects.filter(counted_q(competition), team=team, competition=competition)


@dataclass(frozen=True)
class Quota:
    used_today: int
    daily_limit: int
    used_total: int
    total_limit: int | None
    resets_at: datetime
    # Free failures (refused by the file checks) today, and how many a day may be free; None
    # when the rules count every failed submission (none is free, so none needs a cap).
    invalid_today: int = 0
    invalid_limit: int | None = None

    @property
    def invalid_limit_reached(self) -> bool:
        return self.invalid_limit is not None and self.invalid_today >= self.invalid_limit

    @property
    def left_today(self) -> int:
        if self.invalid_limit_reached:
            return 0
        left = self.daily_limit - self.used_today
        if self.total_limit is not None:
            left = min(left, self.total_limit - self.used_total)
        return max(0, left)


def quota(*, team: Team, competition: Competition, moment: datetime | None = None) -> Quota:
    """What the team has used of its limits (one query; two with a total limit). Call under
    the team's row lock where the answer decides an upload (``submission_create``)."""
    moment = moment or now()
    counted = counted_q(competition)
    free_cap = not competition.failed_submissions_count
    invalid = Q(status=Submission.Status.FAILED, failure_stage=Submission.FailureStage.VALIDATION)
    today = Submission.objects.filter(
        team=team, competition=competition, created_at__gte=utc_day_start(moment)
    ).aggregate(used=Count("pk", filter=counted), invalid=Count("pk", filter=invalid))
    used_total = 0
    if competition.total_submission_limit is not None:
        used_total = counted_submissions(team=team, competition=competition).count()
    return Quota(
        used_today=today["used"],
        daily_limit=competition.daily_submission_limit,
        used_total=used_total,
        total_limit=competition.total_submission_limit,
        resets_at=next_utc_midnight(moment),
        invalid_today=today["invalid"] if free_cap else 0,
        invalid_limit=competition.daily_invalid_submission_limit if free_cap else None,
    )
