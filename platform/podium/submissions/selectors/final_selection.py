"""A team's final selection for the private board, and whether it may still change
(``final_selection_state``, what My Submissions shows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.submissions.models import FinalSelection
from podium.teams.models import Team


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
