"""Submissions: upload (multipart, streamed, capped while it streams), list, detail, and the
final selection."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import Client

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.leaderboards.reveal import leaderboard_reveal
from podium.submissions.models import Submission
from podium.teams.models import Team
from tests.podium.api.conftest import error_of
from tests.podium.factories import competition_with_solution, organizer, predictions_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def competition(db):
    return competition_with_solution(
        rows=60, slug="titanic", title="Titanic", daily_submission_limit=3
    )


def upload(client, content: bytes | None = None, competition=None, name="sub.csv", **data):
    if content is None:
        content = predictions_file(competition, quality=0.6).read()
    return client.post(
        "competitions/titanic/submissions/",
        files={"file": (name, content, "text/csv")},
        data=data,
    )


def stored_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_upload_is_scored_and_shows_where_it_is(eager, competition, make_participant):
    alice = make_participant(competition, "alice")
    response = upload(alice, competition=competition, description="  first try ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"{alice.base}/api/v1/submissions/{body['id']}/"
    assert body["competition"] == "titanic" and body["team"] == "alice"
    assert body["submitted_by"] == "alice" and body["file_name"] == "sub.csv"
    assert body["description"] == "first try" and body["is_late"] is False
    assert body["private_score"] is None  # never before the reveal, not even to the team

    detail = alice.get(response.headers["Location"])
    assert detail.status_code == 200
    seen = detail.json()
    stored = Submission.objects.get(pk=body["id"])
    assert seen["status"] == "scored" and stored.status == "scored"
    assert seen["public_score"] == pytest.approx(stored.public_score)
    assert stored.private_score is not None and seen["private_score"] is None
    assert seen["result_message"] and seen["error_code"] == ""
    assert seen["selectable"] is True
    me = alice.get("competitions/titanic/").json()["me"]
    assert (me["submissions_used_today"], me["submissions_left_today"]) == (1, 2)


def test_a_bad_file_fails_with_its_message(eager, competition, make_participant):
    alice = make_participant(competition, "alice")
    response = upload(alice, b"id,nope\n1,2\n")
    assert response.status_code == 201
    seen = alice.get(f"submissions/{response.json()['id']}/").json()
    assert seen["status"] == "failed"
    assert seen["error_code"] and seen["error_message"]
    assert seen["public_score"] is None


def test_list_is_mine_newest_first_and_paginated(competition, make_participant):
    alice, bob = make_participant(competition, "alice"), make_participant(competition, "bob")
    ids = [upload(alice, competition=competition).json()["id"] for _ in range(3)]
    upload(bob, competition=competition)
    first = alice.get("competitions/titanic/submissions/", params={"page_size": 2}).json()
    assert first["count"] == 3
    assert [s["id"] for s in first["results"]] == ids[::-1][:2]
    second = alice.get(first["next"]).json()
    assert [s["id"] for s in second["results"]] == [ids[0]] and second["next"] is None
    assert {s["team"] for s in first["results"] + second["results"]} == {"alice"}
    assert all(s["private_score"] is None for s in first["results"])


def test_another_teams_submission_is_not_found(competition, make_participant, make_user):
    alice, bob = make_participant(competition, "alice"), make_participant(competition, "bob")
    mine = upload(alice, competition=competition).json()["id"]
    for who in (bob, make_user("eve")):
        error = error_of(who.get(f"submissions/{mine}/"), 404, "submission_not_found")
        assert error["message"] == f"You have no submission with id {mine}."
    error_of(alice.get("submissions/999999/"), 404, "submission_not_found")
    host = alice.as_user(organizer(competition))
    assert host.get(f"submissions/{mine}/").json()["team"] == "alice"


def test_daily_limit(competition, make_participant):
    alice = make_participant(competition, "alice")
    for _ in range(3):
        assert upload(alice, competition=competition).status_code == 201
    files = len(stored_files())
    error = error_of(upload(alice, competition=competition), 429, "daily_limit_reached")
    assert error["message"].startswith("Your team has used 3 of 3 submissions today.")
    assert error["details"]["used"] == 3 and error["details"]["limit"] == 3
    assert error["details"]["resets_at"]
    assert Submission.objects.count() == 3 and len(stored_files()) == files


def test_empty_file_and_missing_file(competition, make_participant):
    alice = make_participant(competition, "alice")
    error = error_of(upload(alice, b""), 400, "file_empty")
    assert error["message"] == "The file is empty."
    error = error_of(
        alice.post("competitions/titanic/submissions/", data={"description": "x"}),
        400,
        "invalid_input",
    )
    assert "file" in error["details"]["fields"]
    assert "file:" in error["message"]
    error_of(
        alice.post("competitions/titanic/submissions/", json={"file": "abc"}),
        415,
        "unsupported_media_type",
    )
    assert not Submission.objects.exists()


@pytest.mark.parametrize("size", [200_000, 5_000], ids=["declared-length", "while-streaming"])
def test_an_oversized_upload_is_refused_while_it_streams(competition, make_participant, size):
    Competition.objects.filter(pk=competition.pk).update(submission_max_bytes=2_000)
    alice = make_participant(competition, "alice")
    before = stored_files()
    error = error_of(
        upload(alice, b"id,target\n" + b"1,0.5\n" * (size // 6)), 413, "upload_too_large"
    )
    assert error["details"] == {"limit_bytes": 2_000}
    assert "Compress the file" in error["message"]
    assert not Submission.objects.exists()
    assert stored_files() == before
    # the connection is still usable: a small enough upload passes
    Competition.objects.filter(pk=competition.pk).update(submission_max_bytes=10_000_000)
    assert upload(alice, competition=competition).status_code == 201


def test_not_a_member_and_not_signed_in(competition, make_user, api):
    error = error_of(upload(make_user("eve"), competition=competition), 403, "not_a_participant")
    assert error["message"] == "You have not joined Titanic. Join it and accept its rules first."
    error_of(upload(api, competition=competition), 401, "not_authenticated")
    error_of(make_user("carl").get("competitions/titanic/submissions/"), 403, "not_a_participant")
    assert not Submission.objects.exists()


def test_private_score_after_the_reveal_and_to_organizers(eager, competition, make_participant):
    alice = make_participant(competition, "alice")
    sid = upload(alice, competition=competition).json()["id"]
    stored = Submission.objects.get(pk=sid)
    host = alice.as_user(organizer(competition))
    assert host.get(f"submissions/{sid}/").json()["private_score"] == pytest.approx(
        stored.private_score
    )
    assert alice.get(f"submissions/{sid}/").json()["private_score"] is None
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    competition.refresh_from_db()
    assert leaderboard_reveal(competition=competition) is True
    seen = alice.get(f"submissions/{sid}/").json()
    assert seen["private_score"] == pytest.approx(stored.private_score)
    listed = alice.get("competitions/titanic/submissions/").json()["results"]
    assert listed[0]["private_score"] == pytest.approx(stored.private_score)


def test_final_selection(eager, competition, make_participant):
    alice, bob = make_participant(competition, "alice"), make_participant(competition, "bob")
    a1, a2, a3 = (upload(alice, competition=competition).json()["id"] for _ in range(3))
    theirs = upload(bob, competition=competition).json()["id"]
    state = alice.get("competitions/titanic/final-selection/").json()
    assert state["choosing"] is True and state["limit"] == 2 and state["selected"] == []
    assert state["open"] is True and state["closes_at"]
    response = alice.put("competitions/titanic/final-selection/", json={"submission_ids": [a3, a1]})
    assert response.status_code == 200 and response.json()["selected"] == sorted([a1, a3])
    assert alice.get(f"submissions/{a1}/").json()["selected"] is True

    error = error_of(
        alice.put("competitions/titanic/final-selection/", json={"submission_ids": [a1, a2, a3]}),
        400,
        "final_selection_too_many",
    )
    assert error["message"] == "You can select at most 2 submissions."
    assert error["details"] == {"limit": 2, "selected": 3}
    error = error_of(
        alice.put("competitions/titanic/final-selection/", json={"submission_ids": [theirs]}),
        404,
        "final_selection_not_your_submission",
    )
    assert error["message"] == f"Submission {theirs} is not one of your team's submissions."
    for impossible in (99999999999999999999999, 2**63):  # past the database's range: no crash
        error = error_of(
            alice.put(
                "competitions/titanic/final-selection/", json={"submission_ids": [impossible]}
            ),
            404,
            "final_selection_not_your_submission",
        )
        assert error["message"] == f"Submission {impossible} is not one of your team's submissions."
    error = error_of(
        alice.put("competitions/titanic/final-selection/", json={"submission_ids": "nope"}),
        400,
        "invalid_input",
    )
    assert "submission_ids" in error["details"]["fields"]
    assert alice.get("competitions/titanic/final-selection/").json()["selected"] == sorted(
        [a1, a3]
    )  # the refusals changed nothing
    cleared = alice.put("competitions/titanic/final-selection/", json={"submission_ids": []})
    assert cleared.json()["selected"] == []

    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    error = error_of(
        alice.put("competitions/titanic/final-selection/", json={"submission_ids": [a1]}),
        409,
        "final_selection_closed",
    )
    assert error["message"] == (
        "The competition has ended: the final selection can no longer be changed."
    )


def test_refusals_of_the_submission_rules(competition, make_participant):
    alice = make_participant(competition, "alice")
    Competition.objects.filter(pk=competition.pk).update(total_submission_limit=1)
    assert upload(alice, competition=competition).status_code == 201
    error = error_of(upload(alice, competition=competition), 429, "total_limit_reached")
    assert error["message"] == "Your team has used all 1 submissions this competition allows."
    assert error["details"] == {"used": 1, "limit": 1}

    Team.objects.filter(name="alice").update(
        disqualified_at=now(), disqualification_reason="shared accounts"
    )
    error = error_of(upload(alice, competition=competition), 403, "team_disqualified")
    assert error["message"] == "Your team was disqualified: shared accounts."

    Competition.objects.filter(pk=competition.pk).update(start_at=now() + timedelta(days=2))
    bob = make_participant(competition, "bob")
    error = error_of(upload(bob, competition=competition), 400, "competition_not_started")
    assert error["message"].startswith("Titanic opens for submissions in")
    assert Submission.objects.count() == 1


def test_a_late_submission_is_scored_but_not_selectable(eager, competition, make_participant):
    alice = make_participant(competition, "alice")
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    response = upload(alice, competition=competition)
    assert response.status_code == 201
    seen = alice.get(response.headers["Location"]).json()
    assert seen["is_late"] is True and seen["status"] == "scored"
    assert seen["selectable"] is False and seen["private_score"] is None


def test_a_session_upload_is_capped_at_the_competition_limit_while_it_streams(
    competition, make_participant, live_server
):
    """The web UI's own calls (session + CSRF): the CSRF check reads the form before the view
    runs, so the competition's cap must be set before it (SubmissionListApi.initial)."""
    Competition.objects.filter(pk=competition.pk).update(submission_max_bytes=2_000)
    alice = make_participant(competition, "alice")
    browser = Client()
    browser.force_login(alice.user)
    secret = "c" * 32
    session = requests.Session()
    session.cookies.set("sessionid", browser.cookies["sessionid"].value)
    session.cookies.set("csrftoken", secret)
    response = session.post(
        f"{live_server.url}/api/v1/competitions/titanic/submissions/",
        files={"file": ("sub.csv", b"id,target\n" + b"1,0.5\n" * 40_000, "text/csv")},
        headers={"X-CSRFToken": secret},
        timeout=60,
    )
    error = error_of(response, 413, "upload_too_large")
    assert error["details"] == {"limit_bytes": 2_000}
    assert not Submission.objects.exists()
