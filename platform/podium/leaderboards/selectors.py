"""Reads of the public board. Private figures are not read here at all (see #4's reveal)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from podium.competitions.models import Competition
from podium.leaderboards.models import LeaderboardEntry
from podium.teams.models import Membership, Team


def sort_key(competition: Competition, score: float) -> float:
    return score if competition.greater_is_better else -score


def rank_of(*, competition: Competition, key: float, submitted_at: datetime) -> int:
    """1 + the teams ahead: a better score, or the same score submitted earlier."""
    ahead = LeaderboardEntry.objects.filter(competition=competition, team__disqualified_at__isnull=True).filter(
        Q(sort_key__gt=key) | Q(sort_key=key, best_submitted_at__lt=submitted_at)
    )
    return ahead.count() + 1


@dataclass(frozen=True)
class BoardRow:
    rank: int
    team_id: int
    team_name: str
    members: list[str]
    is_baseline: bool
    score: float
    score_display: str
    entries: int
    last_submission_at: datetime


def public_board(*, competition: Competition, offset: int = 0, limit: int = 100) -> list[BoardRow]:
    """One page of the public board: one indexed query (plus one for the page's members).

    Plain values, not model instances: building 200 instances was half the time of a page
    (``make bench``: 10,000 teams).
    """
    entries = list(
        LeaderboardEntry.objects.filter(competition=competition, team__disqualified_at__isnull=True)
        .order_by("-sort_key", "best_submitted_at", "team_id")
        .values_list(
            "team_id", "team__name", "team__is_baseline", "best_public_score", "entries",
            "last_submission_at",
        )[offset : offset + limit]
    )
    members: dict[int, list[str]] = {}
    if entries:
        # Straight from the memberships (by their team index), without Team's default ordering,
        # which joined competitions and sorted for nothing.
        page_teams = [e[0] for e in entries]
        rows = (
            Membership.objects.filter(team_id__in=page_teams)
            .order_by()
            .values_list("team_id", "user__username")
        )
        for team_id, username in rows:
            members.setdefault(team_id, []).append(username)
    precision = competition.score_display_precision
    return [
        BoardRow(
            rank=offset + i + 1,
            team_id=team_id,
            team_name=name,
            members=sorted(members.get(team_id, [])),
            is_baseline=is_baseline,
            score=score,
            score_display=f"{score:.{precision}f}",
            entries=count,
            last_submission_at=last_at,
        )
        for i, (team_id, name, is_baseline, score, count, last_at) in enumerate(entries)
    ]


def public_board_rows(*, competition: Competition, page_size: int = 1000) -> Iterator[BoardRow]:
    """Every row of the public board in rank order (the organizers' CSV export), page by page."""
    offset = 0
    while True:
        page = public_board(competition=competition, offset=offset, limit=page_size)
        yield from page
        if len(page) < page_size:
            return
        offset += page_size


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def public_board_page(*, competition: Competition, page: int = 1, per_page: int = 100) -> BoardPage:
    """Page ``page`` (from 1, clamped to the pages there are) of the public board."""
    total = board_size(competition=competition)
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    rows = public_board(competition=competition, offset=(number - 1) * per_page, limit=per_page)
    return BoardPage(rows=rows, number=number, pages=pages, total=total)


def board_size(*, competition: Competition) -> int:
    return LeaderboardEntry.objects.filter(competition=competition, team__disqualified_at__isnull=True).count()


def team_entry(*, competition: Competition, team: Team) -> tuple[LeaderboardEntry, int] | None:
    entry = LeaderboardEntry.objects.filter(competition=competition, team=team).first()
    if entry is None:
        return None
    return entry, rank_of(competition=competition, key=entry.sort_key, submitted_at=entry.best_submitted_at)
