"""The demo's medals and tiers (demo/progression.py): from the revealed demo competition."""

import pytest

from podium.accounts.models import Profile
from podium.demo.progression import progression_demo
from podium.demo.seed import FINISHED, SLUGS, USERS
from podium.notifications.models import Kind, Notification
from podium.progression.models import CompetitionResult, Medal, UserStanding
from tests.podium.progression.helpers import board_of, reveal

pytestmark = pytest.mark.django_db

DEMO = {"slugs": SLUGS, "usernames": [u.username for u in USERS]}


def test_nothing_without_a_revealed_demo_competition():
    board_of(5, slug=FINISHED.slug)  # ended, not revealed
    assert progression_demo(**DEMO) == 0
    assert not CompetitionResult.objects.exists()


def test_the_finished_competition_gives_the_demo_users_medals_and_tiers():
    competition, users = board_of(5, slug=FINISHED.slug, prefix="x")
    for user, name in zip(users, ("alice", "bob", "carol", "dave", "erin"), strict=True):
        user.username = name
        user.save(update_fields=["username"])
    reveal(competition)
    lines = []
    assert progression_demo(**DEMO, log=lines.append) == 5
    assert lines == [f"{FINISHED.slug}: medals and points for 5 participant(s)"]
    # 5 teams: no gold (10 % rounds down), one silver, one bronze.
    assert CompetitionResult.objects.get(user__username="alice").medal == Medal.SILVER
    assert CompetitionResult.objects.get(user__username="bob").medal == Medal.BRONZE
    assert UserStanding.objects.get(user__username="alice").silver == 1
    assert Profile.objects.get(user__username="alice").tier == "contributor"
    assert progression_demo(**DEMO) == 5  # idempotent: the same results, nobody told twice
    assert Notification.objects.filter(kind=Kind.MEDAL).count() == 2
