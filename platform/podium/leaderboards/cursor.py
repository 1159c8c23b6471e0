"""The public board's keyset cursor: a ``BoardKey`` signed with the site's key (opaque to the
client, and not forgeable into a query), read back or refused with ``invalid_board_cursor``."""

from __future__ import annotations

from datetime import datetime

from django.core import signing

from podium.core.errors import DomainError
from podium.leaderboards.error_codes import BoardErrorCode
from podium.leaderboards.selectors import BoardKey

_SALT = "podium.leaderboards.cursor"


def cursor_encode(key: BoardKey, competition_id: int) -> str:
    payload = [competition_id, key.sort_key, key.submitted_at.isoformat(), key.team_id, key.rank]
    return signing.dumps(payload, salt=_SALT, compress=True)


def cursor_decode(text: str, competition_id: int) -> BoardKey:
    """The key ``text`` holds; DomainError(invalid_board_cursor) (HTTP 400) for anything that is
    not a cursor this site made for this board."""
    try:
        board, sort_key, at, team_id, rank = signing.loads(text, salt=_SALT)
        if board != competition_id:
            raise ValueError("another board's cursor")
        key = BoardKey(float(sort_key), datetime.fromisoformat(at), int(team_id), int(rank))
        if key.rank < 1 or key.submitted_at.tzinfo is None:
            raise ValueError("not a board position")
        return key
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise DomainError(
            BoardErrorCode.INVALID_CURSOR,
            "This cursor is not valid for this leaderboard: start again without it.",
        ) from exc
