"""An organizer's submissions on a draft are test submissions: scored, shown in their My
Submissions marked "test", never on a board (public or private), never in the dashboard's
figures; publishing deletes them (tests/podium/competitions/test_lifecycle.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards.models import LeaderboardEntry, PrivateEntry
from podium.leaderboards.selectors import board_size
from podium.leaderboards.services import private_board_build
from podium.submissions.models import Submission
from podium.submissions.selectors import status_counts
from podium.submissions.selectors.dashboard import public_scores, submissions_per_day
from podium.teams.services import competition_join
from tests.podium.factories import competition_with_solution, organizer, predictions_file, submit

pytestmark = pytest.mark.django_db(transaction=True)  # the scoring runs in-process on commit


@pytest.fixture
def rehearsal(eager):
    draft = competition_with_solution(
        title="Rehearsal", status=Competition.Status.DRAFT, start_at=now() + timedelta(days=1)
    )
    host = organizer(draft, "host")
    competition_join(user=host, competition=draft)
    good = submit(host, draft, predictions_file(draft, quality=0.45))
    submit(host, draft, predictions_file(draft, quality=0.1, seed=2))
    good.refresh_from_db()
    return draft, host, good


def test_a_draft_submission_is_a_scored_test_submission_on_no_board(rehearsal):
    draft, _, good = rehearsal
    assert good.is_test and good.status == Submission.Status.SCORED
    assert good.public_score is not None and good.private_score is not None
    assert "Test submissions on a draft are never on a leaderboard." in good.result_message
    assert not LeaderboardEntry.objects.filter(competition=draft).exists()
    assert board_size(competition=draft) == 0
    assert private_board_build(competition=draft) == 0  # nor on the private board
    assert not PrivateEntry.objects.filter(competition=draft).exists()


def test_the_dashboard_figures_leave_test_submissions_out(rehearsal):
    draft, _, _ = rehearsal
    assert Submission.objects.filter(competition=draft).count() == 2
    assert sum(status_counts(competition=draft).values()) == 0
    assert public_scores(competition=draft) == []
    assert submissions_per_day(competition=draft, since=now() - timedelta(days=1)) == {}


def test_my_submissions_marks_them_test(client, rehearsal):
    draft, host, good = rehearsal
    client.force_login(host)
    page = client.get(reverse("web:my_submissions", args=[draft.slug])).content.decode()
    assert page.count('<span class="badge muted test"') == 2
    assert "Draft: only organizers see this." in page
    dashboard = client.get(reverse("web:dashboard", args=[draft.slug])).content.decode()
    assert f"{good.public_score:.5f}" not in dashboard
    assert "these figures leave your test" in dashboard
    assert reverse("web:publish", args=[draft.slug]) in dashboard
