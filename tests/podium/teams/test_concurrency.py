"""No race breaks a team rule: two merges, or two people taking the last place, at the same
instant. Each thread has its own database connection (Django's are per thread), as two web
workers would, and closes it at the end.

On PostgreSQL this is what the row locks are for: both services lock the team rows
(``select_for_update``, ascending pk) before counting, so the second waits for the first to
commit and then counts what it left. On SQLite the IMMEDIATE transaction (settings) serializes
the two writers, which holds the rules the same way; the test runs there too, and ``.ci/run``
runs it on PostgreSQL.
"""

from __future__ import annotations

import pytest

from podium.core.errors import DomainError
from podium.teams import services as team_services
from podium.teams.models import Invitation, Membership, RequestStatus, Team
from podium.teams.selectors import team_for_user
from podium.workflows import team_joins, team_merges
from tests.podium.factories import CompetitionFactory, participant
from tests.podium.race import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3  # each round is a fresh pair of racers: more chances for the two to overlap


def team_of(user, competition) -> Team:
    return team_for_user(user=user, competition=competition)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_merges_at_once_that_together_exceed_the_size_cap_one_succeeds(round_):
    competition = CompetitionFactory(title="Titanic", max_team_size=2)
    bob = participant(competition, "bob")
    first, second = participant(competition, "ann"), participant(competition, "amy")
    requests = [
        team_merges.merge_request_create(
            user=asker, team=team_of(asker, competition), into=team_of(bob, competition)
        )
        for asker in (first, second)
    ]

    outcomes = race(
        *[lambda r=r: team_merges.merge_request_accept(user=bob, merge_request=r) for r in requests]
    )

    merged = [o for o in outcomes if isinstance(o, Team)]
    refusals = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(merged) == 1 and len(refusals) == 1, outcomes
    assert (refusals[0].code, refusals[0].message) == (
        "merge_too_large",
        "Merging would give 3 members; this competition allows 2.",
    )
    survivor = team_of(bob, competition)
    assert Membership.objects.filter(team=survivor).count() == 2
    assert Team.objects.filter(competition=competition).count() == 2  # bob's, and the refused one
    statuses = sorted(type(r).objects.get(pk=r.pk).status for r in requests)
    assert statuses == [RequestStatus.ACCEPTED, RequestStatus.PENDING]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_people_accepting_the_last_free_place_at_once_one_gets_it(round_):
    competition = CompetitionFactory(title="Titanic", max_team_size=2)
    lead = participant(competition, "lead")
    racers = [participant(competition, "uma"), participant(competition, "ulf")]
    team = team_of(lead, competition)
    invitations = [
        team_services.invitation_create(user=lead, team=team, invitee=racer.username)
        for racer in racers
    ]

    outcomes = race(
        *[
            lambda u=u, i=i: team_joins.invitation_accept(user=u, invitation=i)
            for u, i in zip(racers, invitations, strict=True)
        ]
    )

    joined = [o for o in outcomes if isinstance(o, Team)]
    refusals = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(joined) == 1 and len(refusals) == 1, outcomes
    assert (refusals[0].code, refusals[0].message) == (
        "team_full",
        "“lead” already has 2 members; this competition allows 2.",
    )
    assert Membership.objects.filter(team=team).count() == 2
    # The one left out keeps their own team and a pending invitation.
    loser = racers[outcomes.index(refusals[0])]
    assert team_of(loser, competition).name == loser.username
    statuses = sorted(Invitation.objects.get(pk=i.pk).status for i in invitations)
    assert statuses == [RequestStatus.ACCEPTED, RequestStatus.PENDING]
