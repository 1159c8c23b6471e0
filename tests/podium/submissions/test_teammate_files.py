"""Whose submission file a viewer may download (``submission_file_get``): any of their own
team's, teammates' included (the predictions a team ensembles), and every one to its
organizers; another team's, another competition's or a made-up id is NotFound, worded as for
one that does not exist."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from podium.core.errors import NotFound
from podium.submissions.selectors import submission_file_get
from podium.teams import services as team_services
from podium.teams.selectors import team_for_user
from podium.workflows import team_joins
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    organizer,
    participant,
    submit,
)

pytestmark = pytest.mark.django_db


def teammates(competition, leader, *others) -> None:
    for other in others:
        invitation = team_services.invitation_create(
            user=leader,
            team=team_for_user(user=leader, competition=competition),
            invitee=other.username,
        )
        team_joins.invitation_accept(user=other, invitation=invitation, accept_rules=True)


def test_a_teammate_gets_any_file_of_the_team_and_no_other_team_s():
    competition = competition_with_solution()
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    carol = UserFactory(username="carol")
    teammates(competition, alice, carol)
    hers = submit(alice, competition)
    carols = submit(carol, competition)
    bobs = submit(bob, competition)

    for viewer in (alice, carol):
        for mine in (hers, carols):
            found = submission_file_get(
                submission_id=mine.pk, competition=competition, viewer=viewer
            )
            assert found == mine
    host = organizer(competition, "host")
    assert submission_file_get(submission_id=bobs.pk, competition=competition, viewer=host) == bobs

    for viewer, other in ((alice, bobs), (carol, bobs), (bob, hers), (bob, carols)):
        with pytest.raises(NotFound) as refused:
            submission_file_get(submission_id=other.pk, competition=competition, viewer=viewer)
        assert refused.value.code == "submission_not_found"
        assert refused.value.message == f"There is no submission {other.pk}."
    for viewer in (AnonymousUser(), UserFactory(username="eve")):
        with pytest.raises(NotFound):
            submission_file_get(submission_id=hers.pk, competition=competition, viewer=viewer)
    with pytest.raises(NotFound):  # a made-up id: the same answer
        submission_file_get(submission_id=10**19, competition=competition, viewer=alice)
    elsewhere = competition_with_solution()
    with pytest.raises(NotFound):  # her own, asked under another competition
        submission_file_get(submission_id=hers.pk, competition=elsewhere, viewer=alice)


def test_a_member_who_left_no_longer_gets_the_team_s_files():
    competition = competition_with_solution()
    alice, carol = participant(competition, "alice"), UserFactory(username="carol")
    teammates(competition, alice, carol)
    hers = submit(alice, competition)
    team_services.team_leave(user=carol, team=team_for_user(user=carol, competition=competition))
    with pytest.raises(NotFound):
        submission_file_get(submission_id=hers.pk, competition=competition, viewer=carol)
