"""Histories: a team's public score and rank over time, the top teams' scores over time (the
leaderboard's chart), and a user's results across the competitions they took part in.

Public scores only, except ``user_results``, whose private result comes from
``selectors.private.team_private_entry`` (shown only where the viewer may see it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from podium.competitions.models import Competition
from podium.leaderboards.models import RankSnapshot
from podium.leaderboards.selectors.private import PrivateRow, team_private_entry
from podium.leaderboards.selectors.public import board_size, ranked_entries, team_entry
from podium.submissions.models import Submission
from podium.teams.models import Team


class ScorePoint(NamedTuple):
    at: datetime
    score: float


def team_score_history(team: Team) -> list[ScorePoint]:
    """The team's best public score over time, for a plot: a point at each on-time scored
    submission that improved it (by submission time; ties are not improvements).

    Read from the submissions themselves, not from the rank snapshots: exact to the second,
    right after a rescoring, and there even where the snapshot task never ran. Public scores
    only: nothing private. One query.
    """
    rows = (
        Submission.objects.filter(
            team=team, status=Submission.Status.SCORED, is_late=False, public_score__isnull=False
        )
        .order_by("created_at", "pk")
        .values_list("team_id", "created_at", "public_score")
    )
    return _best_so_far(rows, team.competition.greater_is_better).get(team.pk, [])


class RankPoint(NamedTuple):
    at: datetime
    rank: int
    score: float


def team_rank_history(team: Team, *, since: datetime | None = None) -> list[RankPoint]:
    """The team's public rank over time, from its snapshots (a point where it changed), oldest
    first. One query on the index ``rank_snapshot_team``."""
    snapshots = RankSnapshot.objects.filter(team=team)
    if since is not None:
        snapshots = snapshots.filter(taken_at__gte=since)
    rows = snapshots.order_by("taken_at").values_list("taken_at", "rank", "score")
    return [RankPoint(at, rank, score) for at, rank, score in rows]


def _best_so_far(rows, greater: bool) -> dict[int, list[ScorePoint]]:
    """(team_id, at, score) in time order -> each team's improving points."""
    found: dict[int, list[ScorePoint]] = {}
    for team_id, at, score in rows:
        points = found.setdefault(team_id, [])
        if not points or (score > points[-1].score if greater else score < points[-1].score):
            points.append(ScorePoint(at, score))
    return found


@dataclass(frozen=True)
class TeamHistory:
    rank: int
    team_id: int
    team_name: str
    points: list[ScorePoint]


def top_teams_score_history(*, competition: Competition, n: int = 10) -> list[TeamHistory]:
    """The best public score over time of the board's top ``n`` teams, in rank order (the
    leaderboard's chart). Public scores of on-time submissions only. Two queries."""
    top = list(ranked_entries(competition=competition).values_list("team_id", "team__name")[:n])
    if not top:
        return []
    rows = (
        Submission.objects.filter(
            team_id__in=[team_id for team_id, _ in top],
            status=Submission.Status.SCORED,
            is_late=False,
            public_score__isnull=False,
        )
        .order_by("created_at", "pk")
        .values_list("team_id", "created_at", "public_score")
    )
    found = _best_so_far(rows, competition.greater_is_better)
    return [
        TeamHistory(rank, team_id, name, found.get(team_id, []))
        for rank, (team_id, name) in enumerate(top, start=1)
    ]


@dataclass(frozen=True)
class UserResult:
    """One competition of a user's profile: their team and where it stands."""

    competition: Competition
    team_name: str
    team_id: int
    public_rank: int | None
    public_display: str
    entries: int
    teams: int
    private: PrivateRow | None  # only where the viewer may see the private board
    disqualified: bool

    @property
    def board_page(self) -> int:
        """The public board's page (of 100 rows) that shows the team."""
        return 1 if self.public_rank is None else (self.public_rank - 1) // 100 + 1


def user_results(*, user, viewer) -> list[UserResult]:
    """The competitions ``user`` is in, the most recent first, each with their team's public
    rank and score (and its private result where ``viewer`` may see the private board)."""
    if not user.is_authenticated:
        return []
    teams = (
        Team.objects.filter(memberships__user=user)
        .select_related("competition")
        .order_by("-competition__end_at")
    )
    results = []
    for team in teams:
        competition = team.competition
        found = None if team.disqualified_at else team_entry(competition=competition, team=team)
        precision = competition.score_display_precision
        results.append(
            UserResult(
                competition=competition,
                team_name=team.name,
                team_id=team.pk,
                public_rank=found[1] if found else None,
                public_display=f"{found[0].best_public_score:.{precision}f}" if found else "",
                entries=found[0].entries if found else 0,
                teams=board_size(competition=competition),
                private=team_private_entry(team=team, viewer=viewer),
                disqualified=team.disqualified_at is not None,
            )
        )
    return results
