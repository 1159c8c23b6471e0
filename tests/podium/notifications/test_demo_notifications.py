"""The demo's notifications (podium.demo.notifications): real requests alice can answer, the
reveal told to the finished competition's members once, nothing new the second time."""

from __future__ import annotations

import pytest

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.demo.notifications import seed_notifications
from podium.notifications.models import Kind, Notification
from podium.teams.models import Invitation, JoinRequest
from tests.podium.factories import CompetitionFactory, participant

pytestmark = pytest.mark.django_db


def test_the_demo_users_find_notifications_waiting_and_a_second_call_adds_none():
    digits = CompetitionFactory(slug="handwritten-digits", title="Handwritten Digits")
    diabetes = CompetitionFactory(slug="diabetes-progression", title="Diabetes Progression")
    wine = CompetitionFactory(slug="wine-cultivars", title="Wine Cultivars")
    for competition in (digits, diabetes):
        for name in ("alice", "bob", "carol"):
            participant(competition, name)
    for name in ("alice", "dave"):
        participant(wine, name)
    Competition.objects.filter(pk=wine.pk).update(private_revealed_at=now())

    assert seed_notifications() == 4
    mine = dict(Notification.objects.filter(recipient__username="alice").values_list("kind", "url"))
    assert mine == {
        Kind.TEAM_INVITATION: "/competitions/handwritten-digits/team/",
        Kind.TEAM_REQUEST: "/competitions/diabetes-progression/team/",
        Kind.BOARD_REVEALED: "/competitions/wine-cultivars/leaderboard/private/",
    }
    assert list(
        Notification.objects.filter(recipient__username="dave").values_list("kind", flat=True)
    ) == [Kind.BOARD_REVEALED]
    assert Invitation.objects.get().invitee.username == "alice"  # real, pending: answerable
    assert JoinRequest.objects.get().user.username == "carol"

    assert seed_notifications() == 0
    assert Notification.objects.count() == 4


def test_without_the_demo_nothing_is_made():
    assert seed_notifications() == 0
