"""Locking of team rows, shared by every teams service that changes members (and by team merges).

Every change of a team's members locks the team rows it touches through ``lock_teams``
(``select_for_update`` in ascending pk order) before counting, so two services never wait on
each other in opposite orders. On SQLite the IMMEDIATE transaction serializes writers.
"""

from __future__ import annotations

from podium.core.errors import Conflict
from podium.teams import rules
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import Membership, Team


def lock_teams(*teams: Team | None) -> list[Team | None]:
    """Lock the given teams' rows (``select_for_update``) one by one in ascending pk order and
    return fresh copies in the order given (None stays None).

    Every service that locks more than one team goes through here, so two of them never wait on
    each other in opposite orders (no deadlock). Raises Conflict(team_gone) when a team was
    deleted meanwhile (merged away or dissolved by a transaction that held its lock first).
    Call inside a transaction. On SQLite the IMMEDIATE transaction already serializes writers.
    """
    wanted = {t.pk: t for t in teams if t is not None}
    locked: dict[int, Team] = {}
    for pk in sorted(wanted):
        # No ordering: Team's default one joins competitions, and FOR UPDATE would lock that too.
        row = Team.objects.select_for_update().filter(pk=pk).order_by().first()
        if row is None:
            raise rules.team_gone(wanted[pk].name)
        locked[pk] = row
    return [locked[t.pk] if t is not None else None for t in teams]


def _current_team(user, competition_id: int) -> Team | None:
    return Team.objects.filter(competition_id=competition_id, memberships__user=user).first()


def lock_for_join(user, target: Team) -> tuple[Team, Team | None]:
    """Lock ``target`` and the team ``user`` is in now (``lock_teams``), and make sure that after
    the wait the user is still in that team. If a concurrent change moved them (they left it
    meanwhile), refuse rather than lock a third team out of order."""
    current = _current_team(user, target.competition_id)
    locked_target, locked_current = lock_teams(target, current)
    now_in = (
        Membership.objects.filter(competition_id=target.competition_id, user=user)
        .values_list("team_id", flat=True)
        .first()
    )
    if now_in != (current.pk if current else None):
        raise Conflict(
            Code.TEAM_GONE,
            "Your team changed while this was being done. Reload the page and try again.",
        )
    return locked_target, locked_current
