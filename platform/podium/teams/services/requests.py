"""Invitations and join requests (asking, declining, taking back), and the answering and
cancelling of every kind of request: invitations, join requests and merge requests.

Accepting an invitation or a join request moves someone into a team: that is in
``podium.teams.services.joining``. Merge requests are made and accepted in
``podium.workflows.team_merges``, which closes them through ``request_close`` here.

Locking: answering a request is one conditional UPDATE on its status (pending -> answered), so
of two answers at once exactly one lands. Asking takes no lock: a request counts nothing, and
accepting it checks every rule again under the team locks (``services.locking``).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
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
from podium.teams.services.notices import request_answered_notify, request_made_notify

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
    with transaction.atomic():  # the answer and whom it tells
        done = (
            type(request)
            .objects.filter(pk=request.pk, status=RequestStatus.PENDING)
            .update(status=status, decided_at=moment, decided_by=by, updated_at=moment)
        )
        if not done:
            raise request_closed(request)
        request.status, request.decided_at, request.decided_by = status, moment, by
        request_answered_notify(request, status=status, by=by)


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


@transaction.atomic
def _pending_or_create(model, *, team: Team, **fields):
    """The pending request of this kind between these two, made if there is none (and then its
    addressee told). Asking twice at once is settled by the one-pending-per-pair constraint:
    the loser reads the winner's."""
    who = {k: v for k, v in fields.items() if k in ("invitee", "user")}
    pending = model.objects.filter(team=team, status=RequestStatus.PENDING, **who)
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            made = model.objects.create(team=team, **fields)
            request_made_notify(made)
            return made
    except IntegrityError:
        return pending.get()


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
        Invitation,
        team=team,
        invitee=person,
        competition=competition,
        team_name=team.name,
        invited_by=user,
    )


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
    refusal = rules.join_refusal(user, team, current, now(), by_joiner=True)
    if refusal is not None:
        raise refusal
    return _pending_or_create(
        JoinRequest,
        team=team,
        user=user,
        competition_id=team.competition_id,
        team_name=team.name,
    )


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
