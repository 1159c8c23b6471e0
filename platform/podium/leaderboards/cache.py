"""The public board's pages and size, cached in the shared cache (Redis, or the file cache),
dropped when the board changes.

Each competition has a board version, a counter in the cache. Every write that changes what the
public board shows calls ``board_changed``, which bumps it once the transaction commits (a
rollback bumps nothing; a reader reads the version before the board, so what it caches
under a version is never older than that version). Each entry (a page, the size, a rendering)
is stored with the version it was read under and when: it is served while that version is
current, and after a bump for at most ``BOARD_CACHE_FRESH_SECONDS`` (2) from when it was read,
then read again. On deadline day scorings bump a board dozens of times a second: without that
window every read was a miss, and the board was read and rendered on every request (issue 15).
So a board shows a change within 2 seconds; 0 makes every bump drop the pages at once. Entries
expire after ``BOARD_CACHE_SECONDS`` (60), which also bounds how stale a row's 24-hour move can
get, and how long a bump lost while the cache was down can matter.

The writers: ``leaderboards.services`` (a scored submission, a team's row refreshed by a
rescoring, a disqualification or a merge, the rank snapshots behind the 24-hour move) call it
directly; the signals in ``leaderboards.signals`` catch teams and memberships saved or deleted
(a rename, a disqualification, members joining or leaving) and board rows deleted.

Only viewer-independent data is cached: the rows and the size. Where the viewer's own team
stands (``board_position``, ``team_entry``) is always read from the database. The private
board is never cached (it is shown to its organizers before the reveal, to everyone after).

A cache that cannot be reached fails open: the board is read from the database and the
failure logged (as ``core.limits`` does), so Redis never becomes a dependency of the board.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from podium.competitions.models import Competition
from podium.leaderboards.selectors import (
    BoardKey,
    BoardRow,
    board_size,
    public_board,
    public_board_after,
)

logger = logging.getLogger("podium.leaderboards.cache")

PREFIX = "board"  # of the cache keys
T = TypeVar("T")
_DOWN = "Board cache unavailable: reading the board from the database"


def _seconds() -> int:
    return int(getattr(settings, "BOARD_CACHE_SECONDS", 60))


def _fresh_seconds() -> float:
    return float(getattr(settings, "BOARD_CACHE_FRESH_SECONDS", 2))


def _now() -> float:  # one place to move time in tests
    return time.time()


def _version_key(competition_id: int) -> str:
    return f"{PREFIX}:v:{competition_id}"


def _fresh_version() -> int:
    # Not 1: a version counter evicted and started again must not meet pages cached under
    # its old numbers.
    return time.time_ns() // 1000


def board_version(competition_id: int) -> int | None:
    """The board's current version (started when missing); None when the cache is down."""
    key = _version_key(competition_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, _fresh_version(), timeout=None)
            version = cache.get(key)
        return version
    except Exception:
        logger.warning(_DOWN, exc_info=True)
        return None


def _bump(competition_id: int) -> None:
    key = _version_key(competition_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # no counter yet (or evicted): any new number drops the old pages
            cache.set(key, _fresh_version(), timeout=None)
    except Exception:
        logger.warning(
            "Board cache unavailable: competition %s's cached pages may be stale for up to %s s",
            competition_id,
            _seconds(),
            exc_info=True,
        )


def board_changed(competition_id: int) -> None:
    """The public board of ``competition_id`` changed: drop its cached pages once this
    transaction commits (at once outside a transaction; never, if it rolls back)."""
    transaction.on_commit(lambda: _bump(competition_id))


def _cached(competition: Competition, part: str, compute: Callable[[], T]) -> T:
    # The creation time too: a competition that reuses a deleted one's id (a restored or
    # flushed database) never meets its pages.
    born = int(competition.created_at.timestamp() * 1_000_000)
    key = f"{PREFIX}:{competition.pk}:{born}:{part}"
    version_key = _version_key(competition.pk)
    try:  # the version and the entry in one round trip, both before the board is read
        got = cache.get_many([version_key, key])
    except Exception:
        logger.warning(_DOWN, exc_info=True)
        return compute()
    version = got.get(version_key)
    if version is None:
        version = board_version(competition.pk)  # starts it
        if version is None:
            return compute()
    found = got.get(key)
    if found is not None:
        read_under, read_at, value = found
        if read_under == version or _now() - read_at < _fresh_seconds():
            return value
    read_at = _now()
    value = compute()
    try:
        cache.set(key, (version, read_at, value), timeout=_seconds())
    except Exception:
        logger.warning("Board cache unavailable: page not cached", exc_info=True)
    return value


def cached_rendering(*, competition: Competition, name: str, render: Callable[[], T]) -> T:
    """Something rendered from the public board alone (an API body, a page's rows as HTML, the
    chart), through the cache under ``name``: a hit costs one cache read, no rendering. Only
    for what is the same for every viewer."""
    return _cached(competition, f"rendered:{name}", render)


def cached_body(*, competition: Competition, url: str, render: Callable[[], bytes]) -> bytes:
    """A rendered response body for ``url`` (absolute: its links name the host)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:32]
    return cached_rendering(competition=competition, name=f"body:{digest}", render=render)


def cached_public_board(*, competition: Competition, offset: int, limit: int) -> list[BoardRow]:
    """``selectors.public_board``, through the cache."""
    return _cached(
        competition,
        f"rows:{offset}:{limit}",
        lambda: public_board(competition=competition, offset=offset, limit=limit),
    )


def cached_board_size(*, competition: Competition) -> int:
    """``selectors.board_size``, through the cache."""
    return _cached(competition, "size", lambda: board_size(competition=competition))


def cached_public_board_after(
    *, competition: Competition, after: BoardKey | None, limit: int
) -> tuple[list[BoardRow], BoardKey | None]:
    """``selectors.public_board_after`` (a keyset page), through the cache."""
    start = (
        "top"
        if after is None
        else f"{after.sort_key!r}_{after.submitted_at.isoformat()}_{after.team_id}_{after.rank}"
    )
    return _cached(
        competition,
        f"after:{start}:{limit}",
        lambda: public_board_after(competition=competition, after=after, limit=limit),
    )
