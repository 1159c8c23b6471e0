"""Reads of the boards: the public one (with its 24-hour moves), the private one, histories.

- ``public``: ranks, pages and rows of the public board, a team's entry and place on it.
- ``private``: the private board. It leaves the package only through ``private_board*`` and
  ``team_private_entry``, which show it to the competition's organizers, and to everyone once
  it is revealed (``submissions.selectors.private_visible``, the one place that rule lives).
- ``history``: score and rank histories, the top teams' chart, a user's results.
- ``shared``: ``BoardPage`` and the members of a page's teams.

Everything public is re-exported here: import from ``podium.leaderboards.selectors``.
"""

from podium.leaderboards.selectors.history import (
    RankPoint,
    ScorePoint,
    TeamHistory,
    UserResult,
    team_rank_history,
    team_score_history,
    top_teams_score_history,
    user_results,
)
from podium.leaderboards.selectors.private import (
    PRIVATE_FIELDS,
    PrivateRow,
    private_board,
    private_board_page,
    private_board_rows,
    private_board_size,
    private_board_visible,
    reveal_notice,
    team_private_entry,
)
from podium.leaderboards.selectors.public import (
    CHANGE_WINDOW,
    BoardKey,
    BoardPosition,
    BoardRow,
    board_position,
    board_size,
    public_board,
    public_board_after,
    public_board_page,
    public_board_rows,
    public_ranks,
    public_ranks_of,
    rank_of,
    ranked_entries,
    sort_key,
    team_entry,
)
from podium.leaderboards.selectors.shared import BoardPage

__all__ = [
    "CHANGE_WINDOW",
    "PRIVATE_FIELDS",
    "BoardKey",
    "BoardPage",
    "BoardPosition",
    "BoardRow",
    "PrivateRow",
    "RankPoint",
    "ScorePoint",
    "TeamHistory",
    "UserResult",
    "board_position",
    "board_size",
    "private_board",
    "private_board_page",
    "private_board_rows",
    "private_board_size",
    "private_board_visible",
    "reveal_notice",
    "public_board",
    "public_board_after",
    "public_board_page",
    "public_board_rows",
    "public_ranks",
    "public_ranks_of",
    "rank_of",
    "ranked_entries",
    "sort_key",
    "team_entry",
    "team_private_entry",
    "team_rank_history",
    "team_score_history",
    "top_teams_score_history",
    "user_results",
]
