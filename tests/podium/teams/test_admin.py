"""The team admin: members and counts, a team's files as a zip, and who sees which teams."""

import io
import zipfile

import pytest
from django.urls import reverse

from podium.teams.models import Team
from tests.podium.factories import (
    competition_with_solution,
    organizer,
    participant,
    predictions_file,
    submit,
    superuser,
)

LIST_URL = reverse("admin:teams_team_changelist")


def change_url(team):
    return reverse("admin:teams_team_change", args=[team.pk])


@pytest.fixture
def team(db):
    competition = competition_with_solution(rows=40)
    user = participant(competition, username="=HYPERLINK(1)")  # names go into zip paths as-is
    submit(user, competition)
    submit(user, competition, file=predictions_file(competition, name="../second.csv"))
    return Team.objects.get(competition=competition)


def test_list_shows_leader_and_counts(client, team):
    client.force_login(organizer(team.competition))
    response = client.get(LIST_URL)
    [row] = response.context["cl"].result_list
    assert row == team and (row.member_count, row.submission_count) == (1, 2)
    detail = client.get(change_url(team))
    assert detail.status_code == 200 and "=HYPERLINK(1)" in detail.content.decode()


def test_a_teams_files_download_as_one_zip(client, team):
    client.force_login(superuser())
    response = client.post(
        LIST_URL, {"action": "download_submission_files", "_selected_action": [team.pk]}
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    first, second = team.submissions.order_by("pk")
    # The original name of the second was "second.csv" (submission_create keeps the basename).
    assert archive.namelist() == [
        f"=HYPERLINK(1)/{first.pk}-sub.csv",
        f"=HYPERLINK(1)/{second.pk}-second.csv",
    ]
    with first.file.open("rb") as stored:
        assert archive.read(archive.namelist()[0]) == stored.read()


def test_organizer_of_another_competition_cannot_see_the_team(client, team):
    other = competition_with_solution(rows=40)
    client.force_login(organizer(other))
    assert list(client.get(LIST_URL).context["cl"].result_list) == []
    assert client.get(change_url(team)).status_code == 404
    response = client.post(
        LIST_URL, {"action": "download_submission_files", "_selected_action": [team.pk]}
    )
    assert response.get("Content-Type") != "application/zip"


def test_a_participant_is_sent_to_the_login_page(client, team):
    client.force_login(team.leader)
    response = client.get(change_url(team))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_teams_are_read_only_in_the_admin(client, team):
    client.force_login(organizer(team.competition))
    assert client.get(reverse("admin:teams_team_add")).status_code == 403
    assert client.post(change_url(team), {"name": "renamed"}).status_code == 403
    assert client.post(reverse("admin:teams_team_delete", args=[team.pk])).status_code == 403
