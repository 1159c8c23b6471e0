"""The board cache (``leaderboards.cache``): pages dropped when a write commits (not before, not
on a rollback), the database read when the cache is down, no private board and no viewer's own
data in it. Runs on the configured cache: the file cache, or Redis with the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from podium.core.timeutils import now
from podium.leaderboards import cache as board_cache
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.services import private_board_build, team_entry_refresh
from podium.teams.models import Team
from podium.workflows.scoring import submission_score
from tests.podium.factories import (
    competition_with_solution,
    organizer,
    participant,
    predictions_file,
    scored,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit runs for real


@pytest.fixture
def competition():
    competition = competition_with_solution(rows=40, score_display_precision=3)
    scored(participant(competition, "alice"), competition, 0.9, 0.5, at=now() - timedelta(hours=1))
    scored(participant(competition, "bob"), competition, 0.8, 0.6, at=now() - timedelta(hours=1))
    return competition


def board(competition) -> list[tuple[str, float]]:
    rows = board_cache.cached_public_board(competition=competition, offset=0, limit=100)
    return [(r.team_name, r.score) for r in rows]


def test_a_scored_submission_drops_the_cached_board_when_it_commits(competition):
    assert board(competition) == [("alice", 0.9), ("bob", 0.8)]
    assert board_cache.cached_board_size(competition=competition) == 2
    carl = participant(competition, "carl")
    version = board_cache.board_version(competition.pk)
    submission = submit(carl, competition, predictions_file(competition, quality=1.0))
    assert submission_score(submission_id=submission.pk, worker="w") == "scored"
    assert board_cache.board_version(competition.pk) != version
    assert board(competition)[0][0] == "carl"
    assert board_cache.cached_board_size(competition=competition) == 3


def test_a_write_drops_the_cached_board_on_commit_not_before(competition):
    assert board(competition)[0] == ("alice", 0.9)
    bob = Team.objects.get(name="bob")
    version = board_cache.board_version(competition.pk)
    with transaction.atomic():
        LeaderboardEntry.objects.filter(team=bob).update(sort_key=5.0, best_public_score=5.0)
        board_cache.board_changed(competition.pk)
        # Not committed: the version, and so the cached page, stays (other readers cannot see
        # the write yet, and must not cache a page under a version that would outlive it).
        assert board_cache.board_version(competition.pk) == version
        assert board(competition)[0] == ("alice", 0.9)
    assert board_cache.board_version(competition.pk) != version
    assert board(competition)[0] == ("bob", 5.0)


def test_a_rollback_bumps_nothing(competition):
    assert board(competition)[0] == ("alice", 0.9)
    version = board_cache.board_version(competition.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        team_entry_refresh(competition=competition, team=Team.objects.get(name="bob"))
        raise RuntimeError("rolled back")
    assert board_cache.board_version(competition.pk) == version


def test_a_rename_and_a_disqualification_drop_the_cached_board(competition):
    assert board(competition) == [("alice", 0.9), ("bob", 0.8)]
    bob = Team.objects.get(name="bob")
    bob.name = "bobcats"
    bob.save(update_fields=["name"])
    assert board(competition) == [("alice", 0.9), ("bobcats", 0.8)]
    alice = Team.objects.get(name="alice")
    alice.disqualified_at = now()
    alice.save(update_fields=["disqualified_at"])
    assert board(competition) == [("bobcats", 0.8)]


class Down:
    """A cache whose every call fails, as Redis does when it is away."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_a_cache_that_is_down_fails_open(competition, monkeypatch, caplog):
    monkeypatch.setattr(board_cache, "cache", Down())
    assert board(competition) == [("alice", 0.9), ("bob", 0.8)]
    assert board_cache.cached_board_size(competition=competition) == 2
    # A write still commits (its bump fails and is logged), and the next read is current.
    scored(participant(competition, "carl"), competition, 0.95, 0.1)
    assert board(competition)[0] == ("carl", 0.95)
    assert "Board cache unavailable" in caplog.text


def test_a_read_while_the_cache_is_down_is_not_cached_later(competition, monkeypatch):
    """A page read from the database while the cache was down is not served once it is back,
    after writes it did not see: nothing was stored under a version."""
    monkeypatch.setattr(board_cache, "cache", Down())
    assert board(competition)[0] == ("alice", 0.9)
    monkeypatch.undo()
    scored(participant(competition, "carl"), competition, 0.95, 0.1)
    assert board(competition)[0] == ("carl", 0.95)


class Recording:
    """The cache, noting what is stored in it."""

    def __init__(self, real, stored: list) -> None:
        self.real, self.stored = real, stored

    def set(self, key, value, *args, **kwargs):
        self.stored.append((key, value))
        return self.real.set(key, value, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_the_private_board_is_never_cached(client, competition, monkeypatch):
    """Before the reveal the private board is its organizers' only: nothing of it may go into a
    cache that serves everyone. It is not cached after the reveal either."""
    stored = []
    private_board_build(competition=competition)
    client.force_login(organizer(competition))
    with monkeypatch.context() as patch:
        patch.setattr(board_cache, "cache", Recording(cache, stored))
        response = client.get(reverse("web:leaderboard_private", args=[competition.slug]))
        assert response.status_code == 200 and b"0.600" in response.content  # bob's private
        api = client.get(f"/api/v1/competitions/{competition.slug}/leaderboard/private/")
        assert api.status_code == 200, api.content
    assert stored == []
    client.force_login(Team.objects.get(name="alice").leader)  # after the organizer's visit
    refused = client.get(f"/api/v1/competitions/{competition.slug}/leaderboard/private/")
    assert refused.status_code == 404 and b"0.6" not in refused.content
    assert not [value for _, value in stored if "PrivateRow" in repr(value)]


def test_a_viewers_own_team_is_never_served_to_another(client, competition):
    alice, bob = Team.objects.get(name="alice"), Team.objects.get(name="bob")
    url = reverse("web:leaderboard", args=[competition.slug])
    client.force_login(alice.leader)
    page = client.get(url).content.decode()
    assert f"#team-{alice.pk}" in page and "Jump to my team (#1)" in page
    client.force_login(bob.leader)  # the rows now come from the cache alice's visit filled
    page = client.get(url).content.decode()
    assert f"#team-{bob.pk}" in page and "Jump to my team (#2)" in page
    assert f'href="?page=1#team-{alice.pk}"' not in page
    client.logout()
    page = client.get(url).content.decode()
    assert "Jump to my team" not in page


def test_after_a_change_a_read_is_served_for_the_fresh_window_then_read_again(
    competition, settings, monkeypatch
):
    """BOARD_CACHE_FRESH_SECONDS: scorings may bump a board dozens of times a second; a page
    read under an older version is served until it is that many seconds old, never longer."""
    settings.BOARD_CACHE_FRESH_SECONDS = 2
    clock = {"t": 1_000.0}
    monkeypatch.setattr(board_cache, "_now", lambda: clock["t"])
    assert board(competition) == [("alice", 0.9), ("bob", 0.8)]  # read at t=1000
    scored(participant(competition, "carl"), competition, 0.95, 0.5)  # bumps on commit
    clock["t"] += 1.5
    assert board(competition)[0] == ("alice", 0.9)  # 1.5 s old: still served
    assert board_cache.cached_board_size(competition=competition) == 3  # never read before
    clock["t"] += 0.6
    assert board(competition)[0] == ("carl", 0.95)  # 2.1 s old: read again, under the new version
    clock["t"] += 30
    assert board(competition)[0] == ("carl", 0.95)  # current version: served, whatever its age


def test_with_no_fresh_window_a_change_shows_at_once(competition, settings):
    settings.BOARD_CACHE_FRESH_SECONDS = 0
    assert board(competition)[0] == ("alice", 0.9)
    scored(participant(competition, "carl"), competition, 0.95, 0.5)
    assert board(competition)[0] == ("carl", 0.95)
