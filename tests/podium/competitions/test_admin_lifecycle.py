"""The admin's side of the lifecycle: a new competition is a draft, the list shows the status,
Publish and Archive go through the services (a refusal lists every unmet item), and the form
refuses a scheduled reveal before the end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.core.timeutils import now
from tests.podium.adminforms import form_data, split_datetime
from tests.podium.factories import CompetitionFactory, competition_with_solution, organizer

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:competitions_competition_changelist")


def change_url(competition) -> str:
    return reverse("admin:competitions_competition_change", args=[competition.pk])


def test_the_publish_action_goes_through_the_checklist(client):
    ready = competition_with_solution(title="Ready", status=Competition.Status.DRAFT)
    bare = CompetitionFactory(title="Bare", status=Competition.Status.DRAFT)
    host = organizer(ready)
    bare.organizers.add(host)
    client.force_login(host)
    listing = client.get(LIST_URL).content.decode()
    assert listing.count('<td class="field-status">Draft: only its organizers see it</td>') == 2

    data = {"action": "publish_competitions", "_selected_action": [ready.pk, bare.pk]}
    page = client.post(LIST_URL, data, follow=True).content.decode()
    assert "Ready is published: participants see it." in page
    assert "Bare: Bare cannot be published yet: There is no answer key." in page
    assert "There are no data files." in page
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert ready.status == Competition.Status.PUBLISHED
    assert bare.status == Competition.Status.DRAFT

    data = {"action": "archive_competitions", "_selected_action": [ready.pk, bare.pk]}
    page = client.post(LIST_URL, data, follow=True).content.decode()
    assert "Ready is archived." in page
    assert "Bare is draft: only a published competition can be archived." in page
    ready.refresh_from_db()
    assert ready.status == Competition.Status.ARCHIVED


def test_the_form_shows_the_status_read_only_and_refuses_an_early_reveal(admin_client):
    competition = competition_with_solution(status=Competition.Status.DRAFT)
    page = admin_client.get(change_url(competition))
    assert "status" not in page.context["adminform"].form.fields  # changed by the actions only
    data = form_data(page)
    data.update(split_datetime("reveal_at", competition.end_at - timedelta(days=1)))
    refused = admin_client.post(change_url(competition), data)
    assert refused.status_code == 200  # the form again, with the error
    assert "The reveal must come after the end." in refused.content.decode()
    data.update(split_datetime("reveal_at", competition.end_at + timedelta(days=2)))
    data.update(auto_reveal_private="")
    refused = admin_client.post(change_url(competition), data)
    assert "A scheduled reveal needs the automatic reveal" in refused.content.decode()
    data["auto_reveal_private"] = "on"
    saved = admin_client.post(change_url(competition), data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    competition.refresh_from_db()
    assert competition.reveal_at > competition.end_at
    assert competition.status == Competition.Status.DRAFT and competition.end_at > now()
