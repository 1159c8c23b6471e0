"""Reads of the public board: its ranks, its pages (with each team's 24-hour move), a team's
entry and place on it. Public scores only: nothing here reads the private board.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards.models import LeaderboardEntry, RankSnapshot
from podium.leaderboards.selectors.shared import BoardPage, members_by_team
from podium.teams.models import Team

# The public board shows each team's move over this long, and "new" for teams that entered since.
CHANGE_WINDOW = timedelta(hours=24)


def sort_key(competition: Competition, score: float) -> float:
    return score if competition.greater_is_better else -score


def rank_of(*, competition: Competition, key: float, submitted_at: datetime) -> int:
    """1 + the teams ahead: a better score, or the same score submitted earlier."""
    ahead = LeaderboardEntry.objects.filter(
        competition=competition, team__disqualified_at__isnull=True
    ).filter(Q(sort_key__gt=key) | Q(sort_key=key, best_submitted_at__lt=submitted_at))
    return ahead.count() + 1


def ranked_entries(*, competition: Competition) -> QuerySet[LeaderboardEntry]:
    """The public board's rows in rank order, disqualified teams left out (index board_order)."""
    return LeaderboardEntry.objects.filter(
        competition=competition, team__disqualified_at__isnull=True
    ).order_by("-sort_key", "best_submitted_at", "team_id")


def public_ranks(*, competition: Competition) -> dict[int, tuple[int, float]]:
    """Every ranked team's (public rank, best public score), by team id: one query."""
    rows = ranked_entries(competition=competition).values_list("team_id", "best_public_score")
    return {team_id: (rank, score) for rank, (team_id, score) in enumerate(rows, start=1)}


def public_ranks_of(*, competition: Competition, team_ids) -> dict[int, int]:
    """The public rank of each of these teams that is on the board: numbered by the database
    (a window over the board's index order) and only the asked rows sent back, where
    ``public_ranks`` brings every row of a 10,000-team board into Python for a page that shows
    twenty authors."""
    ids = sorted({int(i) for i in team_ids})
    if not ids:
        return {}
    ranked = (
        ranked_entries(competition=competition)
        .annotate(
            place=Window(
                RowNumber(),
                order_by=[F("sort_key").desc(), F("best_submitted_at").asc(), F("team_id").asc()],
            )
        )
        .order_by()
        .values_list("team_id", "place")
    )
    sql, params = ranked.query.sql_with_params()
    wanted = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:  # every value a placeholder: ids and the board's own
        cursor.execute(
            f"SELECT board.team_id, board.place FROM ({sql}) AS board "
            f"WHERE board.team_id IN ({wanted})",
            [*params, *ids],
        )
        return {int(team): int(place) for team, place in cursor.fetchall()}


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
    # Places gained (> 0) or lost (< 0) over the last 24 hours; None without a rank back then.
    rank_change: int | None = None
    is_new: bool = False  # entered the board in the last 24 hours


def _ranks_day_ago(team_ids: list[int], cutoff: datetime) -> dict[int, int]:
    """Each team's rank at ``cutoff``: its latest ``RankSnapshot`` from before then (one index
    probe of ``rank_snapshot_team`` per team of the page). Teams with none are left out."""
    latest = (
        RankSnapshot.objects.filter(team=OuterRef("pk"), taken_at__lte=cutoff)
        .order_by("-taken_at")
        .values("rank")[:1]
    )
    rows = (
        Team.objects.filter(pk__in=team_ids)
        .order_by()
        .annotate(rank_day_ago=Subquery(latest))
        .values_list("pk", "rank_day_ago")
    )
    return {pk: rank for pk, rank in rows if rank is not None}


def public_board(
    *, competition: Competition, offset: int = 0, limit: int = 100, moment: datetime | None = None
) -> list[BoardRow]:
    """One page of the public board: three indexed queries (the page, its teams' ranks 24 hours
    ago, its members).

    The page is read plainly (index ``board_order``), then the day-ago ranks for its teams only:
    put on the ranked rows as a subquery, it ran for every row the OFFSET skipped too (40 ms for
    page 50 of 10,000 teams), and picking the page in an inner query made page 1 a hash join
    over the whole board (19 ms against 10 ms on PostgreSQL). Plain values, not model
    instances: building 200 instances was half the time of a page (``make bench``).
    """
    entries = list(
        ranked_entries(competition=competition).values_list(*_ROW_FIELDS)[offset : offset + limit]
    )
    return _board_rows(competition, entries, offset + 1, moment)


_ROW_FIELDS = (
    "team_id",
    "team__name",
    "team__is_baseline",
    "best_public_score",
    "entries",
    "last_submission_at",
    "first_entry_at",
)


@dataclass(frozen=True)
class BoardKey:
    """Where a row stands in the board's order (``ranked_entries``), and its rank: the place a
    keyset page starts after."""

    sort_key: float
    submitted_at: datetime
    team_id: int
    rank: int


def public_board_after(
    *, competition: Competition, after: BoardKey | None, limit: int = 100
) -> tuple[list[BoardRow], BoardKey | None]:
    """The ``limit`` rows of the public board that follow ``after`` (None: from the top), and
    the key of the last one (None when the board ends there): keyset pagination, so a deep page
    costs what the first does (one index range on ``board_order``, no OFFSET to walk).

    A row that moves between two pages may be shown twice or skipped, as on any live board; the
    ranks continue from ``after.rank``.
    """
    entries = ranked_entries(competition=competition)
    if after is not None:
        entries = entries.filter(
            Q(sort_key__lt=after.sort_key)
            | Q(sort_key=after.sort_key, best_submitted_at__gt=after.submitted_at)
            | Q(
                sort_key=after.sort_key,
                best_submitted_at=after.submitted_at,
                team_id__gt=after.team_id,
            )
        )
    found = list(entries.values_list(*_ROW_FIELDS, "sort_key", "best_submitted_at")[: limit + 1])
    first = 1 if after is None else after.rank + 1
    page = found[:limit]
    rows = _board_rows(competition, [e[:-2] for e in page], first, None)
    last = None
    if len(found) > limit:
        *_, key, at = page[-1]
        last = BoardKey(key, at, page[-1][0], first + len(page) - 1)
    return rows, last


def _board_rows(
    competition: Competition, entries: list[tuple], first_rank: int, moment: datetime | None
) -> list[BoardRow]:
    """Rows of ``_ROW_FIELDS`` values, ranked from ``first_rank``, with their 24-hour moves."""
    cutoff = (moment or now()) - CHANGE_WINDOW
    offset = first_rank - 1
    day_ago = _ranks_day_ago([e[0] for e in entries], cutoff)
    members = members_by_team([e[0] for e in entries])
    precision = competition.score_display_precision
    rows = []
    for i, (team_id, name, is_baseline, score, count, last_at, first_at) in enumerate(entries):
        rank = offset + i + 1
        day_ago_rank = day_ago.get(team_id)
        rows.append(
            BoardRow(
                rank=rank,
                team_id=team_id,
                team_name=name,
                members=members.get(team_id, []),
                is_baseline=is_baseline,
                score=score,
                score_display=f"{score:.{precision}f}",
                entries=count,
                last_submission_at=last_at,
                rank_change=None if day_ago_rank is None else day_ago_rank - rank,
                is_new=day_ago_rank is None and first_at is not None and first_at > cutoff,
            )
        )
    return rows


def public_board_rows(*, competition: Competition, page_size: int = 1000) -> Iterator[BoardRow]:
    """Every row of the public board in rank order (the organizers' CSV export), page by page."""
    offset = 0
    while True:
        page = public_board(competition=competition, offset=offset, limit=page_size)
        yield from page
        if len(page) < page_size:
            return
        offset += page_size


def public_board_page(*, competition: Competition, page: int = 1, per_page: int = 100) -> BoardPage:
    """Page ``page`` (from 1, clamped to the pages there are) of the public board."""
    total = board_size(competition=competition)
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    rows = public_board(competition=competition, offset=(number - 1) * per_page, limit=per_page)
    return BoardPage(rows=rows, number=number, pages=pages, total=total)


def board_size(*, competition: Competition) -> int:
    return ranked_entries(competition=competition).count()


def team_entry(*, competition: Competition, team: Team) -> tuple[LeaderboardEntry, int] | None:
    entry = LeaderboardEntry.objects.filter(competition=competition, team=team).first()
    if entry is None:
        return None
    rank = rank_of(
        competition=competition, key=entry.sort_key, submitted_at=entry.best_submitted_at
    )
    return entry, rank


@dataclass(frozen=True)
class BoardPosition:
    """Where a team stands on the public board: its rank and the page that shows it."""

    rank: int
    page: int
    team_id: int


def board_position(
    *, competition: Competition, team: Team | None, per_page: int = 100
) -> BoardPosition | None:
    """The team's place on the public board (None: not on it, or disqualified): the board's
    "jump to my team". Two indexed queries."""
    if team is None or team.disqualified_at is not None:
        return None
    found = team_entry(competition=competition, team=team)
    if found is None:
        return None
    _, rank = found
    return BoardPosition(rank=rank, page=(rank - 1) // per_page + 1, team_id=team.pk)
