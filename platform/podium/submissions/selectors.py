"""Reads of submissions. A private score leaves this module only after the reveal, or to the
competition's organizers: every participant-facing read goes through ``submission_view``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate

from podium.competitions.models import Competition, SolutionVersion
from podium.competitions.selectors import active_solution, is_organizer
from podium.core.timeutils import next_utc_midnight, now, utc_day_start
from podium.submissions.models import FinalSelection, Submission
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
    selected: bool = False  # one of the team's final selections
    selected_automatically: bool = False  # chosen at the reveal: the team chose none
    selectable: bool = False  # may be (un)ticked in the final selection now


def private_visible(*, viewer, competition: Competition) -> bool:
    """Private scores show to the competition's organizers, and to everyone after the reveal."""
    return competition.private_is_revealed or is_organizer(viewer, competition)


def submission_view(
    submission: Submission,
    *,
    viewer,
    selection: FinalSelectionState | None = None,
    organizer: bool | None = None,
) -> SubmissionView:
    """``organizer`` (whether ``viewer`` organizes the competition) may be passed by a caller
    that builds many views, so it is asked once."""
    competition = submission.competition
    if organizer is None:
        organizer = is_organizer(viewer, competition)
    show_private = organizer or competition.private_is_revealed
    if selection is None:
        selection = final_selection_state(team=submission.team, competition=competition)
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
        selected=submission.pk in selection.selected,
        selected_automatically=submission.pk in selection.automatic,
        selectable=selection.open
        and submission.status == Submission.Status.SCORED
        and not submission.is_late,
    )


def team_submissions(
    *, team: Team, viewer, offset: int = 0, limit: int | None = None
) -> list[SubmissionView]:
    """The team's submissions, newest first (``offset``/``limit``: one page of them): three
    queries whatever the number of rows."""
    qs = team.submissions.select_related("competition", "team", "submitted_by").order_by(
        "-created_at", "-pk"
    )
    page = qs[offset:] if limit is None else qs[offset : offset + limit]
    selection = final_selection_state(team=team, competition=team.competition)
    organizer = is_organizer(viewer, team.competition)
    return [
        submission_view(s, viewer=viewer, selection=selection, organizer=organizer) for s in page
    ]


def team_submission_count(*, team: Team) -> int:
    return team.submissions.count()


def submission_get(*, submission_id: int, viewer) -> Submission | None:
    """The submission if the viewer is in its team or organizes its competition."""
    submission = (
        Submission.objects.select_related("competition", "team", "submitted_by")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        return None
    if is_organizer(viewer, submission.competition):
        return submission
    if viewer.is_authenticated and submission.team.memberships.filter(user=viewer).exists():
        return submission
    return None


# -- rescoring with a new answer key ---------------------------------------------------------------


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


# -- final selection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalSelectionState:
    """A team's final selection, and whether it may still change (what My Submissions shows).

    ``choosing``: the competition ranks teams by the submissions they choose (Kaggle); False
    when it ranks every team by its best private score of all (DrivenData): nothing to choose.
    """

    choosing: bool
    limit: int
    selected: frozenset[int]
    automatic: frozenset[int]
    open: bool
    closes_at: datetime

    @property
    def count(self) -> int:
        return len(self.selected)


def final_selection_state(
    *, team: Team, competition: Competition, moment: datetime | None = None
) -> FinalSelectionState:
    """One query. Selections are not private figures, but only the team's own pages show them."""
    moment = moment or now()
    best_private = Competition.FinalSelectionFallback.BEST_PRIVATE
    choosing = competition.final_selection_fallback != best_private
    rows = FinalSelection.objects.filter(submission__team=team).values_list(
        "submission_id", "automatic"
    )
    selected, automatic = set(), set()
    for submission_id, is_automatic in rows:
        selected.add(submission_id)
        if is_automatic:
            automatic.add(submission_id)
    is_open = (
        choosing
        and competition.private_revealed_at is None
        and moment < competition.end_at
        and not team.disqualified_at
    )
    return FinalSelectionState(
        choosing=choosing,
        limit=competition.max_final_selections,
        selected=frozenset(selected),
        automatic=frozenset(automatic),
        open=is_open,
        closes_at=competition.end_at,
    )


# -- the organizer dashboard ---------------------------------------------------------------------


def submissions_per_day(
    *, competition: Competition, since: datetime
) -> dict[date, tuple[int, int]]:
    """Submissions made per UTC day from ``since``: (not failed, failed) by day. One query."""
    rows = (
        Submission.objects.filter(competition=competition, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(total=Count("pk"), failed=Count("pk", filter=Q(status=Submission.Status.FAILED)))
        .order_by("day")
    )
    return {r["day"]: (r["total"] - r["failed"], r["failed"]) for r in rows}


def status_counts(*, competition: Competition) -> dict[str, int]:
    """How many of the competition's submissions are in each status (all four keys)."""
    counts = dict.fromkeys(Submission.Status.values, 0)
    rows = (
        Submission.objects.filter(competition=competition)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
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
    failed = Submission.objects.filter(competition=competition, status=Submission.Status.FAILED)
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
        Submission.objects.filter(
            competition=competition,
            status=Submission.Status.SCORED,
            is_late=False,
            public_score__isnull=False,
        ).values_list("public_score", flat=True)
    )
