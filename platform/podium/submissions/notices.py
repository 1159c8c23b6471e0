"""A failed submission tells its team's members (``notifications.notify``, in the transaction
that failed it). The text is the participant's failure message (``error_message``, what My
Submissions shows), never the organizers' detail and never a score."""

from __future__ import annotations

from podium.notifications.models import Kind
from podium.notifications.services import notify
from podium.submissions.models import Submission
from podium.teams.models import Membership


def failed_notify(*, submission_ids: list[int]) -> None:
    failed = Submission.objects.filter(
        pk__in=submission_ids, status=Submission.Status.FAILED
    ).select_related("competition")
    for submission in failed:
        competition = submission.competition
        members = Membership.objects.filter(team_id=submission.team_id).values_list(
            "user_id", flat=True
        )
        notify(
            recipient_ids=list(members),
            kind=Kind.SUBMISSION_FAILED,
            title=f"Your submission “{submission.original_name}” to {competition.title} "
            f"could not be scored: {submission.error_message}",
            url=f"/competitions/{competition.slug}/submissions/",
        )
