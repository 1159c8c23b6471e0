"""My Submissions links each file of the team, and any member downloads any of them (the
shared predictions a team ensembles); another team's file is a 404, as if absent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from podium.teams import services as team_services
from podium.teams.selectors import team_for_user
from podium.workflows import team_joins
from tests.podium.factories import (
    UserFactory,
    body,
    competition_with_solution,
    participant,
    predictions_file,
    submit,
)

pytestmark = pytest.mark.django_db


def file_url(competition, submission) -> str:
    return reverse(
        "web:submission_file", kwargs={"slug": competition.slug, "submission_id": submission.pk}
    )


def test_teammates_download_each_other_s_files_and_never_another_team_s(client):
    competition = competition_with_solution()
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    carol = UserFactory(username="carol")
    invitation = team_services.invitation_create(
        user=alice, team=team_for_user(user=alice, competition=competition), invitee="carol"
    )
    team_joins.invitation_accept(user=carol, invitation=invitation, accept_rules=True)
    carols_file = predictions_file(competition, 0.7, seed=5, name="carol-blend.csv")
    content = carols_file.read()
    carols_file.seek(0)
    carols = submit(carol, competition, carols_file)
    bobs = submit(bob, competition, predictions_file(competition, 0.6, name="bob.csv"))

    client.force_login(alice)
    listed = client.get(reverse("web:my_submissions", kwargs={"slug": competition.slug}))
    text = listed.content.decode()
    assert f'href="{file_url(competition, carols)}" download' in text and "carol-blend.csv" in text
    response = client.get(file_url(competition, carols))
    assert response.status_code == 200 and body(response) == content
    assert 'filename="carol-blend.csv"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"

    refused = client.get(file_url(competition, bobs))
    assert refused.status_code == 404 and "bob.csv" not in refused.content.decode()
    nobody = reverse(
        "web:submission_file", kwargs={"slug": competition.slug, "submission_id": 999999}
    )
    assert client.get(nobody).status_code == 404
    assert f"There is no submission {bobs.pk}." in refused.content.decode()
    assert "There is no submission 999999." in client.get(nobody).content.decode()

    client.force_login(bob)
    assert client.get(file_url(competition, carols)).status_code == 404
    assert client.get(file_url(competition, bobs)).status_code == 200
    client.logout()
    assert client.get(file_url(competition, bobs)).status_code == 302  # to sign in
