"""Joining a team: accepting an invitation or a join request, and answering any request (the one
entry point the web UI and the API share).

Joining is the teams app's admission (``teams.services.invitation_admit`` /
``join_request_admit``: every rule that needs no submissions, the request closed) followed by
the move: a joiner whose solo team has no submissions moves and that team is dissolved
(``teams.services.member_move``); one whose solo team has submissions brings them, which is a
merge into the joined team (``workflows.team_merges.team_merge``, with the rules that count
submissions). A workflow because the merge moves submissions and board rows.

Locking: the admission locks the joined team and the joiner's current team (ascending pk)
before anything is counted; the merge runs under those locks, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from podium.competitions.models import Competition
from podium.core.errors import Conflict
from podium.core.timeutils import now
from podium.teams import rules
from podium.teams import selectors as team_selectors
from podium.teams import services as team_services
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import Invitation, JoinRequest, MergeRequest, Team
from podium.workflows.team_merges import (
    merge_request_accept,
    merge_request_cancel,
    merge_request_decline,
    team_merge,
)


def _enter(admission: team_services.Admission, moment: datetime) -> None:
    current = admission.current
    if current is not None and rules.has_submissions(current):
        team_merge(survivor=admission.target, absorbed=current, moment=moment)
        team_services.pending_user_requests_cancel(
            user_ids=[admission.user.pk],
            competition_id=admission.target.competition_id,
            moment=moment,
        )
    else:
        team_services.member_move(admission=admission, moment=moment)


def invitation_accept(*, user, invitation: Invitation, accept_rules: bool = False) -> Team:
    """The invitee joins the inviting team; returns it.

    Someone who has not joined the competition joins it now (``accept_rules`` must be True
    unless they accepted its rules before). Their solo team, if they have one, is dissolved when
    it has no submissions, and merged into the inviting team when it has some (the merge rules
    apply then). Someone in a team with others must leave it first.
    """
    moment = now()
    with transaction.atomic():
        admission = team_services.invitation_admit(
            user=user, invitation=invitation, accept_rules=accept_rules, moment=moment
        )
        try:
            with transaction.atomic():
                _enter(admission, moment)
        except IntegrityError:  # joined the competition elsewhere meanwhile (one team each)
            competition = admission.target.competition
            raise Conflict(
                Code.TEAM_GONE,
                f"You joined {competition.title} in another window meanwhile. Reload the page "
                "and try again.",
            ) from None
    return admission.target


def join_request_accept(*, user, join_request: JoinRequest) -> Team:
    """The team's leader (``user``) lets the requester in; returns the team. As for an
    invitation, the requester's solo team is dissolved, or merged when it has submissions."""
    moment = now()
    with transaction.atomic():
        admission = team_services.join_request_admit(
            user=user, join_request=join_request, moment=moment
        )
        _enter(admission, moment)
    return admission.target


# -- answering a request: one entry point for the web UI and the API -----------------------------

REQUEST_KINDS = ("invitations", "join-requests", "merge-requests")
ANSWERS = ("accept", "decline", "cancel")


@dataclass(frozen=True)
class Answered:
    """A request that was answered, and the team the answer made (after an accept)."""

    request: Invitation | JoinRequest | MergeRequest
    team: Team | None = None


def request_answer(
    *,
    user,
    competition: Competition,
    kind: str,
    pk: int,
    answer: str,
    accept_rules: bool = False,
) -> Answered:
    """Accept, decline or cancel one of ``competition``'s invitations, join requests or merge
    requests (``kind`` one of REQUEST_KINDS, ``answer`` one of ANSWERS). Who may give which
    answer is each service's rule; the locks are theirs."""
    if kind == "invitations":
        invitation = team_selectors.invitation_get(competition=competition, pk=pk)
        if answer == "accept":
            team = invitation_accept(user=user, invitation=invitation, accept_rules=accept_rules)
            return Answered(invitation, team)
        if answer == "decline":
            return Answered(team_services.invitation_decline(user=user, invitation=invitation))
        return Answered(team_services.invitation_cancel(user=user, invitation=invitation))
    if kind == "join-requests":
        join_request = team_selectors.join_request_get(competition=competition, pk=pk)
        if answer == "accept":
            return Answered(join_request, join_request_accept(user=user, join_request=join_request))
        if answer == "decline":
            return Answered(
                team_services.join_request_decline(user=user, join_request=join_request)
            )
        return Answered(team_services.join_request_cancel(user=user, join_request=join_request))
    merge_request = team_selectors.merge_request_get(competition=competition, pk=pk)
    if answer == "accept":
        return Answered(merge_request, merge_request_accept(user=user, merge_request=merge_request))
    if answer == "decline":
        return Answered(merge_request_decline(user=user, merge_request=merge_request))
    return Answered(merge_request_cancel(user=user, merge_request=merge_request))
