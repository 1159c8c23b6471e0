"""Notifications waiting for the demo users, made by real events so that every link leads
somewhere: bob invites alice to his team in Handwritten Digits, carol asks to join alice's
team in Diabetes Progression (both pending: alice can answer them), and every member of the
finished competition hears of its reveal (the reveal tells them when the seed makes it; a
database seeded before notifications existed gets it here). The seed's failed submission told
its team already.

``seed_notifications`` is idempotent: a second call makes nothing (a pending request is
returned, not asked again; the reveal is told once per member).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from podium.competitions.models import Competition
from podium.core.errors import DomainError
from podium.notifications.models import Kind, Notification
from podium.notifications.services import notify
from podium.teams import services as team_services
from podium.teams.models import Membership
from podium.teams.selectors import team_for_user

INVITATION = ("handwritten-digits", "bob", "alice")  # competition, leader, invitee
JOIN_REQUEST = ("diabetes-progression", "carol", "alice")  # competition, asker, leader
FINISHED = "wine-cultivars"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _competition(slug: str) -> Competition | None:
    return Competition.objects.filter(slug=slug).first()


def _invite(log: Callable[[str], None]) -> None:
    slug, leader_name, invitee_name = INVITATION
    competition, leader, invitee = _competition(slug), _user(leader_name), _user(invitee_name)
    if None in (competition, leader, invitee):
        return
    team = team_for_user(user=leader, competition=competition)
    if team is None or team.leader_id != leader.pk:
        return
    try:
        team_services.invitation_create(user=leader, team=team, invitee=invitee_name)
    except DomainError as exc:  # a full team, a deadline passed: the demo goes on without it
        log(f"  (no demo invitation: {exc.message})")


def _ask_to_join(log: Callable[[str], None]) -> None:
    slug, asker_name, leader_name = JOIN_REQUEST
    competition, asker, leader = _competition(slug), _user(asker_name), _user(leader_name)
    if None in (competition, asker, leader):
        return
    team = team_for_user(user=leader, competition=competition)
    if team is None:
        return
    try:
        team_services.join_request_create(user=asker, team=team)
    except DomainError as exc:
        log(f"  (no demo join request: {exc.message})")


def _reveal_told() -> None:
    competition = _competition(FINISHED)
    if competition is None or competition.private_revealed_at is None:
        return
    url = f"/competitions/{competition.slug}/leaderboard/private/"
    told = Notification.objects.filter(kind=Kind.BOARD_REVEALED, url=url).values("recipient_id")
    members = Membership.objects.filter(competition_id=competition.pk).exclude(user_id__in=told)
    notify(
        recipient_ids=list(members.values_list("user_id", flat=True)),
        kind=Kind.BOARD_REVEALED,
        title=f"The private leaderboard of {competition.title} is revealed",
        url=url,
    )


def seed_notifications(*, log: Callable[[str], None] = lambda line: None) -> int:
    """Make the demo's waiting notifications; returns how many were made now."""
    before = Notification.objects.count()
    with transaction.atomic():
        _invite(log)
        _ask_to_join(log)
        _reveal_told()
    made = Notification.objects.count() - before
    if made:
        log(f"Notifications waiting for the demo users: {made}")
    return made
