"""The reveal's schedule and what a participant reads before it: the automatic reveal at
``reveal_at`` (else at the end), and the truth after the end on the API, the web and the
selector (the organizers will reveal it; on which date when scheduled)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.core.errors import DomainError, NotFound
from podium.core.timeutils import now
from podium.leaderboards.reveal import leaderboard_reveal_confirmed, reveal_due_boards
from podium.leaderboards.selectors import private_board_page, reveal_notice
from tests.podium.factories import competition_with_solution, organizer, participant, scored

pytestmark = pytest.mark.django_db


def ended(competition, ago=timedelta(hours=2), **fields) -> Competition:
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - ago, **fields)
    competition.refresh_from_db()
    return competition


@pytest.fixture
def played():
    competition = competition_with_solution(title="Played", slug="played")
    alice = participant(competition, "alice")
    scored(alice, competition, 0.81234, 0.67891)
    return competition, alice


def test_the_schedule_reveals_at_reveal_at_else_at_the_end(played):
    competition, _ = played
    plain = ended(competition_with_solution(slug="plain"))
    ended(competition, reveal_at=now() + timedelta(days=1))
    draft = ended(competition_with_solution(slug="a-draft", status=Competition.Status.DRAFT))
    assert reveal_due_boards() == ["plain"]  # the scheduled one waits; a draft never
    competition.refresh_from_db()
    assert competition.private_revealed_at is None

    assert reveal_due_boards(moment=now() + timedelta(days=1, minutes=1)) == ["played"]
    competition.refresh_from_db()
    plain.refresh_from_db()
    draft.refresh_from_db()
    assert competition.private_revealed_at is not None and plain.private_revealed_at is not None
    assert draft.private_revealed_at is None


def test_a_scheduled_date_without_auto_reveal_reveals_nothing(played):
    competition, _ = played
    ended(competition, auto_reveal_private=False, reveal_at=now() - timedelta(minutes=1))
    assert reveal_due_boards() == []


def test_what_a_participant_reads_before_the_reveal(played):
    competition, alice = played
    before = reveal_notice(competition=competition)
    assert before.message == "The private leaderboard is revealed when the competition ends."
    assert not before.ended and before.details["ended_at"] is None

    ended(competition, auto_reveal_private=False)
    manual = reveal_notice(competition=competition)
    when = f"{competition.end_at:%d %b %Y at %H:%M} UTC"
    assert manual.message == (
        f"The competition ended on {when}; the organizers will reveal the private leaderboard."
    )
    assert manual.details["ended_at"] == competition.end_at.isoformat()
    assert manual.details["reveal_at"] is None and manual.details["auto_reveal"] is False

    reveal_at = now() + timedelta(days=3)
    ended(competition, auto_reveal_private=True, reveal_at=reveal_at)
    scheduled = reveal_notice(competition=competition)
    assert scheduled.message.endswith(
        f"the organizers will reveal the private leaderboard on {reveal_at:%d %b %Y at %H:%M} UTC."
    )
    assert scheduled.details["reveal_at"] == reveal_at.isoformat()
    with pytest.raises(NotFound) as refused:
        private_board_page(competition=competition, viewer=alice)
    assert refused.value.code == "private_leaderboard_not_revealed"
    assert refused.value.message == scheduled.message


def test_the_api_says_when_it_ended_and_when_it_is_revealed(client, played):
    competition, alice = played
    ended(competition, auto_reveal_private=False)
    client.force_login(alice)
    response = client.get(f"/api/v1/competitions/{competition.slug}/leaderboard/private/")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "private_leaderboard_not_revealed"
    assert "the organizers will reveal the private leaderboard" in error["message"]
    assert error["details"]["ended_at"] == competition.end_at.isoformat()
    assert error["details"]["reveal_at"] is None
    assert "0.679" not in response.content.decode()


def test_the_web_shows_a_page_in_the_board_tabs_after_the_end(client, played):
    competition, alice = played
    client.force_login(alice)
    url = reverse("web:leaderboard_private", args=[competition.slug])
    assert client.get(url).status_code == 404  # before the end: nothing to wait for yet

    ended(competition, auto_reveal_private=False)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="reveal-notice"' in page and "the organizers will reveal the private" in page
    assert 'aria-current="page">Private<' in page
    assert "0.67891" not in page and "0.6789" not in page
    public = client.get(reverse("web:leaderboard", args=[competition.slug])).content.decode()
    assert f'href="{url}"' in public  # the tab shows once it ended


def test_the_confirmed_reveal_needs_the_slug(played):
    competition, alice = played
    ended(competition)
    host = organizer(competition)
    for typed in ("", "Played", " played-x", "PLAYED"):
        with pytest.raises(DomainError) as refused:
            leaderboard_reveal_confirmed(competition=competition, by=host, typed=typed)
        assert refused.value.code == "reveal_confirmation_wrong"
    competition.refresh_from_db()
    assert competition.private_revealed_at is None
    with pytest.raises(DomainError) as not_host:
        leaderboard_reveal_confirmed(competition=competition, by=alice, typed="played")
    assert not_host.value.code == "not_an_organizer"
    assert leaderboard_reveal_confirmed(competition=competition, by=host, typed=" played ")
    competition.refresh_from_db()
    assert competition.private_revealed_at is not None


def test_the_admin_reveal_refuses_a_wrong_confirmation(client, played):
    competition, _ = played
    ended(competition)
    client.force_login(organizer(competition))
    url = reverse("admin:competitions_competition_changelist")
    data = {
        "action": "reveal_private_board",
        "_selected_action": [competition.pk],
        "post": "yes",
        f"confirm_{competition.pk}": "Played",
    }
    page = client.post(url, data, follow=True).content.decode()
    assert "Type played to confirm" in page
    competition.refresh_from_db()
    assert competition.private_revealed_at is None
