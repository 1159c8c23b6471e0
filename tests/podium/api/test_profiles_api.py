"""/api/v1/users/<username>/ and /api/v1/rankings/: a profile's tier, rank, medals and final
results; the ranking in the API's one page shape."""

from __future__ import annotations

import pytest

from podium.competitions.models import Competition
from podium.progression.services import competition_awards_compute
from tests.podium.api.conftest import error_of
from tests.podium.progression.helpers import board_of, reveal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def revealed(db):
    competition, users = board_of(10)
    reveal(competition)
    competition_awards_compute(competition.pk)
    return competition


def test_a_profile(api, revealed):
    body = api.get("users/p0/").json()
    assert body["username"] == "p0" and body["tier"] == "contributor"
    assert (body["rank"], body["ranked_users"]) == (1, 10)
    assert body["medals"] == {"gold": 1, "silver": 0, "bronze": 0}
    assert body["competitions"] == 1 and body["solo_competitions"] == 1
    [result] = body["results"]
    assert result["competition"] == revealed.slug and result["medal"] == "gold"
    assert (result["rank"], result["teams"], result["teammates"]) == (1, 10, 1)
    assert api.get("users/p9/").json()["results"][0]["medal"] is None


def test_an_unknown_user(api, db):
    error_of(api.get("users/nobody/"), 404, "profile_not_found")


def test_results_of_a_competition_the_caller_may_not_see_are_left_out(api, revealed):
    Competition.objects.filter(pk=revealed.pk).update(visibility=Competition.Visibility.INVITE_ONLY)
    assert api.get("users/p0/").json()["results"] == []


def test_nothing_before_the_reveal(api, db):
    board_of(3)
    body = api.get("users/p0/").json()
    assert body["results"] == [] and body["rank"] is None and body["points"] == 0.0


def test_the_ranking_is_paged(api, revealed):
    first = api.get("rankings/", params={"page_size": 4}).json()
    assert first["count"] == 10 and first["next"] and first["previous"] is None
    assert [r["username"] for r in first["results"]] == ["p0", "p1", "p2", "p3"]
    assert [r["rank"] for r in first["results"]] == [1, 2, 3, 4]
    last = api.get("rankings/", params={"page_size": 4, "page": 3}).json()
    assert [r["rank"] for r in last["results"]] == [9, 10]
    assert first["results"][0]["gold"] == 1 and first["results"][0]["points"] > 0


def test_in_the_schema(api, db):
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/users/{username}/" in schema["paths"]
    assert "/api/v1/rankings/" in schema["paths"]
