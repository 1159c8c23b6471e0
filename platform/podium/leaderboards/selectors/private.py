"""Reads of the private board.

The private board leaves this module only through ``private_board*`` and ``team_private_entry``,
which show it to the competition's organizers, and to everyone once it is revealed
(``submissions.selectors.private_visible``, the one place that rule lives).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from podium.competitions.models import Competition
from podium.core.errors import NotFound
from podium.core.timeutils import now
from podium.leaderboards.error_codes import BoardErrorCode
from podium.leaderboards.models import PrivateEntry
from podium.leaderboards.selectors.shared import BoardPage, members_by_team
from podium.submissions.selectors import private_visible
from podium.teams.models import Team


def private_board_visible(*, competition: Competition, viewer) -> bool:
    """Whether ``viewer`` may see the private board: its organizers always, everyone after the
    reveal."""
    return private_visible(viewer=viewer, competition=competition)


@dataclass(frozen=True)
class RevealNotice:
    """What a participant is told of a private board not revealed yet: the truth of this
    competition's schedule (its end, and when or by whom the board will be revealed)."""

    message: str
    ended: bool
    end_at: datetime
    reveal_at: datetime | None  # a scheduled automatic reveal
    auto_reveal: bool

    @property
    def details(self) -> dict:
        return {
            "ended": self.ended,
            "ended_at": self.end_at.isoformat() if self.ended else None,
            "end_at": self.end_at.isoformat(),
            "reveal_at": self.reveal_at.isoformat() if self.reveal_at else None,
            "auto_reveal": self.auto_reveal,
        }


def _utc(moment: datetime) -> str:
    return f"{moment:%d %b %Y at %H:%M} UTC"


def reveal_notice(*, competition: Competition, moment: datetime | None = None) -> RevealNotice:
    """Why the private board is not shown yet. Before the end, that it is revealed after it;
    after it: with a reveal scheduled (``reveal_at``), when; with the automatic reveal, that it
    comes once the last submissions made before the end are scored; without it, that the
    organizers will reveal it (they press the button, after verifying the winners)."""
    moment = moment or now()
    ended = moment >= competition.end_at
    scheduled = competition.reveal_at if competition.auto_reveal_private else None
    if not ended:
        message = "The private leaderboard is revealed when the competition ends."
        if scheduled:
            message = (
                f"The private leaderboard is revealed on {_utc(scheduled)}, after the "
                f"competition ends on {_utc(competition.end_at)}."
            )
    elif scheduled and scheduled > moment:
        message = (
            f"The competition ended on {_utc(competition.end_at)}; the organizers will reveal "
            f"the private leaderboard on {_utc(scheduled)}."
        )
    elif competition.auto_reveal_private:
        message = (
            f"The competition ended on {_utc(competition.end_at)}; the private leaderboard is "
            "revealed in a few minutes, once every submission made before the end is scored."
        )
    else:
        message = (
            f"The competition ended on {_utc(competition.end_at)}; the organizers will reveal "
            "the private leaderboard."
        )
    return RevealNotice(
        message=message,
        ended=ended,
        end_at=competition.end_at,
        reveal_at=scheduled,
        auto_reveal=competition.auto_reveal_private,
    )


def _require_private_visible(competition: Competition, viewer) -> None:
    if not private_board_visible(competition=competition, viewer=viewer):
        notice = reveal_notice(competition=competition)
        raise NotFound(BoardErrorCode.PRIVATE_NOT_REVEALED, notice.message, details=notice.details)


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
    "rank",
    "team_id",
    "team__name",
    "team__is_baseline",
    "submission_id",
    "private_score",
    "public_rank",
    "public_score",
)


def _private_rows(competition: Competition, entries: list[tuple]) -> list[PrivateRow]:
    members = members_by_team([e[1] for e in entries])
    precision = competition.score_display_precision
    # Prize ranks skip Baseline teams: count those above the page once, then walk it.
    baselines_above = 0
    if entries:
        baselines_above = (
            _private_entries(competition)
            .filter(rank__lt=entries[0][0], team__is_baseline=True)
            .count()
        )
    rows = []
    for rank, team_id, name, is_baseline, submission_id, private, public_rank, public in entries:
        rows.append(
            PrivateRow(
                rank=rank,
                team_id=team_id,
                team_name=name,
                members=members.get(team_id, []),
                is_baseline=is_baseline,
                submission_id=submission_id,
                private_score=private,
                private_display=f"{private:.{precision}f}",
                public_rank=public_rank,
                public_score=public,
                public_display="" if public is None else f"{public:.{precision}f}",
                prize_rank=None if is_baseline else rank - baselines_above,
            )
        )
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
