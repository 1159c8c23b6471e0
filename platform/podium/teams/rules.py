"""The team rules that need no submissions, shared by the teams services and by team merges
(``podium.workflows.team_merges``, which adds the rules that count submissions).

Each ``*_refusal`` returns the DomainError that refuses, or None, so that a preview can list every
reason at once while a service raises the first. They read only: callers hold the locks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError, PermissionDenied
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import Membership, Team


def utc_text(moment: datetime) -> str:
    """'3 Dec 2026, 00:00 UTC'."""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def merger_deadline(competition: Competition) -> datetime:
    """The last moment teams may change members: the team merger deadline, or the end when
    there is none (or when the deadline is set after the end)."""
    deadline = competition.team_merger_deadline
    return min(deadline, competition.end_at) if deadline else competition.end_at


def member_count(team: Team) -> int:
    return Membership.objects.filter(team=team).count()


def has_submissions(team: Team) -> bool:
    # Through the reverse relation: the teams app does not import submissions (layering).
    return team.submissions.exists()


def changes_closed_refusal(competition: Competition, moment: datetime) -> DomainError | None:
    """Merges, invitations and join requests: only before the merger deadline."""
    if moment >= competition.end_at:
        return DomainError(
            CompetitionErrorCode.ENDED,
            f"{competition.title} has ended; teams can no longer merge or take new members.",
        )
    deadline = competition.team_merger_deadline
    if deadline and moment >= deadline:
        return DomainError(
            Code.TEAM_CHANGES_CLOSED,
            f"The team merger deadline of {competition.title} was {utc_text(deadline)}; teams "
            "can no longer merge or take new members.",
        )
    return None


def disqualified_refusal(team: Team) -> DomainError | None:
    if team.disqualified_at:
        return PermissionDenied(
            Code.TEAM_DISQUALIFIED,
            f"“{team.name}” was disqualified; a disqualified team cannot merge or change members.",
        )
    return None


def baseline_refusal(team: Team) -> DomainError | None:
    if team.is_baseline:
        return DomainError(
            Code.BASELINE_TEAM,
            f"“{team.name}” is the organizers' baseline team; it does not merge or take members.",
        )
    return None


def open_team_refusals(team: Team) -> list[DomainError]:
    """A team that may change members at all: not disqualified, not a baseline team."""
    return [r for r in (disqualified_refusal(team), baseline_refusal(team)) if r is not None]


def full_refusal(team: Team, competition: Competition, incoming: int = 1) -> DomainError | None:
    members, cap = member_count(team), competition.max_team_size
    if members + incoming > cap:
        return DomainError(
            Code.TEAM_FULL,
            f"“{team.name}” already has {members} member{'s' if members != 1 else ''}; this "
            f"competition allows {cap}.",
            details={"members": members, "max_team_size": cap},
        )
    return None


def merge_size_refusal(a: Team, b: Team, competition: Competition) -> DomainError | None:
    merged, cap = member_count(a) + member_count(b), competition.max_team_size
    if merged > cap:
        return DomainError(
            Code.MERGE_TOO_LARGE,
            f"Merging would give {merged} members; this competition allows {cap}.",
            details={"members": merged, "max_team_size": cap},
        )
    return None


def merge_refusals_without_submissions(a: Team, b: Team, moment: datetime) -> list[DomainError]:
    """Every reason, short of counting submissions, that ``a`` may not merge into ``b``."""
    if a.pk == b.pk:
        return [DomainError(Code.MERGE_SAME_TEAM, "A team cannot merge with itself.")]
    if a.competition_id != b.competition_id:
        return [
            DomainError(
                Code.MERGE_OTHER_COMPETITION,
                f"“{a.name}” and “{b.name}” are in different competitions.",
            )
        ]
    competition = b.competition
    refusals = open_team_refusals(a) + open_team_refusals(b)
    closed = changes_closed_refusal(competition, moment)
    if closed is not None:
        refusals.append(closed)
    size = merge_size_refusal(a, b, competition)
    if size is not None:
        refusals.append(size)
    return refusals


def join_refusal(
    joiner, target: Team, current: Team | None, moment: datetime, *, by_joiner: bool
) -> DomainError | None:
    """Why ``joiner`` (now in ``current``) may not join ``target``, or None. Messages speak to
    the joiner (``by_joiner``) or to the leader who answers a join request."""
    competition = target.competition
    name = joiner.get_username()
    for refusal in open_team_refusals(target):
        return refusal
    if current is not None and current.pk == target.pk:
        who = "You are" if by_joiner else f"{name} is"
        return DomainError(Code.ALREADY_IN_TEAM, f"{who} already in “{target.name}”.")
    closed = changes_closed_refusal(competition, moment)
    if closed is not None:
        return closed
    if current is not None:
        refusal = disqualified_refusal(current)
        if refusal is not None:
            return refusal
        others = member_count(current) - 1
        if others > 0:
            who, they = ("You are", "you") if by_joiner else (f"{name} is", "they")
            plural = "s" if others != 1 else ""
            return DomainError(
                Code.IN_TEAM_WITH_OTHERS,
                f"{who} in “{current.name}” with {others} other member{plural}; "
                f"{they} must leave it before joining “{target.name}”.",
            )
    else:
        if not competition_selectors.can_view(joiner, competition):
            return PermissionDenied(
                CompetitionErrorCode.NOT_INVITED,
                f"{competition.title} is open to invited people only.",
            )
        if competition.entry_deadline and moment >= competition.entry_deadline:
            return DomainError(
                CompetitionErrorCode.ENTRY_DEADLINE_PASSED,
                f"The entry deadline of {competition.title} has passed; new participants cannot "
                "join.",
            )
    return full_refusal(target, competition)


def require_leader(user, team: Team, action: str) -> None:
    """``action`` completes "Only the team leader, alice, can ..."."""
    if team.leader_id != user.pk:
        raise PermissionDenied(
            Code.NOT_TEAM_LEADER,
            f"Only the leader of “{team.name}”, {team.leader.get_username()}, can {action}.",
        )


def require_member(user, team: Team) -> None:
    if not Membership.objects.filter(team=team, user=user).exists():
        raise PermissionDenied(Code.NOT_TEAM_MEMBER, f"You are not a member of “{team.name}”.")


def team_gone(name: str) -> Conflict:
    return Conflict(
        Code.TEAM_GONE,
        f"The team “{name}” no longer exists: it merged into another team or was dissolved. "
        "Reload the page.",
    )
