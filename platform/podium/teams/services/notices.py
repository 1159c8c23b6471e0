"""What a team request tells whom (``notifications.notify``, in the request's transaction): a
new invitation its invitee, a new join or merge request the asked team's leader, an answer
(accepted or declined) whoever asked. A request taken back, or cancelled because its team went
away, tells no one."""

from __future__ import annotations

from podium.notifications.models import Kind
from podium.notifications.services import notify
from podium.teams.models import Invitation, JoinRequest, MergeRequest, RequestStatus


def _team_page(request) -> str:
    return f"/competitions/{request.competition.slug}/team/"


def request_made_notify(request: Invitation | JoinRequest | MergeRequest) -> None:
    title = request.competition.title
    if isinstance(request, Invitation):
        who = request.invited_by.get_username() if request.invited_by else "A team leader"
        notify(
            recipient_ids=[request.invitee_id],
            kind=Kind.TEAM_INVITATION,
            title=f"{who} invited you to join the team “{request.team_name}” in {title}",
            url=_team_page(request),
            actor_id=request.invited_by_id,
        )
    elif isinstance(request, JoinRequest):
        notify(
            recipient_ids=[request.team.leader_id],
            kind=Kind.TEAM_REQUEST,
            title=f"{request.user.get_username()} asks to join your team "
            f"“{request.team_name}” in {title}",
            url=_team_page(request),
            actor_id=request.user_id,
        )
    else:
        notify(
            recipient_ids=[request.to_team.leader_id],
            kind=Kind.TEAM_REQUEST,
            title=f"The team “{request.from_team_name}” asks to merge into your team "
            f"“{request.to_team_name}” in {title}",
            url=_team_page(request),
            actor_id=request.requested_by_id,
        )


def request_answered_notify(
    request: Invitation | JoinRequest | MergeRequest, *, status: str, by
) -> None:
    if status not in (RequestStatus.ACCEPTED, RequestStatus.DECLINED):
        return
    who = by.get_username() if by is not None else "Someone"
    title = request.competition.title
    if isinstance(request, Invitation):
        asker = request.invited_by_id
        text = f"{who} {status} your invitation to join “{request.team_name}” in {title}"
    elif isinstance(request, JoinRequest):
        asker = request.user_id
        text = f"{who} {status} your request to join “{request.team_name}” in {title}"
    else:
        asker = request.requested_by_id
        text = (
            f"“{request.to_team_name}” {status} the merge request of “{request.from_team_name}” "
            f"in {title}"
        )
    if asker is None:
        return
    notify(
        recipient_ids=[asker],
        kind=Kind.TEAM_ANSWER,
        title=text,
        url=_team_page(request),
        actor_id=getattr(by, "pk", None),
    )
