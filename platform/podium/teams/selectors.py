"""Reads of teams."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.core.errors import PermissionDenied
from podium.core.querysets import related_count
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import Team


def team_for_user(*, user, competition: Competition) -> Team | None:
    if not user.is_authenticated:
        return None
    return Team.objects.filter(competition=competition, memberships__user=user).first()


def require_team(*, user, competition: Competition) -> Team:
    team = team_for_user(user=user, competition=competition)
    if team is None:
        raise PermissionDenied(
            Code.NOT_A_PARTICIPANT,
            f"You have not joined {competition.title}. Join it and accept its rules first.",
        )
    return team


def team_members(team: Team) -> list:
    return [m.user for m in team.memberships.select_related("user").order_by("created_at")]


def with_counts(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Annotate member_count and submission_count (one subquery each)."""
    return teams.annotate(
        member_count=related_count(Team, "memberships"),
        submission_count=related_count(Team, "submissions"),
    )


@dataclass(frozen=True)
class Participation:
    """Where a viewer stands in a competition: what the competition pages show them."""

    team: Team | None
    accepted_rules: bool
    is_organizer: bool

    @property
    def joined(self) -> bool:
        return self.team is not None and self.accepted_rules


def participation(*, user, competition: Competition) -> Participation:
    return Participation(
        team=team_for_user(user=user, competition=competition),
        accepted_rules=competition_selectors.has_accepted_rules(user, competition),
        is_organizer=competition_selectors.is_organizer(user, competition),
    )
