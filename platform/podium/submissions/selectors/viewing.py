"""What a viewer may see of a submission (``submission_view``), the team's own list of them
(``team_submissions``), one submission for its team or organizers (``submission_get``) and its
file for the same people (``submission_file_get``: teammates share their predictions).

A private score leaves this package only after the reveal, or to the competition's organizers
(``private_visible``): every participant-facing read goes through ``submission_view``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from podium.competitions.models import Competition
from podium.competitions.selectors import is_organizer
from podium.core.errors import NotFound
from podium.submissions.error_codes import SubmissionRefusal
from podium.submissions.models import Submission
from podium.submissions.selectors.final_selection import (
    FinalSelectionState,
    final_selection_state,
)
from podium.teams.models import Team


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
    is_test: bool = False  # an organizer's test submission on a draft: never on a board


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
        is_test=submission.is_test,
    )


def new_submission_view(submission: Submission) -> SubmissionView:
    """The view of a submission just created by its viewer: pending, unscored and in no final
    selection, so neither the viewer's role nor the team's selection changes what it shows
    (nothing is read)."""
    nothing = FinalSelectionState(
        choosing=False,
        limit=0,
        selected=frozenset(),
        automatic=frozenset(),
        open=False,
        closes_at=submission.competition.end_at,
    )
    if submission.status != Submission.Status.PENDING or submission.private_score is not None:
        raise ValueError(f"submission {submission.pk} is not new: use submission_view")
    return submission_view(submission, viewer=None, selection=nothing, organizer=False)


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


def submission_file_get(*, submission_id: int, competition: Competition, viewer) -> Submission:
    """A submission whose file ``viewer`` may download: any of their own team's (teammates
    ensemble each other's predictions) or, for its organizers, any; another team's is
    NotFound, worded as for one that does not exist."""
    in_range = isinstance(submission_id, int) and 0 < submission_id < 2**63
    submission = submission_get(submission_id=submission_id, viewer=viewer) if in_range else None
    if submission is None or submission.competition_id != competition.pk:
        raise NotFound(SubmissionRefusal.NOT_FOUND, f"There is no submission {submission_id}.")
    return submission
