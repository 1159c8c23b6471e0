"""The two statements the scoring transaction writes the public board with, in raw SQL (the ORM
has no upsert that returns, and no row lock beside an outer join): ``team_lock`` and
``entry_upsert``. Both run on SQLite (>= 3.35: RETURNING) and PostgreSQL.

Where the team's board row is read before the write depends on where the lock is taken. SQLite's
transaction holds the database's write lock from its BEGIN IMMEDIATE: ``team_lock`` reads the
row. PostgreSQL locks the team row in ``team_lock``, and under READ COMMITTED a statement that
waited for a lock still reads the other tables as they were when it started; so the row is read
by the next statement, ``entry_upsert``, in a CTE beside the upsert (all its parts read one
snapshot, taken after the lock, so the CTE sees the row as it was before this write).

The rank they return is ``rank_of``'s (1 + the teams that are not disqualified with a better
sort key, or the same one submitted earlier), counted over the other teams: the team's own row
is never ahead of itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from podium.leaderboards.models import LeaderboardEntry
from podium.submissions.models import Submission
from podium.teams.models import Team

_ENTRY = LeaderboardEntry._meta.db_table
_TEAM = Team._meta.db_table
_SUBMISSION = Submission._meta.db_table


def _ahead(row: str) -> str:
    """The teams of the board ahead of the entry row named ``row``, among the others."""
    return f"""(SELECT COUNT(*) FROM {_ENTRY} o INNER JOIN {_TEAM} ot ON ot.id = o.team_id
    WHERE o.competition_id = {row}.competition_id AND ot.disqualified_at IS NULL
    AND o.team_id <> {row}.team_id
    AND (o.sort_key > {row}.sort_key OR (o.sort_key = {row}.sort_key
         AND o.best_submitted_at < {row}.best_submitted_at)))"""


@dataclass(frozen=True)
class BoardRow:
    """A team's row on the board as it was before this write."""

    best_submission_id: int
    best_public_score: float
    rank: int


class Unread:
    """The board row was not read yet (PostgreSQL: ``entry_upsert`` reads it)."""


UNREAD = Unread()


@dataclass(frozen=True)
class LockedTeam:
    """The team a submission belongs to now, locked."""

    id: int
    disqualified: bool
    before: BoardRow | None | Unread  # its board row as it was (None: it had none)


def _board_row(best_id: int | None, best_score: float | None, ahead: int | None) -> BoardRow | None:
    return None if best_id is None else BoardRow(best_id, best_score, ahead + 1)


def team_lock(submission_id: int) -> LockedTeam | None:
    """Lock the team the submission belongs to now: one statement. None: the team is gone
    (merged away meanwhile). A merge that moves the submission between this read and the
    caller's write is caught there (the write is filtered on the team). On SQLite, whose
    transaction already holds the write lock, it reads the team's board row and rank too; on
    PostgreSQL ``before`` is UNREAD (see the module docstring)."""
    team = f"(SELECT s.team_id FROM {_SUBMISSION} s WHERE s.id = %s)"
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.id, t.disqualified_at FROM {_TEAM} t WHERE t.id = {team} FOR UPDATE",
                [submission_id],
            )
            row = cursor.fetchone()
        return None if row is None else LockedTeam(row[0], row[1] is not None, UNREAD)
    sql = f"""SELECT t.id, t.disqualified_at, e.best_submission_id, e.best_public_score,
        CASE WHEN e.id IS NULL THEN NULL ELSE {_ahead("e")} END
        FROM {_TEAM} t LEFT OUTER JOIN {_ENTRY} e ON e.team_id = t.id WHERE t.id = {team}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [submission_id])
        row = cursor.fetchone()
    if row is None:
        return None
    team_id, disqualified_at, best_id, best_score, ahead = row
    return LockedTeam(team_id, disqualified_at is not None, _board_row(best_id, best_score, ahead))


@dataclass(frozen=True)
class UpsertedEntry:
    best_submission_id: int
    best_public_score: float
    best_submitted_at: datetime
    rank: int
    before: BoardRow | None  # the row as it was before this write (None: the team had none)


def entry_upsert(
    *,
    competition_id: int,
    team_id: int,
    greater_is_better: bool,
    submission_id: int,
    public_score: float,
    before: BoardRow | None | Unread,
) -> UpsertedEntry | None:
    """Write the team's board row from scratch from its scored, on-time submissions, counting
    ``submission_id`` as scored ``public_score`` (its own row is written after this, in the same
    transaction), and return it with its rank: one statement. Call with the team locked.
    ``before``: the row as ``team_lock`` read it; UNREAD, it is read in this statement. None:
    nothing was written, the submission is not the team's (a merge moved it after the lock)."""
    direction = "DESC" if greater_is_better else "ASC"
    key = "b.score" if greater_is_better else "-b.score"
    scored = Submission.Status.SCORED.value
    # "WHERE 1 = 1": SQLite reads "SELECT ... ON CONFLICT" as a join without it.
    upsert = f"""INSERT INTO {_ENTRY} (competition_id, team_id, best_submission_id,
            best_public_score, sort_key, best_submitted_at, entries, last_submission_at,
            first_entry_at)
        SELECT %s, %s, b.id, b.score, {key}, b.created_at, b.n, b.last_at, b.first_at FROM (
            SELECT s.id, s.created_at,
                CASE WHEN s.id = %s THEN %s ELSE s.public_score END AS score,
                COUNT(*) OVER () AS n, MIN(s.created_at) OVER () AS first_at,
                MAX(s.created_at) OVER () AS last_at
            FROM {_SUBMISSION} s
            WHERE s.team_id = %s AND s.competition_id = %s AND s.is_late = %s
                AND (s.id = %s OR (s.status = %s AND s.public_score IS NOT NULL))
            ORDER BY score {direction}, s.created_at ASC, s.id ASC LIMIT 1
        ) b WHERE 1 = 1
        ON CONFLICT (team_id) DO UPDATE SET competition_id = excluded.competition_id,
            best_submission_id = excluded.best_submission_id,
            best_public_score = excluded.best_public_score, sort_key = excluded.sort_key,
            best_submitted_at = excluded.best_submitted_at, entries = excluded.entries,
            last_submission_at = excluded.last_submission_at,
            first_entry_at = excluded.first_entry_at
        RETURNING best_submission_id, best_public_score, best_submitted_at"""
    params = [competition_id, team_id, submission_id, public_score, team_id, competition_id]
    params += [False, submission_id, scored]
    if isinstance(before, Unread):  # PostgreSQL: read in a CTE, the snapshot before the write
        sql = f"""WITH old AS (SELECT e.best_submission_id, e.best_public_score,
                {_ahead("e")} AS ahead FROM {_ENTRY} e WHERE e.team_id = %s),
            new AS ({upsert}, {_ahead(_ENTRY)} AS ahead)
            SELECT new.*, old.* FROM new LEFT OUTER JOIN old ON TRUE"""
        params = [team_id, *params]
    else:
        sql = f"{upsert}, {_ahead(_ENTRY)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # the submission is not the team's any more (a merge moved it)
        return None
    best_id, best_score, best_at, ahead = row[:4]
    if isinstance(before, Unread):
        before = _board_row(*row[4:])
    if isinstance(best_at, str):  # SQLite returns RETURNING's datetimes as text
        best_at = connection.ops.convert_datetimefield_value(best_at, None, connection)
    return UpsertedEntry(best_id, best_score, best_at, ahead + 1, before)
