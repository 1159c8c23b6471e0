"""The organizer dashboard: its organizers only; what it counts; the reveal button; the link
from the competition's admin page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.submissions.models import Submission
from tests.podium.factories import (
    competition_with_solution,
    organizer,
    participant,
    scored,
    submit,
    superuser,
)

pytestmark = pytest.mark.django_db


def dashboard(competition) -> str:
    return reverse("web:dashboard", kwargs={"slug": competition.slug})


@pytest.fixture
def competition():
    return competition_with_solution(title="Dash", score_display_precision=3)


def test_only_its_organizers_and_superusers_see_the_dashboard(client, competition):
    assert client.get(dashboard(competition)).status_code == 302  # sign in first
    for outsider in (participant(competition), organizer(competition_with_solution())):
        client.force_login(outsider)
        response = client.get(dashboard(competition))
        assert response.status_code == 403
        assert "Only the organizers of Dash can see its dashboard." in response.content.decode()
        tabs = client.get(reverse("web:overview", args=[competition.slug])).content.decode()
        assert dashboard(competition) not in tabs
    for host in (organizer(competition), superuser()):
        client.force_login(host)
        assert client.get(dashboard(competition)).status_code == 200
        tabs = client.get(reverse("web:overview", args=[competition.slug])).content.decode()
        assert dashboard(competition) in tabs


def test_the_dashboard_counts_failures_stuck_submissions_and_draws_its_charts(
    client, competition, settings
):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    scored(alice, competition, 0.81, 0.5)
    scored(bob, competition, 0.72, 0.6)
    failed = submit(alice, competition)
    Submission.objects.filter(pk=failed.pk).update(
        status=Submission.Status.FAILED,
        error_code="row_count_mismatch",
        error_message="Submission has 3 rows; expected 200.",
    )
    stuck = submit(bob, competition)  # pending, queued long ago: the reconciler's business
    long_ago = now() - timedelta(seconds=settings.SCORING_PENDING_GRACE_SECONDS + 60)
    Submission.objects.filter(pk=stuck.pk).update(queued_at=long_ago, created_at=long_ago)
    fresh = submit(bob, competition)  # pending, just now: not stuck
    client.force_login(organizer(competition))

    page = client.get(dashboard(competition)).content.decode()
    assert "row_count_mismatch" in page and "Submission has 3 rows; expected 200." in page
    stuck_table = page[page.index('id="stuck"') :]
    assert f"<td>{stuck.pk}</td>" in stuck_table and f"<td>{fresh.pk}</td>" not in stuck_table
    assert page.count('<svg class="chart"') == 2
    assert 'class="bar failed"' in page  # today's failed submission, on top of its bar
    assert "Reveal the private leaderboard now" in page
    assert "the reveal is refused before then" in page
    assert "No rescoring was asked" in page


def test_the_reveal_button_reveals_after_the_end_and_shows_the_refusal_before(client, competition):
    scored(participant(competition, "alice"), competition, 0.8, 0.7)
    client.force_login(organizer(competition))
    url = reverse("web:dashboard_reveal", args=[competition.slug])
    refused = client.post(url, {"confirm": competition.slug}, follow=True)
    assert "its private leaderboard can be revealed after that" in refused.content.decode()
    competition.refresh_from_db()
    assert competition.private_revealed_at is None

    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    wrong = client.post(url, {"confirm": competition.title}, follow=True)
    assert wrong.status_code == 400
    assert f"Type {competition.slug} to confirm" in wrong.content.decode()
    competition.refresh_from_db()
    assert competition.private_revealed_at is None
    done = client.post(url, {"confirm": competition.slug}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("web:leaderboard_private", args=[competition.slug])
    assert "The private leaderboard is revealed" in done.content.decode()
    competition.refresh_from_db()
    assert competition.private_revealed_at is not None


def test_a_participant_cannot_reveal(client, competition):
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    client.force_login(participant(competition))
    url = reverse("web:dashboard_reveal", args=[competition.slug])
    page = client.post(url, {"confirm": competition.slug}, follow=True)
    assert "Only the organizers of Dash can reveal its private leaderboard." in (
        page.content.decode()
    )
    competition.refresh_from_db()
    assert competition.private_revealed_at is None
    confirmation = client.get(url)  # nor see the confirmation page
    assert confirmation.status_code == 403
    assert "Only the organizers of Dash can reveal its private leaderboard." in (
        confirmation.content.decode()
    )


def test_the_admin_page_of_a_competition_links_its_dashboard(client, competition):
    client.force_login(organizer(competition))
    page = client.get(reverse("admin:competitions_competition_change", args=[competition.pk]))
    assert page.status_code == 200
    assert f'href="{dashboard(competition)}"' in page.content.decode()
