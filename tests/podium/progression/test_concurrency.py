"""Awards computed at the same moment stay exact: two competitions that share their
participants, computed by two workers at once, leave every standing counting both results and
every medal told once. Each thread has its own database connection, as separate Celery
workers would.

On PostgreSQL the competition's row lock makes one competition's runs take turns, and the
standings' row locks (taken in user order after the results are written) make the two
competitions' standings see each other's results; on SQLite the IMMEDIATE transaction
serializes the writers. ``.ci/run`` runs it on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from podium.core.timeutils import now
from podium.notifications.models import Kind, Notification
from podium.progression.models import CompetitionResult, UserStanding
from podium.progression.services import competition_awards_compute, standings_refresh
from tests.podium.factories import competition_with_solution, participant, scored
from tests.podium.progression.helpers import ended, reveal
from tests.podium.race import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_competitions_sharing_users_computed_at_once():
    first = competition_with_solution(daily_submission_limit=5)
    second = competition_with_solution(daily_submission_limit=5, seed=1)
    users = [participant(first, f"u{i}") for i in range(10)]
    for i, user in enumerate(users):
        participant(second, user.username)
        scored(user, first, 0.5, 0.99 - i * 0.01)
        scored(user, second, 0.5, 0.5 + i * 0.01)  # the other way round
    for competition in (first, second):
        ended(competition, ago=timedelta(minutes=1))
        reveal(competition)
    # Their standings exist already (an earlier competition, the daily refresh): nothing but
    # the row locks orders the two computations' reads and writes.
    standings_refresh(user_ids=[user.pk for user in users])
    calls = [lambda c=c: competition_awards_compute(c.pk) for c in (first, second)]
    outcomes = race(*calls)
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert CompetitionResult.objects.count() == 20
    for user in users:
        standing = UserStanding.objects.get(user=user)
        assert standing.competitions == 2
    # u0 won the first, u9 the second: one gold each, told once.
    assert UserStanding.objects.get(user=users[0]).gold == 1
    assert UserStanding.objects.get(user=users[9]).gold == 1
    golds = Notification.objects.filter(kind=Kind.MEDAL, title__startswith="A gold medal")
    assert sorted(golds.values_list("recipient__username", flat=True)) == ["u0", "u9"]
    assert Notification.objects.filter(kind=Kind.MEDAL).count() == 8  # 4 medals a board
    assert now() - UserStanding.objects.get(user=users[0]).updated_at < timedelta(minutes=5)
