"""The Team tab: members, invitations, join and merge requests, renaming, leaving, leadership.

Every form posts to a small view that calls one service and comes back to the tab with the
service's message (its refusal, word for word, or what was done).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.core.errors import DomainError
from podium.teams import selectors as team_selectors
from podium.teams import services as team_services
from podium.web.errors import shows_domain_errors
from podium.web.views.common import competition_context
from podium.workflows import team_joins, team_merges


@shows_domain_errors
def team(request, slug: str):
    context = competition_context(request, slug, "team")
    competition = context["competition"]
    if request.user.is_authenticated:
        page = team_selectors.team_page(user=request.user, competition=competition)
        context["page"] = page
        if page.team is not None:
            context["merges_in"] = [
                (mr, team_merges.merge_preview(team=mr.from_team, into=page.team))
                for mr in page.merge_requests_in
            ]
            wanted = request.GET.get("merge_with", "").strip()
            if wanted:
                context["merge_with"] = wanted
                try:
                    other = team_selectors.team_by_name(competition=competition, name=wanted)
                    context["preview"] = team_merges.merge_preview(team=page.team, into=other)
                except DomainError as exc:
                    context["preview_error"] = exc.message
        context["accepted_rules"] = context["me"].accepted_rules
    return render(request, "web/competition/team.html", context)


def _do(request, slug: str, action: Callable[[Competition], str]):
    """Run ``action`` (one service call; returns what to tell the user) and come back to the tab
    with its message, or with the refusal's."""
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    try:
        done = action(competition)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("web:team", slug=slug)


def _my_team(request, competition: Competition):
    return team_selectors.require_team(user=request.user, competition=competition)


@require_POST
@login_required
@shows_domain_errors
def rename(request, slug: str):
    def action(competition: Competition) -> str:
        renamed = team_services.team_rename(
            user=request.user,
            team=_my_team(request, competition),
            name=request.POST.get("name", ""),
        )
        return f"Your team is now called “{renamed.name}”."

    return _do(request, slug, action)


@require_POST
@login_required
@shows_domain_errors
def invite(request, slug: str):
    def action(competition: Competition) -> str:
        invitation = team_services.invitation_create(
            user=request.user,
            team=_my_team(request, competition),
            invitee=request.POST.get("invitee", ""),
        )
        return f"{invitation.invitee.get_username()} is invited to “{invitation.team_name}”."

    return _do(request, slug, action)


@require_POST
@login_required
@shows_domain_errors
def leave(request, slug: str):
    def action(competition: Competition) -> str:
        old = _my_team(request, competition)
        solo = team_services.team_leave(user=request.user, team=old)
        return f"You left “{old.name}”. You are now in a team of your own, “{solo.name}”."

    return _do(request, slug, action)


@require_POST
@login_required
@shows_domain_errors
def transfer(request, slug: str):
    def action(competition: Competition) -> str:
        mine = _my_team(request, competition)
        new_leader = team_selectors.member_by_username(
            team=mine, username=request.POST.get("username", "")
        )
        team_services.leadership_transfer(user=request.user, team=mine, new_leader=new_leader)
        return f"{new_leader.get_username()} now leads “{mine.name}”."

    return _do(request, slug, action)


@require_POST
@login_required
@shows_domain_errors
def join_request(request, slug: str):
    def action(competition: Competition) -> str:
        target = team_selectors.team_by_name(
            competition=competition, name=request.POST.get("team", "")
        )
        team_services.join_request_create(user=request.user, team=target)
        return f"You asked to join “{target.name}”; its leader will answer."

    return _do(request, slug, action)


@require_POST
@login_required
@shows_domain_errors
def merge_request(request, slug: str):
    def action(competition: Competition) -> str:
        into = team_selectors.team_by_name(
            competition=competition, name=request.POST.get("team", "")
        )
        team_merges.merge_request_create(
            user=request.user, team=_my_team(request, competition), into=into
        )
        return f"You asked “{into.name}” to merge with your team; its leader will answer."

    return _do(request, slug, action)


# -- answering: /team/<kind>/<pk>/<answer>/ ------------------------------------------------------


def _answered_message(kind: str, answer: str, done: team_joins.Answered) -> str:
    """What the Team tab says after ``team_joins.request_answer``."""
    asked, team = done.request, done.team
    if kind == "invitations":
        if answer == "accept":
            return f"Welcome to “{team.name}”!"
        if answer == "decline":
            return f"You declined the invitation to “{asked.team_name}”."
        return f"The invitation to {asked.invitee.get_username()} is cancelled."
    if kind == "join-requests":
        who = asked.user.get_username()
        if answer == "accept":
            return f"{who} joined “{team.name}”."
        if answer == "decline":
            return f"You declined {who}'s request to join."
        return f"Your request to join “{asked.team_name}” is withdrawn."
    if answer == "accept":
        return f"“{asked.from_team_name}” merged into “{team.name}”."
    if answer == "decline":
        return f"You declined the merge request of “{asked.from_team_name}”."
    return f"Your merge request to “{asked.to_team_name}” is withdrawn."


@require_POST
@login_required
@shows_domain_errors
def answer(request, slug: str, kind: str, pk: int, answer: str):
    if kind not in team_joins.REQUEST_KINDS or answer not in team_joins.ANSWERS:
        raise Http404("No such action.")

    def action(competition: Competition) -> str:
        done = team_joins.request_answer(
            user=request.user,
            competition=competition,
            kind=kind,
            pk=pk,
            answer=answer,
            accept_rules=request.POST.get("accept_rules") == "on",
        )
        return _answered_message(kind, answer, done)

    return _do(request, slug, action)
