"""A competition with two participants and an organizer; a revealed one with a private board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards.reveal import leaderboard_reveal
from tests.podium.factories import (
    CompetitionFactory,
    competition_with_solution,
    organizer,
    participant,
    scored,
)


@dataclass
class Forum:
    competition: Competition
    ann: object
    bob: object
    host: object


@pytest.fixture
def forum(db) -> Forum:
    competition = CompetitionFactory(title="Titanic")
    return Forum(
        competition,
        participant(competition, "ann"),
        participant(competition, "bob"),
        organizer(competition, "host"),
    )


def finished(*, reveal: bool = True) -> Forum:
    """A competition that ended with ann 1st and bob 2nd on the private board (bob 1st on the
    public one); revealed unless ``reveal`` is False."""
    competition = competition_with_solution(auto_reveal_private=False)
    ann, bob = participant(competition, "ann"), participant(competition, "bob")
    scored(ann, competition, public=0.71, private=0.93)
    scored(bob, competition, public=0.82, private=0.64)
    participant(competition, "cal")  # joined, never submitted: not on the boards
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    competition.refresh_from_db()
    host = organizer(competition, "host")
    if reveal:
        assert leaderboard_reveal(competition=competition) is True
        competition.refresh_from_db()
    return Forum(competition, ann, bob, host)
