"""Stable error codes of the leaderboards app."""

from enum import StrEnum


class BoardErrorCode(StrEnum):
    DISQUALIFICATION_REASON_REQUIRED = "disqualification_reason_required"
    DISQUALIFICATION_REASON_TOO_LONG = "disqualification_reason_too_long"
    TEAM_ALREADY_DISQUALIFIED = "team_already_disqualified"
    TEAM_NOT_DISQUALIFIED = "team_not_disqualified"
    # the private board and its reveal
    REVEAL_BEFORE_END = "reveal_before_end"
    REVEAL_WAITS_FOR_SCORING = "reveal_waits_for_scoring"
    PRIVATE_NOT_REVEALED = "private_leaderboard_not_revealed"
    REVEAL_CONFIRMATION_WRONG = "reveal_confirmation_wrong"
    # the public board's keyset pages
    INVALID_CURSOR = "invalid_board_cursor"
