"""Reads of submissions. A private score leaves this module only after the reveal, or to the
competition's organizers: every participant-facing read goes through ``submission_view``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from podium.competitions.models import Competition
from podium.competitions.selectors import is_organizer
from podium.core.timeutils import next_utc_midnight, now, utc_day_start
from podium.submissions.models import Submission
from podium.teams.models import Team


def counted_submissions(*, team: Team, competition: Competition) -> QuerySet[Submission]:
    """The submissions that count toward the limits (failed ones only if the rules say so)."""
    qs = Submission.objects.filter(team=team, competition=competition)
    if not competition.failed_submissions_count:
        qs = qs.exclude(status=Submission.Status.FAILED)
    return qs


@dataclass(frozen=True)
class Quota:
    used_today: int
    daily_limit: int
    used_total: int
    total_limit: int | None
    resets_at: datetime

    @property
    def left_today(self) -> int:
        left = self.daily_limit - self.used_today
        if self.total_limit is not None:
            left = min(left, self.total_limit - self.used_total)
        return max(0, left)


def quota(*, team: Team, competition: Competition, moment: datetime | None = None) -> Quota:
    moment = moment or now()
    counted = counted_submissions(team=team, competition=competition)
    return Quota(
        used_today=counted.filter(created_at__gte=utc_day_start(moment)).count(),
        daily_limit=competition.daily_submission_limit,
        used_total=counted.count() if competition.total_submission_limit is not None else 0,
        total_limit=competition.total_submission_limit,
        resets_at=next_utc_midnight(moment),
    )


@dataclass(frozen=True)
class SubmissionView:
    """What a given viewer may see of a submission."""

    id: int
    uuid: str
    team_name: str
    submitted_by: str
    description: str
    original_name: str
    size: int
    status: str
    is_late: bool
    created_at: datetime
    scored_at: datetime | None
    public_score: float | None
    private_score: float | None  # None unless revealed or the viewer organizes
    error_code: str
    error_message: str
    error_detail: str  # organizers only
    result_message: str


def private_visible(*, viewer, competition: Competition) -> bool:
    """Private scores show to the competition's organizers, and to everyone after the reveal."""
    return competition.private_is_revealed or is_organizer(viewer, competition)


def submission_view(submission: Submission, *, viewer) -> SubmissionView:
    competition = submission.competition
    organizer = is_organizer(viewer, competition)
    show_private = organizer or competition.private_is_revealed
    return SubmissionView(
        id=submission.pk,
        uuid=submission.uuid.hex,
        team_name=submission.team.name,
        submitted_by=submission.submitted_by.get_username(),
        description=submission.description,
        original_name=submission.original_name,
        size=submission.size,
        status=submission.status,
        is_late=submission.is_late,
        created_at=submission.created_at,
        scored_at=submission.scored_at,
        public_score=submission.public_score,
        private_score=submission.private_score if show_private else None,
        error_code=submission.error_code,
        error_message=submission.error_message,
        error_detail=submission.error_detail if organizer else "",
        result_message=submission.result_message,
    )


def team_submissions(*, team: Team, viewer) -> list[SubmissionView]:
    qs = team.submissions.select_related("competition", "team", "submitted_by").order_by("-created_at")
    return [submission_view(s, viewer=viewer) for s in qs]


def submission_get(*, submission_id: int, viewer) -> Submission | None:
    """The submission if the viewer is in its team or organizes its competition."""
    submission = (
        Submission.objects.select_related("competition", "team", "submitted_by").filter(pk=submission_id).first()
    )
    if submission is None:
        return None
    if is_organizer(viewer, submission.competition):
        return submission
    if viewer.is_authenticated and submission.team.memberships.filter(user=viewer).exists():
        return submission
    return None
