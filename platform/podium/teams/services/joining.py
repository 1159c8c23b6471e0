"""Entering a competition (a solo team, the Baseline team), the teams' half of joining a team
by an accepted invitation or join request, and leaving a team.

Kaggle's model: joining a competition makes a solo team; every other team is made by people
joining it (an invitation or a join request) or by merging teams. Accepting an invitation or a
join request is one action, ``podium.workflows.team_joins``: when the joiner's solo team has
submissions, joining is a merge, which counts and moves submissions (the teams app does not
import submissions). Its teams' half is here: ``invitation_admit`` / ``join_request_admit``
check every rule that needs no submissions and close the request; ``member_move`` moves a
joiner whose team has no submissions.

Locking: admitting locks the target team and the joiner's current team (``lock_for_join``,
ascending pk) before counting members; the request is answered by a conditional UPDATE on its
status. Leaving locks the team row before counting its members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.competitions.services import rules_accept
from podium.core.errors import DomainError, PermissionDenied
from podium.core.timeutils import now
from podium.teams import rules
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import Invitation, JoinRequest, Membership, RequestStatus, Team
from podium.teams.services.locking import lock_for_join, lock_teams
from podium.teams.services.membership import free_team_name, new_solo_team, team_dissolve
from podium.teams.services.requests import (
    pending_user_requests_cancel,
    request_close,
    request_closed,
)

BASELINE_TEAM_NAME = "Baseline"


# -- entering a competition ----------------------------------------------------------------------


def competition_join(*, user, competition: Competition) -> Team:
    """Accept the rules and join in a solo team. Idempotent: a member gets their team back."""
    existing = Team.objects.filter(competition=competition, memberships__user=user).first()
    if existing is not None:
        rules_accept(user=user, competition=competition)
        return existing
    # Not invited: the 404 of a competition that does not exist (it is not admitted to exist).
    competition_selectors.require_can_view(user=user, competition=competition)
    competition_selectors.require_not_archived(competition, to="be joined")
    moment = now()
    if competition.entry_deadline and moment >= competition.entry_deadline:
        raise DomainError(
            CompetitionErrorCode.ENTRY_DEADLINE_PASSED,
            f"The entry deadline of {competition.title} has passed; new teams cannot join.",
        )
    if moment >= competition.end_at:
        raise DomainError(CompetitionErrorCode.ENDED, f"{competition.title} has ended.")
    try:
        with transaction.atomic():
            rules_accept(user=user, competition=competition)
            team = Team.objects.create(
                competition=competition,
                name=free_team_name(competition, user.get_username()),
                leader=user,
            )
            Membership.objects.create(team=team, user=user, competition=competition)
    except IntegrityError:  # the same user joined twice at once: the other request won
        team = Team.objects.get(competition=competition, memberships__user=user)
    return team


def baseline_team_ensure(*, competition: Competition, user) -> Team:
    """The competition's Baseline team (``is_baseline``: marked on the boards, never a prize
    winner), led by ``user``, a service account that has accepted the rules. Idempotent."""
    existing = Team.objects.filter(competition=competition, memberships__user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            rules_accept(user=user, competition=competition)
            team = Team.objects.create(
                competition=competition,
                name=free_team_name(competition, BASELINE_TEAM_NAME),
                leader=user,
                is_baseline=True,
            )
            Membership.objects.create(team=team, user=user, competition=competition)
    except IntegrityError:  # made at the same moment by another run
        team = Team.objects.get(competition=competition, memberships__user=user)
    return team


# -- joining a team ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    """A joiner let into ``target`` (both rows locked, the request closed): ``current`` is the
    joiner's team until now, if any (a solo team: one in a team with others was refused)."""

    user: object
    target: Team
    current: Team | None


def member_move(*, admission: Admission, moment: datetime) -> None:
    """Move the joiner into the target team; their current team, which must have no
    submissions (a team with submissions is merged instead, ``workflows.team_joins``), is
    dissolved. Call inside the admitting transaction."""
    user, target, current = admission.user, admission.target, admission.current
    if current is not None:
        if rules.has_submissions(current):
            raise DomainError(
                Code.MERGE_REQUIRED,
                f"Your team “{current.name}” has submissions, so joining “{target.name}” merges "
                "the two teams.",
            )
        Membership.objects.filter(team=current, user=user).delete()
        team_dissolve(team=current, moment=moment)
    Membership.objects.create(team=target, user=user, competition_id=target.competition_id)
    pending_user_requests_cancel(
        user_ids=[user.pk], competition_id=target.competition_id, moment=moment
    )


def invitation_admit(
    *, user, invitation: Invitation, accept_rules: bool, moment: datetime
) -> Admission:
    """The teams' half of accepting an invitation: the invitee's checks, the rules that need
    no submissions, the competition's rules accepted (``accept_rules`` must be True unless they
    were before), the invitation closed as accepted.

    Call inside a transaction: locks the inviting team and the invitee's current team
    (ascending pk) before counting members, so of two people accepting the last free place at
    once, one gets it.
    """
    if invitation.invitee_id != user.pk:
        raise PermissionDenied(Code.NOT_ADDRESSEE, "This invitation is addressed to someone else.")
    if invitation.team is None or invitation.status != RequestStatus.PENDING:
        raise request_closed(invitation)
    target, current = lock_for_join(user, invitation.team)
    request_close(invitation, status=RequestStatus.ACCEPTED, by=user, moment=moment)
    refusal = rules.join_refusal(user, target, current, moment, by_joiner=True)
    if refusal is not None:
        raise refusal
    competition = target.competition
    if not competition_selectors.has_accepted_rules(user, competition):
        if not accept_rules:
            raise PermissionDenied(
                CompetitionErrorCode.RULES_NOT_ACCEPTED,
                f"To join “{target.name}” you must accept the rules of {competition.title}.",
            )
        rules_accept(user=user, competition=competition)
    return Admission(user=user, target=target, current=current)


def join_request_admit(*, user, join_request: JoinRequest, moment: datetime) -> Admission:
    """The teams' half of a leader (``user``) letting a requester in: the leader's right, the
    rules that need no submissions, the requester's acceptance of the competition's rules, the
    request closed as accepted.

    Call inside a transaction: locks the team and the requester's current team (ascending pk)
    before counting members.
    """
    if join_request.team is None or join_request.status != RequestStatus.PENDING:
        raise request_closed(join_request)
    requester = join_request.user
    target, current = lock_for_join(requester, join_request.team)
    rules.require_leader(user, target, "answer requests to join the team")
    request_close(join_request, status=RequestStatus.ACCEPTED, by=user, moment=moment)
    refusal = rules.join_refusal(requester, target, current, moment, by_joiner=False)
    if refusal is None and not competition_selectors.has_accepted_rules(
        requester, target.competition
    ):
        refusal = PermissionDenied(
            CompetitionErrorCode.RULES_NOT_ACCEPTED,
            f"{requester.get_username()} has not accepted the rules of {target.competition.title}.",
        )
    if refusal is not None:
        raise refusal
    return Admission(user=requester, target=target, current=current)


# -- leaving -------------------------------------------------------------------------------------


@transaction.atomic
def team_leave(*, user, team: Team) -> Team:
    """Leave ``team`` for a new solo team of one's own (returned).

    Refused for a disqualified team; for a team with submissions once the merger deadline (or
    the end) has passed; for the leader while others remain (hand the leadership over first);
    and for the last member of a team with submissions (the team and its board row keep their
    last member). A last member of a team without submissions dissolves it.

    Locks the team row before counting its members.
    """
    moment = now()
    [locked] = lock_teams(team)
    competition = locked.competition
    rules.require_member(user, locked)
    if locked.disqualified_at:
        raise PermissionDenied(
            Code.TEAM_DISQUALIFIED,
            f"“{locked.name}” was disqualified; its members cannot leave it.",
        )
    members = rules.member_count(locked)
    submitted = rules.has_submissions(locked)
    if submitted and moment >= rules.merger_deadline(competition):
        if moment >= competition.end_at:
            when = f"{competition.title} has ended"
        else:
            when = (
                f"the team merger deadline of {competition.title} was "
                f"{rules.utc_text(competition.team_merger_deadline)}"
            )
        raise DomainError(
            Code.LEAVE_AFTER_MERGER_DEADLINE,
            f"“{locked.name}” has submissions and {when}; its members can no longer leave it.",
        )
    if members > 1 and locked.leader_id == user.pk:
        raise DomainError(
            Code.LEADER_MUST_TRANSFER,
            f"You lead “{locked.name}”: make another member the leader before you leave.",
        )
    if members == 1 and submitted:
        raise DomainError(
            Code.LAST_MEMBER_WITH_SUBMISSIONS,
            f"You are the last member of “{locked.name}”, which has submissions; a team on the "
            "leaderboard keeps its last member.",
        )
    Membership.objects.filter(team=locked, user=user).delete()
    if members == 1:
        team_dissolve(team=locked, moment=moment)
    return new_solo_team(user, competition)
