"""Revealed boards for progression's tests: real teams, submissions, private board and reveal."""

from __future__ import annotations

from datetime import timedelta

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards.reveal import leaderboard_reveal
from podium.teams.models import Team
from tests.podium.factories import competition_with_solution, participant, scored


def ended(competition: Competition, ago: timedelta = timedelta(minutes=1)) -> Competition:
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - ago)
    competition.refresh_from_db()
    return competition


def board_of(n: int, *, prefix: str = "p", end: bool = True, **kwargs):
    """A competition with ``n`` solo teams on its board, best first (``prefix``0 wins), ended
    (unless not ``end``) but not revealed; returns it and the users in board order."""
    competition = competition_with_solution(daily_submission_limit=20, **kwargs)
    users = []
    for i in range(n):
        user = participant(competition, f"{prefix}{i}")
        scored(user, competition, 0.5, 0.99 - i * 0.01)
        users.append(user)
    return (ended(competition) if end else competition), users


def reveal(competition: Competition) -> None:
    leaderboard_reveal(competition=competition)
    competition.refresh_from_db()


def team_of(user, competition) -> Team:
    return Team.objects.get(competition=competition, memberships__user=user)
