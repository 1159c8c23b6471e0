"""participation: where a viewer stands in a competition."""

import pytest
from django.contrib.auth.models import AnonymousUser

from podium.teams.selectors import participation
from tests.podium.factories import CompetitionFactory, UserFactory, organizer, participant

pytestmark = pytest.mark.django_db


def test_participation_of_a_member_an_outsider_an_organizer_and_anonymous():
    competition = CompetitionFactory()
    member = participant(competition)
    me = participation(user=member, competition=competition)
    assert me.joined and me.team.name == member.username and not me.is_organizer

    outsider = participation(user=UserFactory(), competition=competition)
    assert not outsider.joined and outsider.team is None

    assert participation(user=organizer(competition), competition=competition).is_organizer
    assert not participation(user=AnonymousUser(), competition=competition).joined
