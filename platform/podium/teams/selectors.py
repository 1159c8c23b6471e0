"""Reads of teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.core.errors import NotFound, PermissionDenied
from podium.core.querysets import related_count
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import (
    Invitation,
    JoinRequest,
    Membership,
    MergeRequest,
    RequestStatus,
    Team,
)


def team_for_user(*, user, competition: Competition) -> Team | None:
    if not user.is_authenticated:
        return None
    return Team.objects.filter(competition=competition, memberships__user=user).first()


def require_team(*, user, competition: Competition) -> Team:
    team = team_for_user(user=user, competition=competition)
    if team is None:
        raise not_a_participant(competition)
    return team


def not_a_participant(competition: Competition) -> PermissionDenied:
    return PermissionDenied(
        Code.NOT_A_PARTICIPANT,
        f"You have not joined {competition.title}. Join it and accept its rules first.",
    )


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


# -- the Team tab --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    user_id: int
    username: str
    is_leader: bool
    joined_at: datetime


def members(team: Team) -> list[Member]:
    """The team's members, the leader first, then by when they joined."""
    rows = Membership.objects.filter(team=team).select_related("user").order_by("created_at", "pk")
    found = [
        Member(
            user_id=m.user_id,
            username=m.user.get_username(),
            is_leader=m.user_id == team.leader_id,
            joined_at=m.created_at,
        )
        for m in rows
    ]
    return sorted(found, key=lambda m: not m.is_leader)


_PENDING = Q(status=RequestStatus.PENDING)


def invitations_to_user(*, user, competition: Competition) -> list[Invitation]:
    """Pending invitations addressed to ``user`` in ``competition``."""
    if not user.is_authenticated:
        return []
    return list(
        Invitation.objects.filter(
            _PENDING, competition=competition, invitee=user, team__isnull=False
        ).select_related("team", "team__leader", "invited_by")
    )


def invitations_from_team(*, team: Team) -> list[Invitation]:
    return list(Invitation.objects.filter(_PENDING, team=team).select_related("invitee"))


def join_requests_to_team(*, team: Team) -> list[JoinRequest]:
    return list(JoinRequest.objects.filter(_PENDING, team=team).select_related("user"))


def join_requests_by_user(*, user, competition: Competition) -> list[JoinRequest]:
    if not user.is_authenticated:
        return []
    return list(
        JoinRequest.objects.filter(
            _PENDING, competition=competition, user=user, team__isnull=False
        ).select_related("team")
    )


def merge_requests_in(*, team: Team) -> list[MergeRequest]:
    """Pending requests of other teams to merge into ``team``."""
    return list(
        MergeRequest.objects.filter(_PENDING, to_team=team, from_team__isnull=False).select_related(
            "from_team", "from_team__competition", "requested_by"
        )
    )


def merge_requests_out(*, team: Team) -> list[MergeRequest]:
    """Pending requests of ``team`` to merge into other teams."""
    return list(
        MergeRequest.objects.filter(_PENDING, from_team=team, to_team__isnull=False).select_related(
            "to_team"
        )
    )


@dataclass(frozen=True)
class TeamPage:
    """What the Team tab shows ``user``: their team (None before they join) and everything
    pending that concerns them."""

    team: Team | None
    members: list[Member] = field(default_factory=list)
    is_leader: bool = False
    max_team_size: int = 0
    invitations_to_me: list[Invitation] = field(default_factory=list)
    join_requests_by_me: list[JoinRequest] = field(default_factory=list)
    invitations_sent: list[Invitation] = field(default_factory=list)
    join_requests_in: list[JoinRequest] = field(default_factory=list)
    merge_requests_in: list[MergeRequest] = field(default_factory=list)
    merge_requests_out: list[MergeRequest] = field(default_factory=list)

    @property
    def free_places(self) -> int:
        return max(0, self.max_team_size - len(self.members))


def team_page(*, user, competition: Competition) -> TeamPage:
    team = team_for_user(user=user, competition=competition)
    mine = {
        "invitations_to_me": invitations_to_user(user=user, competition=competition),
        "join_requests_by_me": join_requests_by_user(user=user, competition=competition),
        "max_team_size": competition.max_team_size,
    }
    if team is None:
        return TeamPage(team=None, **mine)
    return TeamPage(
        team=team,
        members=members(team),
        is_leader=team.leader_id == user.pk,
        invitations_sent=invitations_from_team(team=team),
        join_requests_in=join_requests_to_team(team=team),
        merge_requests_in=merge_requests_in(team=team),
        merge_requests_out=merge_requests_out(team=team),
        **mine,
    )


# -- finding things a form names -----------------------------------------------------------------


def team_by_name(*, competition: Competition, name: str) -> Team:
    """The team called ``name`` (case does not matter), or NotFound."""
    name = " ".join(name.split())
    team = Team.objects.filter(competition=competition, name__iexact=name).first()
    if team is None:
        raise NotFound(
            Code.TEAM_NOT_FOUND, f"There is no team called “{name}” in {competition.title}."
        )
    return team


def member_by_username(*, team: Team, username: str):
    """The member of ``team`` called ``username``, or NotFound."""
    username = username.strip()
    membership = (
        Membership.objects.filter(team=team, user__username=username).select_related("user").first()
    )
    if membership is None:
        raise NotFound(
            Code.NOT_TEAM_MEMBER, f"{username or 'Nobody'} is not a member of “{team.name}”."
        )
    return membership.user


def _request_get(model, noun: str, *, competition: Competition, pk: int):
    found = model.objects.filter(competition=competition, pk=pk).first()
    if found is None:
        raise NotFound(Code.REQUEST_NOT_FOUND, f"This {noun} no longer exists.")
    return found


def invitation_get(*, competition: Competition, pk: int) -> Invitation:
    return _request_get(Invitation, "invitation", competition=competition, pk=pk)


def join_request_get(*, competition: Competition, pk: int) -> JoinRequest:
    return _request_get(JoinRequest, "join request", competition=competition, pk=pk)


def merge_request_get(*, competition: Competition, pk: int) -> MergeRequest:
    return _request_get(MergeRequest, "merge request", competition=competition, pk=pk)
