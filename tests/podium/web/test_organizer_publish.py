"""The publish checklist page: its organizers see each item and publish through the service;
an unmet item refuses with every reason; nobody else sees the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from tests.podium.factories import (
    CompetitionFactory,
    competition_with_solution,
    organizer,
    participant,
)

pytestmark = pytest.mark.django_db


def url(competition) -> str:
    return reverse("web:publish", args=[competition.slug])


def test_the_checklist_page_publishes_a_ready_draft(client):
    draft = competition_with_solution(title="Ready", status=Competition.Status.DRAFT)
    client.force_login(organizer(draft))
    page = client.get(url(draft)).content.decode()
    for code in ("answer_key", "metric_dry_run", "data_files", "schedule"):
        assert f'id="check-{code}" class="ok"' in page, code
    assert "Draft: only organizers see this." in page

    done = client.post(url(draft), follow=True)
    assert done.redirect_chain[-1][0] == reverse("web:overview", args=[draft.slug])
    assert "Ready is published: participants see it now." in done.content.decode()
    assert "Draft: only organizers see this." not in done.content.decode()
    draft.refresh_from_db()
    assert draft.status == Competition.Status.PUBLISHED


def test_an_unmet_checklist_refuses_with_every_reason(client):
    draft = CompetitionFactory(title="Bare", status=Competition.Status.DRAFT)
    client.force_login(organizer(draft))
    page = client.get(url(draft)).content.decode()
    assert page.count('class="unmet"') == 3  # no answer key, so no dry run; no data file
    assert 'id="check-schedule" class="ok"' in page
    refused = client.post(url(draft))
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'id="publish-refusal"' in text and "Bare cannot be published yet" in text
    assert "There is no answer key." in text and "There are no data files." in text
    draft.refresh_from_db()
    assert draft.status == Competition.Status.DRAFT


def test_nobody_else_sees_the_checklist(client):
    draft = competition_with_solution(status=Competition.Status.DRAFT)
    published = competition_with_solution()
    client.force_login(participant(published))
    assert client.get(url(draft)).status_code == 404  # a draft does not exist for them
    assert client.post(url(draft)).status_code == 404
    assert client.get(url(published)).status_code == 403
    client.force_login(organizer(published))
    page = client.get(url(published)).content.decode()
    assert "there is nothing to publish" in page
