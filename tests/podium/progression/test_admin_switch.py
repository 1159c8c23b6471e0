"""The organizer's switch (Competition.awards_medals, on the admin's competition form): turned
off after the reveal, the competition's medals and points are taken back at once."""

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.progression.models import CompetitionResult, UserStanding
from tests.podium.adminforms import form_data
from tests.podium.factories import organizer
from tests.podium.progression.helpers import board_of, reveal

pytestmark = pytest.mark.django_db


def test_the_organizer_turns_medals_off_and_on_after_the_reveal(
    client, eager, django_capture_on_commit_callbacks
):
    competition, users = board_of(10)
    with django_capture_on_commit_callbacks(execute=True):
        reveal(competition)
    assert CompetitionResult.objects.filter(competition=competition).count() == 10
    client.force_login(organizer(competition))
    url = reverse("admin:competitions_competition_change", args=[competition.pk])
    page = client.get(url)
    assert 'name="awards_medals"' in page.content.decode()
    data = form_data(page)
    data.pop("awards_medals")  # an unticked checkbox is not posted
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert Competition.objects.get(pk=competition.pk).awards_medals is False
    assert not CompetitionResult.objects.filter(competition=competition).exists()
    assert UserStanding.objects.get(user=users[0]).gold == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "awards_medals": "on"})
    assert UserStanding.objects.get(user=users[0]).gold == 1
