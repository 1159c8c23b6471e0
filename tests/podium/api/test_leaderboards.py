"""The boards: public (paginated), private (404 until the reveal, its organizers before), and
the caller's team's rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards.reveal import leaderboard_reveal
from podium.leaderboards.services import private_board_build
from podium.teams.models import Team
from tests.podium.api.conftest import error_of
from tests.podium.factories import competition_with_solution, organizer, participant, scored

pytestmark = pytest.mark.django_db(transaction=True)

SCORES = {"alice": (0.91, 0.61), "bob": (0.82, 0.72), "carl": (0.73, 0.93)}


@pytest.fixture
def competition(db):
    competition = competition_with_solution(
        rows=40, slug="titanic", title="Titanic", score_display_precision=3
    )
    for name, (public, private) in SCORES.items():
        scored(
            participant(competition, name),
            competition,
            public,
            private,
            at=now() - timedelta(hours=1),
        )
    return competition


def reveal(competition) -> None:
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    competition.refresh_from_db()
    assert leaderboard_reveal(competition=competition) is True


def test_public_board_paginated(api, competition):
    response = api.get("competitions/titanic/leaderboard/", params={"page_size": 2})
    assert response.status_code == 200
    first = response.json()
    assert first["count"] == 3 and first["previous"] is None
    assert [(r["rank"], r["team"], r["score"]) for r in first["results"]] == [
        (1, "alice", 0.91),
        (2, "bob", 0.82),
    ]
    row = first["results"][0]
    assert row["score_display"] == "0.910" and row["members"] == ["alice"]
    assert row["entries"] == 1 and row["is_baseline"] is False
    assert row["team_id"] == Team.objects.get(name="alice").pk
    assert "private" not in str(first).lower()
    second = api.get(first["next"]).json()
    assert [(r["rank"], r["team"]) for r in second["results"]] == [(3, "carl")]
    assert second["next"] is None and second["previous"]
    error_of(api.get("competitions/titanic/leaderboard/", params={"page": 5}), 404, "not_found")
    error_of(api.get("competitions/nope/leaderboard/"), 404, "competition_not_found")


def test_private_board_is_not_found_before_the_reveal(api, competition, make_participant):
    private_board_build(competition=competition)  # built early: still hidden
    for who in (api, api.as_user(Team.objects.get(name="alice").leader)):
        error = error_of(
            who.get("competitions/titanic/leaderboard/private/"),
            404,
            "private_leaderboard_not_revealed",
        )
        assert error["message"] == "The private leaderboard is revealed when the competition ends."
        for value in ("0.61", "0.72", "0.93"):
            assert value not in str(error)


def test_organizers_see_the_private_board_before_the_reveal(api, competition):
    private_board_build(competition=competition)
    host = api.as_user(organizer(competition))
    response = host.get("competitions/titanic/leaderboard/private/")
    assert response.status_code == 200
    assert [(r["team"], r["private_score"]) for r in response.json()["results"]] == [
        ("carl", 0.93),
        ("bob", 0.72),
        ("alice", 0.61),
    ]
    other_host = api.as_user(organizer(competition_with_solution()))
    error_of(
        other_host.get("competitions/titanic/leaderboard/private/"),
        404,
        "private_leaderboard_not_revealed",
    )


def test_private_board_after_the_reveal_with_moves(api, competition):
    reveal(competition)
    response = api.get("competitions/titanic/leaderboard/private/", params={"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["next"]
    rows = body["results"] + api.get(body["next"]).json()["results"]
    assert [
        (
            r["rank"],
            r["team"],
            r["private_score"],
            r["private_display"],
            r["public_rank"],
            r["public_score"],
            r["move"],
        )
        for r in rows
    ] == [
        (1, "carl", 0.93, "0.930", 3, 0.73, 2),
        (2, "bob", 0.72, "0.720", 2, 0.82, 0),
        (3, "alice", 0.61, "0.610", 1, 0.91, -2),
    ]
    assert rows[0]["members"] == ["carl"] and rows[0]["submission_id"]


def test_my_rows(api, competition, make_user):
    bob = api.as_user(Team.objects.get(name="bob").leader)
    mine = bob.get("competitions/titanic/leaderboard/me/")
    assert mine.status_code == 200
    body = mine.json()
    assert body["team"] == "bob" and body["board_size"] == 3 and body["private"] is None
    assert body["public"]["rank"] == 2 and body["public"]["score"] == 0.82
    assert body["public"]["score_display"] == "0.820" and body["public"]["entries"] == 1
    assert "0.72" not in mine.text

    error_of(make_user("eve").get("competitions/titanic/leaderboard/me/"), 403, "not_a_participant")
    error_of(api.get("competitions/titanic/leaderboard/me/"), 401, "not_authenticated")
    dora = api.as_user(participant(competition, "dora"))  # joined, no submission yet
    body = dora.get("competitions/titanic/leaderboard/me/").json()
    assert body["public"] is None and body["private"] is None and body["team"] == "dora"

    reveal(competition)
    body = bob.get("competitions/titanic/leaderboard/me/").json()
    assert body["private"]["rank"] == 2 and body["private"]["private_score"] == 0.72
    assert body["private"]["move"] == 0


def test_a_disqualified_team_has_no_public_row(api, competition):
    Team.objects.filter(name="alice").update(disqualified_at=now(), disqualification_reason="x")
    alice = api.as_user(Team.objects.get(name="alice").leader)
    assert alice.get("competitions/titanic/leaderboard/me/").json()["public"] is None
    teams = [r["team"] for r in api.get("competitions/titanic/leaderboard/").json()["results"]]
    assert "alice" not in teams


def test_baseline_teams_are_ranked_but_take_no_prize_rank(api, competition):
    baseline = participant(competition, "baseline")
    scored(baseline, competition, 0.85, 0.95, at=now() - timedelta(hours=1))
    Team.objects.filter(name="baseline").update(is_baseline=True)
    reveal(competition)
    rows = api.get("competitions/titanic/leaderboard/private/", params={"page_size": 2}).json()
    rows = rows["results"] + api.get(rows["next"]).json()["results"]
    assert [(r["rank"], r["team"], r["is_baseline"], r["prize_rank"]) for r in rows] == [
        (1, "baseline", True, None),
        (2, "carl", False, 1),
        (3, "bob", False, 2),
        (4, "alice", False, 3),
    ]  # the second page counts the Baseline team above it too
    alice = api.as_user(Team.objects.get(name="alice").leader)
    mine = alice.get("competitions/titanic/leaderboard/me/").json()["private"]
    assert mine["rank"] == 4 and mine["prize_rank"] == 3


# -- keyset pages (``?cursor=``) ------------------------------------------------------------------


def test_public_board_keyset_pages_walk_the_board_as_the_page_numbers_do(api, competition):
    first = api.get("competitions/titanic/leaderboard/", params={"cursor": "", "page_size": 2})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["count"] == 3 and body["previous"] is None
    assert [(r["rank"], r["team"]) for r in body["results"]] == [(1, "alice"), (2, "bob")]
    assert "cursor=" in body["next"] and "page_size=2" in body["next"]
    second = api.get(body["next"]).json()
    assert [(r["rank"], r["team"], r["score"]) for r in second["results"]] == [(3, "carl", 0.73)]
    assert second["next"] is None
    numbered = api.get("competitions/titanic/leaderboard/", params={"page_size": 3}).json()
    assert body["results"] + second["results"] == numbered["results"]


def test_a_keyset_page_after_a_new_score_continues_from_its_cursor(api, competition):
    body = api.get("competitions/titanic/leaderboard/", params={"cursor": "", "page_size": 1})
    after_alice = body.json()["next"]
    scored(participant(competition, "dora"), competition, 0.5, 0.5)
    rest = api.get(after_alice.replace("page_size=1", "page_size=10")).json()
    assert [(r["rank"], r["team"]) for r in rest["results"]] == [
        (2, "bob"),
        (3, "carl"),
        (4, "dora"),
    ]
    assert rest["count"] == 4  # the cached size was dropped with the board's version


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "W10:1abc:xyz", "eyJhIjoxfQ:1t2u3v:" + "A" * 43, "%00"],
)
def test_a_bad_cursor_is_a_400_with_its_code(api, competition, cursor):
    response = api.get("competitions/titanic/leaderboard/", params={"cursor": cursor})
    error_of(response, 400, "invalid_board_cursor")


def test_a_cursor_of_another_board_or_tampered_with_is_refused(api, competition):
    other = competition_with_solution(rows=40, slug="other")
    scored(participant(other, "olga"), other, 0.5, 0.5)
    scored(participant(other, "oleg"), other, 0.4, 0.4)
    body = api.get("competitions/other/leaderboard/", params={"cursor": "", "page_size": 1})
    foreign = body.json()["next"].split("cursor=")[1].split("&")[0]
    response = api.get("competitions/titanic/leaderboard/", params={"cursor": foreign})
    error_of(response, 400, "invalid_board_cursor")
    tampered = foreign[:-2] + ("AA" if not foreign.endswith("AA") else "BB")
    response = api.get("competitions/other/leaderboard/", params={"cursor": tampered})
    error_of(response, 400, "invalid_board_cursor")


def test_a_deep_keyset_page_reads_no_offset(competition):
    """A keyset page starts at its key in the board's index: no OFFSET, however deep."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from podium.leaderboards.selectors import public_board_after

    _, key = public_board_after(competition=competition, after=None, limit=1)
    with CaptureQueriesContext(connection) as top:
        public_board_after(competition=competition, after=None, limit=1)
    with CaptureQueriesContext(connection) as deep:
        rows, last = public_board_after(competition=competition, after=key, limit=1)
    assert [r.rank for r in rows] == [2] and last.rank == 2
    assert len(deep.captured_queries) == len(top.captured_queries)
    assert not [q for q in deep.captured_queries if "OFFSET" in q["sql"].upper()]


def test_the_public_board_body_is_cached_per_version_and_url(api, competition, monkeypatch):
    """The whole JSON body is cached (api/views/leaderboards.py): a hit renders nothing; a new
    score drops it; another URL (its page size, its host in the links) is a body of its own; a
    parameter the board does not take is answered, uncached."""
    from podium.api.views import leaderboards as view

    renders = []
    real = view.PublicRowOutput.to_representation
    monkeypatch.setattr(
        view.PublicRowOutput,
        "to_representation",
        lambda self, row: renders.append(row) or real(self, row),
    )
    first = api.get("competitions/titanic/leaderboard/", params={"page_size": 2})
    assert len(renders) == 2
    again = api.get("competitions/titanic/leaderboard/", params={"page_size": 2})
    assert again.content == first.content and len(renders) == 2  # from the cache
    assert again.headers["Content-Type"] == "application/json"
    other = api.get("competitions/titanic/leaderboard/", params={"page_size": 3})
    assert len(other.json()["results"]) == 3 and len(renders) == 5
    junk = api.get("competitions/titanic/leaderboard/", params={"page_size": 2, "x": "1"})
    assert junk.json()["results"] == first.json()["results"] and len(renders) == 7
    api.get("competitions/titanic/leaderboard/", params={"page_size": 2, "x": "1"})
    assert len(renders) == 9  # never cached

    scored(participant(competition, "dora"), competition, 0.99, 0.5)
    fresh = api.get("competitions/titanic/leaderboard/", params={"page_size": 2}).json()
    assert [r["team"] for r in fresh["results"]] == ["dora", "alice"] and fresh["count"] == 4
