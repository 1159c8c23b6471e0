"""competition_cards, board_split, custom_metric_allowed and holds_organizer_role."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from podium.accounts.models import VerifiedEmail
from podium.competitions.page_facts import board_split
from podium.competitions.selectors import (
    competition_cards,
    custom_metric_allowed,
    holds_organizer_role,
)
from podium.core.timeutils import now
from tests.podium.factories import (
    CompetitionFactory,
    UserFactory,
    competition_with_solution,
    organizer,
    participant,
    superuser,
)

pytestmark = pytest.mark.django_db


def test_cards_count_teams_order_by_state_and_filter():
    soon = CompetitionFactory(title="ends soon", end_at=now() + timedelta(days=1))
    later = CompetitionFactory(title="ends later", end_at=now() + timedelta(days=9))
    upcoming = CompetitionFactory(title="upcoming", start_at=now() + timedelta(days=1))
    closed = CompetitionFactory(
        title="closed", start_at=now() - timedelta(days=5), end_at=now() - timedelta(days=1)
    )
    revealed = CompetitionFactory(
        title="revealed",
        start_at=now() - timedelta(days=9),
        end_at=now() - timedelta(days=3),
        private_revealed_at=now() - timedelta(days=2),
    )
    participant(later)
    participant(later)

    cards = competition_cards(user=UserFactory())
    assert [c.title for c in cards] == [
        soon.title,
        later.title,
        upcoming.title,
        closed.title,
        revealed.title,
    ]
    assert {c.title: c.team_count for c in cards}["ends later"] == 2
    assert cards[0].state == "active" and cards[-1].state == "revealed"
    assert [c.title for c in competition_cards(user=UserFactory(), state="closed")] == [
        "closed",
        "revealed",
    ]
    assert len(competition_cards(user=UserFactory(), state="bogus")) == 5


def test_cards_show_invite_only_competitions_to_invited_people_only():
    secret = CompetitionFactory(visibility="invite_only", allowed_email_domains="corp.example")
    insider = UserFactory(email="x@corp.example")
    assert competition_cards(user=insider) == []  # the domain rule needs a VERIFIED address
    VerifiedEmail.objects.create(user=insider, email="x@corp.example")
    assert [c.slug for c in competition_cards(user=insider)] == [secret.slug]
    assert competition_cards(user=UserFactory()) == []


def test_board_split_in_percent():
    competition = competition_with_solution()  # 65 public, 130 private, 5 ignored
    split = board_split(competition)
    assert (split.public_percent, split.private_percent) == (33, 67)
    assert board_split(CompetitionFactory()) is None


def test_only_a_superuser_may_enable_a_custom_metric():
    assert custom_metric_allowed(superuser())
    assert not custom_metric_allowed(organizer(competition_with_solution(rows=20)))
    assert not custom_metric_allowed(UserFactory(is_staff=True))
    assert not custom_metric_allowed(AnonymousUser())
    assert not custom_metric_allowed(UserFactory(is_staff=True, is_superuser=True, is_active=False))


def test_the_organizer_role_is_staff_in_the_group_or_a_superuser():
    users = [organizer(), superuser(), UserFactory(is_staff=True), UserFactory()]
    assert holds_organizer_role(users) == {users[0].pk, users[1].pk}
