"""Kernel votes stay exact under 20 requests at once: one user's twenty votes leave one,
twenty users' leave twenty, and votes withdrawn at the same time as others are cast leave
exactly the rest. Each thread has its own database connection, as twenty web workers would.

On PostgreSQL the unique (run, user) pair and INSERT ... ON CONFLICT DO NOTHING make a second
vote a no-op whatever the timing; on SQLite the IMMEDIATE transaction serializes the writers.
``.ci/run`` runs it on PostgreSQL.
"""

from __future__ import annotations

import pytest

from podium.kernels import services
from podium.kernels.models import KernelVote
from tests.podium.factories import UserFactory, competition_with_solution, participant
from tests.podium.kernels.community_helpers import finished_run
from tests.podium.race import race

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20


@pytest.fixture
def run():
    competition = competition_with_solution()
    return finished_run(participant(competition, "alice"), competition)


def test_twenty_votes_of_one_user_at_once_leave_one(run):
    bob = UserFactory(username="bob")
    outcomes = race(*[lambda: services.kernel_vote(user=bob, run=run)] * RACERS)
    assert all(isinstance(o, int) and 1 <= o for o in outcomes), outcomes
    assert KernelVote.objects.filter(run=run).count() == 1


def test_twenty_users_voting_at_once_leave_twenty(run):
    voters = [UserFactory(username=f"voter{i}") for i in range(RACERS)]
    outcomes = race(*[lambda u=u: services.kernel_vote(user=u, run=run) for u in voters])
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert KernelVote.objects.filter(run=run).count() == RACERS
    assert max(outcomes) == RACERS  # the last one counted every vote


def test_votes_and_withdrawals_at_once_leave_exactly_the_rest(run):
    leaving = [UserFactory(username=f"leaving{i}") for i in range(RACERS // 2)]
    coming = [UserFactory(username=f"coming{i}") for i in range(RACERS // 2)]
    for user in leaving:
        services.kernel_vote(user=user, run=run)
    calls = [lambda u=u: services.kernel_unvote(user=u, run=run) for u in leaving]
    calls += [lambda u=u: services.kernel_vote(user=u, run=run) for u in coming]
    outcomes = race(*calls)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    voters = set(KernelVote.objects.filter(run=run).values_list("user_id", flat=True))
    assert voters == {u.pk for u in coming}
