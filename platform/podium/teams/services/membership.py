"""A team's own state: its name, its leader, a new solo team, and dissolving an empty one.

Locking: the services here lock the team row (``services.locking.lock_teams``) before reading
its leader or members; the unique constraint on names (per competition, ignoring case) settles
two renames to the same name at once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError
from podium.teams import rules
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import Membership, Team
from podium.teams.services.locking import lock_teams
from podium.teams.services.requests import pending_requests_cancel

NAME_MAX = Team._meta.get_field("name").max_length


def free_team_name(competition: Competition, wanted: str) -> str:
    """``wanted``, else ``wanted (2)``, ``(3)`` ...: the first name free in the competition."""
    name, n = wanted[:100], 2
    while Team.objects.filter(competition=competition, name__iexact=name).exists():
        name = f"{wanted[:90]} ({n})"
        n += 1
    return name


def new_solo_team(user, competition: Competition) -> Team:
    """A team of one, led by ``user``, named after them."""
    team = Team.objects.create(
        competition=competition,
        name=free_team_name(competition, user.get_username()),
        leader=user,
    )
    Membership.objects.create(team=team, user=user, competition=competition)
    return team


def team_dissolve(*, team: Team, moment: datetime) -> None:
    """Delete a team that has no members left and no submissions, cancelling its pending
    requests first. Call with the team row locked."""
    pending_requests_cancel(team=team, moment=moment)
    Team.objects.filter(pk=team.pk).delete()


@transaction.atomic
def team_rename(*, user, team: Team, name: str) -> Team:
    """The leader renames the team; names are unique per competition, ignoring case.

    Locks the team row (the leader is read under it), so it runs in a transaction (on
    PostgreSQL a FOR UPDATE outside one is refused: only a live server showed it, as tests run
    inside one); the unique constraint settles two renames to the same name at once.
    """
    name = " ".join(name.split())
    if not name:
        raise DomainError(Code.TEAM_NAME_INVALID, "A team name cannot be empty.")
    if len(name) > NAME_MAX:
        raise DomainError(
            Code.TEAM_NAME_INVALID,
            f"A team name can have at most {NAME_MAX} characters; this one has {len(name)}.",
        )
    [locked] = lock_teams(team)
    rules.require_leader(user, locked, "rename the team")
    taken = Conflict(
        Code.TEAM_NAME_TAKEN,
        f"The name “{name}” is already taken in {locked.competition.title}.",
    )
    others = Team.objects.filter(competition_id=locked.competition_id).exclude(pk=locked.pk)
    if others.filter(name__iexact=name).exists():
        raise taken
    locked.name = name
    try:
        with transaction.atomic():
            locked.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise taken from None
    return locked


@transaction.atomic
def leadership_transfer(*, user, team: Team, new_leader) -> Team:
    """The leader hands the leadership to another member. Locks the team row."""
    [locked] = lock_teams(team)
    rules.require_leader(user, locked, "hand over the leadership")
    if new_leader.pk == locked.leader_id:
        return locked
    if not Membership.objects.filter(team=locked, user=new_leader).exists():
        raise DomainError(
            Code.NOT_TEAM_MEMBER, f"{new_leader.get_username()} is not a member of “{locked.name}”."
        )
    locked.leader = new_leader
    locked.save(update_fields=["leader", "updated_at"])
    return locked
