"""Reads of the boards: the public one (with its 24-hour moves), the private one, histories.

The private board leaves this module only through ``private_board*`` and ``team_private_entry``,
which show it to the competition's organizers, and to everyone once it is revealed
(``submissions.selectors.private_visible``, the one place that rule lives).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import OuterRef, Q, QuerySet, Subquery

from podium.competitions.models import Competition
from podium.core.errors import NotFound
from podium.core.timeutils import now
from podium.leaderboards.error_codes import BoardErrorCode
from podium.leaderboards.models import LeaderboardEntry, PrivateEntry, RankSnapshot
from podium.submissions.models import Submission
from podium.submissions.selectors import private_visible
from podium.teams.models import Membership, Team

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


def _members(team_ids: list[int]) -> dict[int, list[str]]:
    """Usernames by team, sorted. Straight from the memberships (by their team index), without
    Team's default ordering, which joined competitions and sorted for nothing."""
    members: dict[int, list[str]] = {}
    if team_ids:
        rows = (
            Membership.objects.filter(team_id__in=team_ids)
            .order_by()
            .values_list("team_id", "user__username")
        )
        for team_id, username in rows:
            members.setdefault(team_id, []).append(username)
    return {team_id: sorted(names) for team_id, names in members.items()}


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
        .order_by("-taken_at").values("rank")[:1]
    )
    rows = (
        Team.objects.filter(pk__in=team_ids).order_by()
        .annotate(rank_day_ago=Subquery(latest)).values_list("pk", "rank_day_ago")
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
    cutoff = (moment or now()) - CHANGE_WINDOW
    entries = list(
        ranked_entries(competition=competition).values_list(
            "team_id", "team__name", "team__is_baseline", "best_public_score", "entries",
            "last_submission_at", "first_entry_at",
        )[offset : offset + limit]
    )
    day_ago = _ranks_day_ago([e[0] for e in entries], cutoff)
    members = _members([e[0] for e in entries])
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


@dataclass(frozen=True)
class BoardPage:
    """One page of a board (public rows or private rows)."""

    rows: list
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
    return ranked_entries(competition=competition).count()


def team_entry(*, competition: Competition, team: Team) -> tuple[LeaderboardEntry, int] | None:
    entry = LeaderboardEntry.objects.filter(competition=competition, team=team).first()
    if entry is None:
        return None
    rank = rank_of(
        competition=competition, key=entry.sort_key, submitted_at=entry.best_submitted_at
    )
    return entry, rank


# -- the private board ---------------------------------------------------------------------------


def private_board_visible(*, competition: Competition, viewer) -> bool:
    """Whether ``viewer`` may see the private board: its organizers always, everyone after the
    reveal."""
    return private_visible(viewer=viewer, competition=competition)


def _require_private_visible(competition: Competition, viewer) -> None:
    if not private_board_visible(competition=competition, viewer=viewer):
        raise NotFound(
            BoardErrorCode.PRIVATE_NOT_REVEALED,
            "The private leaderboard is revealed when the competition ends.",
        )


@dataclass(frozen=True)
class PrivateRow:
    rank: int
    team_id: int
    team_name: str
    members: list[str]
    is_baseline: bool
    submission_id: int
    private_score: float
    private_display: str
    public_rank: int | None
    public_score: float | None
    public_display: str
    # The place among the teams that can win: None for a Baseline team (the organizers' kernels
    # are marked on the board and never take a prize rank).
    prize_rank: int | None = None

    @property
    def move(self) -> int | None:
        """Places gained (> 0) or lost (< 0) from the public board."""
        return None if self.public_rank is None else self.public_rank - self.rank


def _private_entries(competition: Competition) -> QuerySet[PrivateEntry]:
    return PrivateEntry.objects.filter(
        competition=competition, team__disqualified_at__isnull=True
    ).order_by("rank")


PRIVATE_FIELDS = (
    "rank", "team_id", "team__name", "team__is_baseline", "submission_id", "private_score",
    "public_rank", "public_score",
)


def _private_rows(competition: Competition, entries: list[tuple]) -> list[PrivateRow]:
    members = _members([e[1] for e in entries])
    precision = competition.score_display_precision
    # Prize ranks skip Baseline teams: count those above the page once, then walk it.
    baselines_above = 0
    if entries:
        baselines_above = _private_entries(competition).filter(
            rank__lt=entries[0][0], team__is_baseline=True
        ).count()
    rows = []
    for rank, team_id, name, is_baseline, submission_id, private, public_rank, public in entries:
        rows.append(PrivateRow(
            rank=rank, team_id=team_id, team_name=name, members=members.get(team_id, []),
            is_baseline=is_baseline, submission_id=submission_id, private_score=private,
            private_display=f"{private:.{precision}f}", public_rank=public_rank,
            public_score=public, public_display="" if public is None else f"{public:.{precision}f}",
            prize_rank=None if is_baseline else rank - baselines_above,
        ))
        baselines_above += bool(is_baseline)
    return rows


def private_board(
    *, competition: Competition, viewer, offset: int = 0, limit: int = 100
) -> list[PrivateRow]:
    """One page of the private board, for whoever may see it (NotFound for anyone else): one
    indexed query on (competition, rank), plus one for the page's members."""
    _require_private_visible(competition, viewer)
    entries = list(
        _private_entries(competition).values_list(*PRIVATE_FIELDS)[offset : offset + limit]
    )
    return _private_rows(competition, entries)


def private_board_size(*, competition: Competition, viewer) -> int:
    _require_private_visible(competition, viewer)
    return _private_entries(competition).count()


def private_board_page(
    *, competition: Competition, viewer, page: int = 1, per_page: int = 100
) -> BoardPage:
    """Page ``page`` (from 1, clamped) of the private board; NotFound before the reveal for
    anyone but the organizers."""
    total = private_board_size(competition=competition, viewer=viewer)
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    rows = private_board(
        competition=competition, viewer=viewer, offset=(number - 1) * per_page, limit=per_page
    )
    return BoardPage(rows=rows, number=number, pages=pages, total=total)


def private_board_rows(
    *, competition: Competition, viewer, page_size: int = 1000
) -> Iterator[PrivateRow]:
    """Every row of the private board in rank order (the organizers' CSV export)."""
    offset = 0
    while True:
        page = private_board(competition=competition, viewer=viewer, offset=offset, limit=page_size)
        yield from page
        if len(page) < page_size:
            return
        offset += page_size


def team_private_entry(*, team: Team, viewer) -> PrivateRow | None:
    """The team's row of the private board if ``viewer`` may see it (else None, never an
    error: My Submissions asks on every visit)."""
    competition = team.competition
    if not private_board_visible(competition=competition, viewer=viewer):
        return None
    entries = list(_private_entries(competition).filter(team=team).values_list(*PRIVATE_FIELDS))
    return _private_rows(competition, entries)[0] if entries else None


# -- histories -------------------------------------------------------------------------------


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
    top = list(
        ranked_entries(competition=competition).values_list("team_id", "team__name")[:n]
    )
    if not top:
        return []
    rows = (
        Submission.objects.filter(
            team_id__in=[team_id for team_id, _ in top], status=Submission.Status.SCORED,
            is_late=False, public_score__isnull=False,
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
        .select_related("competition").order_by("-competition__end_at")
    )
    results = []
    for team in teams:
        competition = team.competition
        found = None if team.disqualified_at else team_entry(competition=competition, team=team)
        precision = competition.score_display_precision
        results.append(
            UserResult(
                competition=competition, team_name=team.name, team_id=team.pk,
                public_rank=found[1] if found else None,
                public_display=f"{found[0].best_public_score:.{precision}f}" if found else "",
                entries=found[0].entries if found else 0,
                teams=board_size(competition=competition),
                private=team_private_entry(team=team, viewer=viewer),
                disqualified=team.disqualified_at is not None,
            )
        )
    return results
