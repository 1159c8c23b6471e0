"""The final selection for the private board: a team's own choice (``final_selection_set``)
and the automatic one at the reveal for teams that chose none (``final_selections_autoselect``).

Locking: ``final_selection_set`` locks the competition row, then the team row
(``core.locks.lock_row``). The reveal holds the competition row while it reads the selections,
so a choice saved in the last instant before the deadline is either in the private board or
refused; two members saving at once replace the set in turn. ``final_selections_autoselect``
takes no lock of its own: call it with the competition row locked (``leaderboard_reveal`` and
``private_board_build`` hold it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from podium.core.locks import lock_row
from podium.core.timeutils import now
from podium.submissions.error_codes import FinalSelectionRefusal
from podium.submissions.models import FinalSelection, Submission
from podium.teams.error_codes import TeamErrorCode
from podium.teams.models import Membership, Team

Status = Submission.Status


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
