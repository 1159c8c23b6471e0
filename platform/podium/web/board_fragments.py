"""The public board page's costly parts, read and rendered once per board version and shared by
every viewer through the board cache (``leaderboards.cache``), as one entry per page: the page of
rows, their HTML, the public/private split and, on the first page, the top-10 chart. A page view
is then one cache round trip for all of them. What differs per viewer (their own row marked
"you", their team's line highlighted) is drawn fresh for that viewer only.

Relative times ("3 minutes ago") and the chart's right edge are as of the rendering: at most the
cache's lifetime (``BOARD_CACHE_SECONDS``) old.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from podium.competitions import page_facts
from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards import cache as board_cache
from podium.leaderboards import selectors as board_selectors
from podium.web import charts
from podium.web.templatetags.podium import board_row


@dataclass(frozen=True)
class BoardPageParts:
    board: board_selectors.BoardPage
    rows: list[str]  # each row's HTML, marked for nobody
    split: page_facts.BoardSplit | None
    history: list[board_selectors.TeamHistory]  # the chart's teams (first page only)
    chart: str | None  # the chart, highlighting nobody (first page only)


def _chart(competition: Competition, history, mine: int | None) -> str:
    return charts.line_chart(
        [
            charts.Series(f"#{t.rank} {t.team_name}", t.points, highlight=t.team_id == mine)
            for t in history
        ],
        title=f"The top 10 teams' best public score over time ({competition.metric})",
        until=min(now(), competition.end_at),
        width=1040,
        height=280,
    )


def _read(competition: Competition, page: int) -> BoardPageParts:
    board = board_selectors.public_board_page(competition=competition, page=page)
    first = board.number == 1
    history = board_selectors.top_teams_score_history(competition=competition) if first else []
    return BoardPageParts(
        board=board,
        rows=[str(board_row(row, None)) for row in board.rows],
        split=page_facts.board_split(competition),
        history=history,
        chart=_chart(competition, history, None) if first else None,
    )


def board_page_parts(*, competition: Competition, page: int) -> BoardPageParts:
    """Page ``page`` of the public board (clamped to the pages there are), through the cache."""
    return board_cache.cached_rendering(
        competition=competition, name=f"page:{page}", render=lambda: _read(competition, page)
    )


def rows_html(parts: BoardPageParts, *, my_team_id: int | None) -> SafeString:
    """The page's ``<tr>`` rows; the viewer's own row (if on this page) marked as theirs."""
    return mark_safe(
        "".join(
            board_row(row, my_team_id) if row.team_id == my_team_id else html
            for row, html in zip(parts.board.rows, parts.rows, strict=True)
        )
    )


def chart_html(
    parts: BoardPageParts, *, competition: Competition, my_team_id: int | None
) -> str | None:
    """The first page's chart; the viewer's team highlighted if it is among the ten."""
    if parts.chart is None:
        return None
    if any(t.team_id == my_team_id for t in parts.history):
        return _chart(competition, parts.history, my_team_id)
    return parts.chart
