"""The public board page's costly parts, rendered once per board version and shared by every
viewer through the board cache (``leaderboards.cache``): the rows of a page as HTML and the
top-10 chart. What differs per viewer (their own row marked "you", their team's line
highlighted) is drawn fresh for that viewer only.

Relative times ("3 minutes ago") and the chart's right edge are as of the rendering: at most the
cache's lifetime (``BOARD_CACHE_SECONDS``) old.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards import cache as board_cache
from podium.leaderboards.selectors import BoardPage
from podium.web import charts
from podium.web.templatetags.podium import board_row


def board_rows_html(
    *, competition: Competition, board: BoardPage, my_team_id: int | None
) -> SafeString:
    """The page's ``<tr>`` rows; the viewer's own row (if on this page) marked as theirs."""
    neutral = board_cache.cached_rendering(
        competition=competition,
        name=f"rows:{board.number}:{len(board.rows)}",
        render=lambda: [str(board_row(row, None)) for row in board.rows],
    )
    return mark_safe(
        "".join(
            board_row(row, my_team_id) if row.team_id == my_team_id else html
            for row, html in zip(board.rows, neutral, strict=True)
        )
    )


def top_teams_chart(*, competition: Competition, my_team_id: int | None) -> str:
    """The top 10 teams' best public score over time, as SVG; the viewer's team highlighted."""
    history = board_cache.cached_top_teams_history(competition=competition)
    mine = my_team_id if any(t.team_id == my_team_id for t in history) else None

    def draw() -> str:
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

    if mine is not None:  # only the top 10's own members see a chart of their own
        return draw()
    return board_cache.cached_rendering(competition=competition, name="chart", render=draw)
