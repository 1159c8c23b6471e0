"""leaderboards.signals: what drops a board's cached pages besides the scoring services. Here: a
user renamed (the members column shows usernames), through the admin (where usernames change)
and through a plain save; every board that shows the user drops its pages once the rename
commits, and nothing else does (another competition's board, a login, a rollback)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.db import transaction
from django.urls import reverse

from podium.core.timeutils import now
from podium.leaderboards import cache as board_cache
from tests.podium.factories import competition_with_solution, participant, scored, superuser

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit runs for real


def members(competition) -> list[list[str]]:
    rows = board_cache.cached_public_board(competition=competition, offset=0, limit=100)
    return [r.members for r in rows]


@pytest.fixture
def boards():
    """Two competitions alice is on, and one she is not."""
    first, second, other = (competition_with_solution(rows=40) for _ in range(3))
    earlier = now() - timedelta(hours=1)
    for competition in (first, second):
        scored(participant(competition, "alice"), competition, 0.9, 0.5, at=earlier)
    scored(participant(other, "bob"), other, 0.8, 0.6, at=earlier)
    return first, second, other


def test_a_rename_in_the_admin_shows_on_every_board_of_the_user(client, boards):
    first, second, other = boards
    assert members(first) == members(second) == [["alice"]]  # read, so cached
    other_version = board_cache.board_version(other.pk)
    alice = get_user_model().objects.get(username="alice")
    client.force_login(superuser())

    response = client.post(
        reverse("admin:auth_user_change", args=[alice.pk]),
        {
            "username": "alice-liddell",
            "email": alice.email,
            "is_active": "on",
            "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert members(first) == members(second) == [["alice-liddell"]]
    assert board_cache.board_version(other.pk) == other_version


def test_a_saved_rename_drops_the_pages_on_commit_and_a_rollback_drops_nothing(boards):
    first, _, _ = boards
    assert members(first) == [["alice"]]
    alice = get_user_model().objects.get(username="alice")
    with pytest.raises(RuntimeError), transaction.atomic():
        alice.username = "never-committed"
        alice.save()
        raise RuntimeError("rolled back")
    assert members(first) == [["alice"]]

    version = board_cache.board_version(first.pk)
    with transaction.atomic():
        alice.username = "alice2"
        alice.save(update_fields=["username"])
        assert board_cache.board_version(first.pk) == version  # not committed yet
    assert members(first) == [["alice2"]]


def test_saves_that_keep_the_username_keep_the_pages(boards, django_assert_num_queries):
    first, _, _ = boards
    assert members(first) == [["alice"]]
    version = board_cache.board_version(first.pk)
    alice = get_user_model().objects.get(username="alice")

    with django_assert_num_queries(1):  # a login: the UPDATE alone, no look-up
        update_last_login(None, alice)
    alice.first_name = "Alice"
    alice.save()  # a full save: the username read back, unchanged
    get_user_model().objects.create_user("carol")  # a new user is on no board

    assert board_cache.board_version(first.pk) == version
