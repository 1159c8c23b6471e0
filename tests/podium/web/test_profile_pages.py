"""The public profile (/users/<username>/), the site ranking (/rankings/), the bio form and the
last-seen mark: through Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from podium.accounts.last_seen import last_seen_touch
from podium.accounts.models import Profile
from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.progression.models import UserStanding
from podium.progression.services import competition_awards_compute
from tests.podium.factories import UserFactory, participant, scored
from tests.podium.progression.helpers import board_of, ended, reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def revealed():
    """Ten solo teams, revealed and awarded: p0 gold, p1 silver, p2 and p3 bronze."""
    competition, users = board_of(10)
    reveal(competition)
    competition_awards_compute(competition.pk)
    return competition, users


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_profile_shows_tier_rank_medals_and_results(client, revealed, settings):
    competition, users = revealed
    settings.PODIUM_TIERS = {"master": {"gold": 1}}
    competition_awards_compute(competition.pk)
    page = client.get(reverse("web:user_profile", args=["p0"]))
    assert page.status_code == 200
    body = text(page)
    assert 'id="tier">Master</span>' in body
    assert "rank 1 of 10" in body
    assert 'class="medal gold" title="Gold medals">1</span>' in body
    assert competition.title in body and "#1</strong> <small>of 10</small>" in body
    assert "1 competition (1 solo, 0 in teams)" in body
    third = text(client.get(reverse("web:user_profile", args=["p2"])))
    assert "rank 3 of 10" in third and '<span class="medal bronze">Bronze</span>' in third


def test_nothing_private_before_the_reveal(client):
    competition, users = board_of(3)
    body = text(client.get(reverse("web:user_profile", args=["p0"])))
    assert competition.title not in body and "No final result yet" in body
    assert "rank " not in body.split("<main")[1].split("</section>")[0]


def test_a_result_in_a_competition_the_viewer_may_not_see_is_not_shown(client, revealed):
    competition, _ = revealed
    Competition.objects.filter(pk=competition.pk).update(
        visibility=Competition.Visibility.INVITE_ONLY
    )
    assert competition.title not in text(client.get(reverse("web:user_profile", args=["p0"])))
    client.force_login(UserFactory(username="p1"))  # a member of one of its teams
    assert competition.title in text(client.get(reverse("web:user_profile", args=["p0"])))


def test_an_unknown_user_is_a_404(client):
    assert client.get(reverse("web:user_profile", args=["nobody"])).status_code == 404


def test_the_bio_is_escaped(client):
    ada = UserFactory(username="ada")
    client.force_login(ada)
    response = client.post(reverse("web:profile_bio"), {"bio": "<script>x()</script> hi"})
    assert response.status_code == 302
    body = client.get(reverse("web:user_profile", args=["ada"])).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt; hi" in body and "<script>x()" not in body
    assert 'id="account-link"' in body  # one's own profile links the account page
    client.post(reverse("web:profile_bio"), {"bio": "x" * 2001})
    assert Profile.objects.get(user=ada).bio.endswith("hi")  # refused: kept as it was


def test_the_tabs_answer(client, revealed):
    for tab in ("discussion", "kernels", "junk"):
        page = client.get(reverse("web:user_profile", args=["p0"]), {"tab": tab})
        assert page.status_code == 200


def test_the_ranking_is_paged(client, revealed, monkeypatch):
    monkeypatch.setattr("podium.progression.selectors.RANKING_PAGE_SIZE", 4)
    first = text(client.get(reverse("web:rankings")))
    assert "Page 1 of 3 (10 ranked users)" in first
    assert first.index(">p0</a>") < first.index(">p3</a>") and ">p4</a>" not in first
    last = text(client.get(reverse("web:rankings"), {"page": "99"}))
    assert ">p8</a>" in last and ">p9</a>" in last and ">p0</a>" not in last
    assert client.get(reverse("web:rankings"), {"page": "x"}).status_code == 200


def test_the_nav_links_the_ranking_and_ones_profile(client):
    client.force_login(UserFactory(username="ada"))
    body = client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("web:rankings")}"' in body
    assert f'href="{reverse("web:user_profile", args=["ada"])}"' in body


def test_last_seen_is_written_at_most_every_five_minutes(client):
    from django.core.cache import cache

    ada = UserFactory(username="ada")
    cache.delete(f"last-seen:{ada.pk}")
    client.force_login(ada)
    client.get(reverse("web:home"))
    first = Profile.objects.get(user=ada).last_seen_at
    assert first is not None and now() - first < timedelta(minutes=1)
    assert last_seen_touch(ada) is False  # within five minutes: no write
    body = text(client.get(reverse("web:user_profile", args=["ada"])))
    assert "last seen just now" in body
    cache.delete(f"last-seen:{ada.pk}")
    assert last_seen_touch(ada) is True


def test_a_page_view_within_the_window_writes_nothing(client, django_assert_num_queries):
    from django.core.cache import cache

    ada = UserFactory(username="ada")
    cache.delete(f"last-seen:{ada.pk}")
    assert last_seen_touch(ada) is True
    with django_assert_num_queries(0):
        assert last_seen_touch(ada) is False


def test_points_and_rank_follow_a_later_competition(client, revealed):
    competition, users = board_of(10, prefix="q", end=False)
    star = users[9]
    participant(competition, "p9")
    scored(UserFactory(username="p9"), competition, 0.5, 0.9999)
    competition = ended(competition)
    reveal(competition)
    competition_awards_compute(competition.pk)
    standing = UserStanding.objects.get(user__username="p9")
    assert standing.competitions == 2 and standing.gold == 1
    assert star.username == "q9"
    body = text(client.get(reverse("web:user_profile", args=["p9"])))
    assert "2 competitions (2 solo, 0 in teams)" in body


def test_a_cache_away_after_the_view_never_turns_its_answer_into_an_error(client, monkeypatch):
    """Redis' errors are not ConnectionError subclasses: an upload that committed must not be
    answered 503 because recording "last seen" failed afterwards."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from podium.accounts import last_seen

    def away(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379")

    ada = UserFactory(username="ada")
    client.force_login(ada)
    monkeypatch.setattr(last_seen.cache, "get", away)
    assert last_seen_touch(ada) is False
    assert client.get(reverse("web:home")).status_code == 200
