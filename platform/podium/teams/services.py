"""Writes of the teams app: joining, names, invitations, join requests, leaving, leadership.

Kaggle's model: joining a competition makes a solo team; every other team is made by people
joining it (an invitation or a join request) or by merging teams. The rules that count
submissions (a merge's submission cap) and moving submissions live in
``podium.leaderboards.team_merges`` (the teams app does not import submissions); it passes its
merge to the acceptances here as ``merge_into``. The rules without submissions are in
``podium.teams.rules``.

Locking: every change of a team's members locks the team rows it touches (``lock_teams``:
``select_for_update`` in ascending pk order) before counting; answering a request is a
conditional UPDATE on its status. On SQLite the IMMEDIATE transaction serializes writers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.competitions.services import rules_accept
from podium.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from podium.core.timeutils import now
from podium.teams import rules
from podium.teams import selectors as team_selectors
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import (
    Invitation,
    JoinRequest,
    Membership,
    MergeRequest,
    RequestStatus,
    Team,
)

NAME_MAX = Team._meta.get_field("name").max_length


class MergeInto(Protocol):
    """Merges ``absorbed`` into ``survivor`` (both rows locked): the leaderboards app's merge."""

    def __call__(self, *, survivor: Team, absorbed: Team, moment: datetime) -> object: ...


def _free_team_name(competition: Competition, wanted: str) -> str:
    name, n = wanted[:100], 2
    while Team.objects.filter(competition=competition, name__iexact=name).exists():
        name = f"{wanted[:90]} ({n})"
        n += 1
    return name


def competition_join(*, user, competition: Competition) -> Team:
    """Accept the rules and join in a solo team. Idempotent: a member gets their team back."""
    existing = Team.objects.filter(competition=competition, memberships__user=user).first()
    if existing is not None:
        rules_accept(user=user, competition=competition)
        return existing
    # Not invited: the 404 of a competition that does not exist (it is not admitted to exist).
    competition_selectors.require_can_view(user=user, competition=competition)
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
                name=_free_team_name(competition, user.get_username()),
                leader=user,
            )
            Membership.objects.create(team=team, user=user, competition=competition)
    except IntegrityError:  # the same user joined twice at once: the other request won
        team = Team.objects.get(competition=competition, memberships__user=user)
    return team


# -- locking -------------------------------------------------------------------------------------


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


def _lock_for_join(user, target: Team) -> tuple[Team, Team | None]:
    """Lock ``target`` and the team ``user`` is in now (``lock_teams``), and make sure that after
    the wait the user is still in that team. If a concurrent change moved them (they left it
    meanwhile), refuse rather than lock a third team out of order."""
    current = _current_team(user, target.competition_id)
    locked_target, locked_current = lock_teams(target, current)
    now_in = Membership.objects.filter(
        competition_id=target.competition_id, user=user
    ).values_list("team_id", flat=True).first()
    if now_in != (current.pk if current else None):
        raise Conflict(
            Code.TEAM_GONE,
            "Your team changed while this was being done. Reload the page and try again.",
        )
    return locked_target, locked_current


# -- answering requests --------------------------------------------------------------------------

_NOUNS = {Invitation: "invitation", JoinRequest: "join request", MergeRequest: "merge request"}


def request_closed(request: Invitation | JoinRequest | MergeRequest) -> DomainError:
    model = type(request)
    status = model.objects.filter(pk=request.pk).values_list("status", flat=True).first()
    if status is None:
        return NotFound(Code.REQUEST_NOT_FOUND, f"This {_NOUNS[model]} no longer exists.")
    if status == RequestStatus.PENDING:  # pending, but its team is gone
        status = RequestStatus.CANCELLED
    return Conflict(Code.REQUEST_CLOSED, f"This {_NOUNS[model]} was already {status}.")


def request_close(
    request: Invitation | JoinRequest | MergeRequest, *, status: str, by, moment: datetime
) -> None:
    """Answer a pending request: one conditional UPDATE (pending -> ``status``), so of two
    answers at once exactly one lands; the other gets Conflict(team_request_closed)."""
    done = type(request).objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
        status=status, decided_at=moment, decided_by=by, updated_at=moment
    )
    if not done:
        raise request_closed(request)
    request.status, request.decided_at, request.decided_by = status, moment, by


def pending_requests_cancel(*, team: Team, moment: datetime) -> None:
    """Cancel the pending invitations, join requests and merge requests of a team that is about
    to disappear (dissolved, or merged into another)."""
    cancelled = {"status": RequestStatus.CANCELLED, "decided_at": moment, "updated_at": moment}
    pending = Q(status=RequestStatus.PENDING)
    Invitation.objects.filter(pending, team=team).update(**cancelled)
    JoinRequest.objects.filter(pending, team=team).update(**cancelled)
    MergeRequest.objects.filter(pending & (Q(from_team=team) | Q(to_team=team))).update(**cancelled)


def pending_user_requests_cancel(
    *, user_ids: list[int], competition_id: int, moment: datetime
) -> None:
    """Users who just joined a team: their other pending invitations and join requests in the
    competition are cancelled (they chose a team; to change they must leave it first)."""
    cancelled = {"status": RequestStatus.CANCELLED, "decided_at": moment, "updated_at": moment}
    pending = Q(status=RequestStatus.PENDING, competition_id=competition_id)
    Invitation.objects.filter(pending, invitee_id__in=user_ids).update(**cancelled)
    JoinRequest.objects.filter(pending, user_id__in=user_ids).update(**cancelled)


def team_dissolve(*, team: Team, moment: datetime) -> None:
    """Delete a team that has no members left and no submissions, cancelling its pending
    requests first. Call with the team row locked."""
    pending_requests_cancel(team=team, moment=moment)
    Team.objects.filter(pk=team.pk).delete()


# -- names ---------------------------------------------------------------------------------------


@transaction.atomic
def _pending_or_create(model, *, team: Team, **fields):
    """The pending request of this kind between these two, made if there is none. Asking twice
    at once is settled by the one-pending-per-pair constraint: the loser reads the winner's."""
    who = {k: v for k, v in fields.items() if k in ("invitee", "user")}
    pending = model.objects.filter(team=team, status=RequestStatus.PENDING, **who)
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return model.objects.create(team=team, **fields)
    except IntegrityError:
        return pending.get()


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


# -- invitations ---------------------------------------------------------------------------------


def _find_user(text: str):
    text = text.strip()
    if not text:
        raise DomainError(
            Code.USER_NOT_FOUND, "Type the username or email address of who to invite."
        )
    users = get_user_model().objects
    if "@" in text:
        found = list(users.filter(email__iexact=text)[:2])
        if not found:
            raise NotFound(Code.USER_NOT_FOUND, f"No account uses the email address “{text}”.")
        if len(found) > 1:
            raise DomainError(
                Code.USER_AMBIGUOUS,
                f"Several accounts use the email address “{text}”; invite by username instead.",
            )
        return found[0]
    found = users.filter(username=text).first()
    if found is None:
        raise NotFound(Code.USER_NOT_FOUND, f"There is no user called “{text}”.")
    return found


@transaction.atomic
def invitation_create(*, user, team: Team, invitee: str) -> Invitation:
    """The leader invites someone, by username or email address, who need not have joined the
    competition yet. Inviting someone already invited returns the pending invitation.

    No lock: an invitation counts nothing; accepting it checks every rule again under locks.
    """
    moment = now()
    competition = team.competition
    rules.require_leader(user, team, "invite people to the team")
    for refusal in rules.open_team_refusals(team):
        raise refusal
    closed = rules.changes_closed_refusal(competition, moment)
    if closed is not None:
        raise closed
    person = _find_user(invitee)
    name = person.get_username()
    if Membership.objects.filter(team=team, user=person).exists():
        raise DomainError(Code.ALREADY_IN_TEAM, f"{name} is already in “{team.name}”.")
    if not competition_selectors.can_view(person, competition):
        raise PermissionDenied(
            CompetitionErrorCode.NOT_INVITED,
            f"{name} cannot take part in {competition.title}: it is open to invited people only.",
        )
    full = rules.full_refusal(team, competition)
    if full is not None:
        raise full
    return _pending_or_create(
        Invitation, team=team, invitee=person,
        competition=competition, team_name=team.name, invited_by=user,
    )


def _join_refusal(
    joiner, target: Team, current: Team | None, moment: datetime, *, by_joiner: bool
) -> DomainError | None:
    """Why ``joiner`` (now in ``current``) may not join ``target``, or None. Messages speak to
    the joiner (``by_joiner``) or to the leader who answers a join request."""
    competition = target.competition
    name = joiner.get_username()
    for refusal in rules.open_team_refusals(target):
        return refusal
    if current is not None and current.pk == target.pk:
        who = "You are" if by_joiner else f"{name} is"
        return DomainError(Code.ALREADY_IN_TEAM, f"{who} already in “{target.name}”.")
    closed = rules.changes_closed_refusal(competition, moment)
    if closed is not None:
        return closed
    if current is not None:
        refusal = rules.disqualified_refusal(current)
        if refusal is not None:
            return refusal
        others = rules.member_count(current) - 1
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
    return rules.full_refusal(target, competition)


def _join(
    user, target: Team, current: Team | None, moment: datetime, merge_into: MergeInto | None
) -> None:
    """Move ``user`` into ``target`` (both rows locked). A current team with no submissions is
    dissolved; one with submissions is merged into ``target`` by ``merge_into``."""
    if current is not None and rules.has_submissions(current):
        if merge_into is None:
            raise DomainError(
                Code.MERGE_REQUIRED,
                f"Your team “{current.name}” has submissions, so joining “{target.name}” merges "
                "the two teams.",
            )
        merge_into(survivor=target, absorbed=current, moment=moment)
    else:
        if current is not None:
            Membership.objects.filter(team=current, user=user).delete()
            team_dissolve(team=current, moment=moment)
        Membership.objects.create(team=target, user=user, competition_id=target.competition_id)
    pending_user_requests_cancel(
        user_ids=[user.pk], competition_id=target.competition_id, moment=moment
    )


def invitation_accept(
    *, user, invitation: Invitation, accept_rules: bool = False,
    merge_into: MergeInto | None = None,
) -> Team:
    """The invitee joins the inviting team; returns it.

    Someone who has not joined the competition joins it now (``accept_rules`` must be True
    unless they accepted its rules before). Their solo team, if they have one, is dissolved when
    it has no submissions; when it has some, joining is a merge into the inviting team, which
    only ``merge_into`` can do (``podium.leaderboards.team_merges.invitation_accept`` passes it;
    without it, DomainError(merge_required)). Someone in a team with others must leave it first.

    Locks the inviting team and the invitee's current team (ascending pk) before counting
    members, so two people accepting the last free place at once: one gets it.
    """
    if invitation.invitee_id != user.pk:
        raise PermissionDenied(Code.NOT_ADDRESSEE, "This invitation is addressed to someone else.")
    if invitation.team is None or invitation.status != RequestStatus.PENDING:
        raise request_closed(invitation)
    moment = now()
    with transaction.atomic():
        target, current = _lock_for_join(user, invitation.team)
        request_close(invitation, status=RequestStatus.ACCEPTED, by=user, moment=moment)
        refusal = _join_refusal(user, target, current, moment, by_joiner=True)
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
        try:
            with transaction.atomic():
                _join(user, target, current, moment, merge_into)
        except IntegrityError:  # joined the competition elsewhere meanwhile (one team each)
            raise Conflict(
                Code.TEAM_GONE,
                f"You joined {competition.title} in another window meanwhile. Reload the page "
                "and try again.",
            ) from None
    return target


def invitation_decline(*, user, invitation: Invitation) -> Invitation:
    """The invitee says no. One conditional UPDATE, no lock."""
    if invitation.invitee_id != user.pk:
        raise PermissionDenied(Code.NOT_ADDRESSEE, "This invitation is addressed to someone else.")
    request_close(invitation, status=RequestStatus.DECLINED, by=user, moment=now())
    return invitation


def invitation_cancel(*, user, invitation: Invitation) -> Invitation:
    """The team's leader (or whoever sent it) takes an invitation back. No lock."""
    team = invitation.team
    if team is None:
        raise request_closed(invitation)
    if invitation.invited_by_id != user.pk:
        rules.require_leader(user, team, "take back its invitations")
    request_close(invitation, status=RequestStatus.CANCELLED, by=user, moment=now())
    return invitation


# -- join requests -------------------------------------------------------------------------------


@transaction.atomic
def join_request_create(*, user, team: Team) -> JoinRequest:
    """A participant asks to join ``team``; its leader answers. Asking again returns the
    pending request. No lock: accepting checks every rule again under locks."""
    current = team_selectors.require_team(user=user, competition=team.competition)
    refusal = _join_refusal(user, team, current, now(), by_joiner=True)
    if refusal is not None:
        raise refusal
    return _pending_or_create(
        JoinRequest, team=team, user=user,
        competition_id=team.competition_id, team_name=team.name,
    )


def join_request_accept(
    *, user, join_request: JoinRequest, merge_into: MergeInto | None = None
) -> Team:
    """The team's leader lets the requester in; returns the team. As for an invitation, the
    requester's solo team is dissolved, or merged when it has submissions (``merge_into``).

    Locks the team and the requester's current team (ascending pk) before counting members.
    """
    if join_request.team is None or join_request.status != RequestStatus.PENDING:
        raise request_closed(join_request)
    moment = now()
    requester = join_request.user
    with transaction.atomic():
        target, current = _lock_for_join(requester, join_request.team)
        rules.require_leader(user, target, "answer requests to join the team")
        request_close(join_request, status=RequestStatus.ACCEPTED, by=user, moment=moment)
        refusal = _join_refusal(requester, target, current, moment, by_joiner=False)
        if refusal is None and not competition_selectors.has_accepted_rules(
            requester, target.competition
        ):
            refusal = PermissionDenied(
                CompetitionErrorCode.RULES_NOT_ACCEPTED,
                f"{requester.get_username()} has not accepted the rules of "
                f"{target.competition.title}.",
            )
        if refusal is not None:
            raise refusal
        _join(requester, target, current, moment, merge_into)
    return target


def join_request_decline(*, user, join_request: JoinRequest) -> JoinRequest:
    """The team's leader says no. One conditional UPDATE, no lock."""
    if join_request.team is None:
        raise request_closed(join_request)
    rules.require_leader(user, join_request.team, "answer requests to join the team")
    request_close(join_request, status=RequestStatus.DECLINED, by=user, moment=now())
    return join_request


def join_request_cancel(*, user, join_request: JoinRequest) -> JoinRequest:
    """The requester takes the request back. No lock."""
    if join_request.user_id != user.pk:
        raise PermissionDenied(Code.NOT_ADDRESSEE, "This join request is someone else's.")
    request_close(join_request, status=RequestStatus.CANCELLED, by=user, moment=now())
    return join_request


# -- leaving and leading -------------------------------------------------------------------------


def _new_solo_team(user, competition: Competition) -> Team:
    team = Team.objects.create(
        competition=competition, name=_free_team_name(competition, user.get_username()),
        leader=user,
    )
    Membership.objects.create(team=team, user=user, competition=competition)
    return team


BASELINE_TEAM_NAME = "Baseline"


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
                competition=competition, name=_free_team_name(competition, BASELINE_TEAM_NAME),
                leader=user, is_baseline=True,
            )
            Membership.objects.create(team=team, user=user, competition=competition)
    except IntegrityError:  # made at the same moment by another run
        team = Team.objects.get(competition=competition, memberships__user=user)
    return team


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
    return _new_solo_team(user, competition)


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
