"""Competitions: the list and its filters, one competition, its data files, joining."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.core.files.base import ContentFile

from podium.competitions.models import Competition, RuleAcceptance
from podium.competitions.services import data_file_create
from podium.core.timeutils import now
from podium.teams.models import Membership
from tests.podium.api.conftest import error_of
from tests.podium.factories import CompetitionFactory, competition_with_solution, organizer

pytestmark = pytest.mark.django_db(transaction=True)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["slug"] for c in response.json()["results"]]


@pytest.fixture
def several(db):
    moment = now()
    return {
        "active": CompetitionFactory(
            slug="titanic", title="Titanic survival", subtitle="Who lived"
        ),
        "upcoming": CompetitionFactory(
            slug="houses", title="House prices", start_at=moment + timedelta(days=2)
        ),
        "closed": CompetitionFactory(
            slug="digits",
            title="Digits",
            start_at=moment - timedelta(days=9),
            end_at=moment - timedelta(days=1),
        ),
        "revealed": CompetitionFactory(
            slug="iris",
            title="Iris",
            start_at=moment - timedelta(days=9),
            end_at=moment - timedelta(days=2),
            private_revealed_at=moment - timedelta(days=1),
        ),
        "secret": CompetitionFactory(
            slug="secret", title="Secret", visibility=Competition.Visibility.INVITE_ONLY
        ),
    }


def test_list_in_order_without_invite_only_ones(api, several):
    response = api.get("competitions/")
    body = response.json()
    assert body["count"] == 4
    assert slugs(response) == ["titanic", "houses", "digits", "iris"]
    first = body["results"][0]
    assert first == {
        "slug": "titanic",
        "title": "Titanic survival",
        "subtitle": "Who lived",
        "metric": "roc_auc",
        "metric_name": "ROC AUC",
        "metric_description": "Area under the ROC curve; ties count one half",
        "state": "active",
        "start_at": first["start_at"],
        "end_at": first["end_at"],
        "team_count": 0,
        "invite_only": False,
    }
    assert [c["state"] for c in body["results"]] == ["active", "upcoming", "closed", "revealed"]


def test_list_filters_by_state_and_search(api, several):
    assert slugs(api.get("competitions/", params={"state": "active"})) == ["titanic"]
    assert slugs(api.get("competitions/", params={"state": "upcoming"})) == ["houses"]
    assert slugs(api.get("competitions/", params={"state": "closed"})) == ["digits", "iris"]
    assert slugs(api.get("competitions/", params={"search": "LIVED"})) == ["titanic"]
    assert slugs(api.get("competitions/", params={"search": "price"})) == ["houses"]
    assert slugs(api.get("competitions/", params={"search": "secret"})) == []
    assert slugs(api.get("competitions/", params={"search": "i", "state": "closed"})) == [
        "digits",
        "iris",
    ]


def test_list_refuses_an_unknown_state(api, several):
    error = error_of(api.get("competitions/", params={"state": "bogus"}), 400, "invalid_input")
    assert "state" in error["details"]["fields"]


def test_list_is_paginated(api, several):
    first = api.get("competitions/", params={"page_size": 3}).json()
    assert first["count"] == 4 and len(first["results"]) == 3 and first["previous"] is None
    assert "page=2" in first["next"] and "page_size=3" in first["next"]
    second = api.get(first["next"]).json()
    assert [c["slug"] for c in second["results"]] == ["iris"] and second["next"] is None
    error_of(api.get("competitions/", params={"page": 9}), 404, "not_found")


def test_invite_only_competition_shows_to_its_people_only(api, several, make_user):
    secret = several["secret"]
    error = error_of(api.get("competitions/secret/"), 404, "competition_not_found")
    assert error["message"] == "There is no competition called 'secret'."
    # the same 404 as a competition that does not exist, for its files and joining too
    assert error_of(api.get("competitions/nope/"), 404, "competition_not_found")["message"] == (
        "There is no competition called 'nope'."
    )
    eve = make_user("eve")
    error_of(eve.get("competitions/secret/"), 404, "competition_not_found")
    error_of(eve.get("competitions/secret/files/"), 404, "competition_not_found")
    error_of(eve.post("competitions/secret/join/"), 404, "competition_not_found")
    assert not Membership.objects.filter(user=eve.user).exists()
    # invited: visible, in the list too
    secret.invited_users.add(eve.user)
    assert eve.get("competitions/secret/").status_code == 200
    assert "secret" in slugs(eve.get("competitions/"))


def test_detail_and_where_i_stand(api, make_user):
    competition = competition_with_solution(
        slug="titanic", daily_submission_limit=3, score_display_precision=4
    )
    anonymous = api.get("competitions/titanic/").json()
    assert anonymous["slug"] == "titanic" and anonymous["metric"] == "roc_auc"
    assert anonymous["greater_is_better"] is True and anonymous["private_revealed"] is False
    assert anonymous["daily_submission_limit"] == 3 and anonymous["team_count"] == 0
    assert anonymous["url"].endswith("/competitions/titanic/")
    assert anonymous["me"] == {
        "joined": False,
        "accepted_rules": False,
        "is_organizer": False,
        "team": None,
        "submissions_left_today": None,
        "submissions_used_today": None,
        "quota_resets_at": None,
    }
    alice = make_user("alice")
    assert alice.post("competitions/titanic/join/").status_code == 201
    me = alice.get("competitions/titanic/").json()["me"]
    assert me["joined"] is True and me["accepted_rules"] is True and me["team"] == "alice"
    assert me["submissions_left_today"] == 3 and me["submissions_used_today"] == 0
    assert me["quota_resets_at"] is not None
    host = api.as_user(organizer(competition))
    assert host.get("competitions/titanic/").json()["me"]["is_organizer"] is True


def test_files_list_to_anyone_who_sees_the_competition(api, competition):
    response = api.get(f"competitions/{competition.slug}/files/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [data_file] = body["results"]
    assert data_file["name"] == "sample_submission.csv"
    assert data_file["kind"] == "sample_submission"
    stored = competition.data_files.get()
    assert data_file["size"] == stored.size and data_file["sha256"] == stored.sha256
    assert data_file["url"] == (
        f"{api.base}/api/v1/competitions/{competition.slug}/files/sample_submission.csv"
    )


def test_download_needs_the_rules_accepted(api, competition, make_user):
    url = f"competitions/{competition.slug}/files/sample_submission.csv"
    error_of(api.get(url), 401, "not_authenticated")
    eve = make_user("eve")
    error = error_of(eve.get(url), 403, "rules_not_accepted")
    assert "accept its rules first" in error["message"]


def test_download_after_joining_streams_the_exact_bytes(competition, make_participant):
    content = b"id,feature\n" + b"".join(f"{i},{i * 7 % 13}\n".encode() for i in range(5000))
    data_file_create(
        competition=competition,
        kind="train",
        name="train.csv",
        file=ContentFile(content, name="train.csv"),
    )
    alice = make_participant(competition, "alice")
    response = alice.get(f"competitions/{competition.slug}/files/train.csv")
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    assert 'attachment; filename="train.csv"' in response.headers["Content-Disposition"]
    modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert abs((modified - now()).total_seconds()) < 3600
    error = error_of(
        alice.get(f"competitions/{competition.slug}/files/nope.csv"), 404, "data_file_not_found"
    )
    assert "'nope.csv'" in error["message"]


def test_join_is_idempotent_and_refused_after_the_end(competition, make_user):
    alice = make_user("alice")
    first = alice.post(f"competitions/{competition.slug}/join/")
    assert first.status_code == 201 and first.json()["team"] == "alice"
    again = alice.post(f"competitions/{competition.slug}/join/")
    assert again.json() == first.json()
    assert Membership.objects.filter(user=alice.user).count() == 1

    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    late = make_user("late")
    error = error_of(late.post(f"competitions/{competition.slug}/join/"), 400, "competition_ended")
    assert error["message"] == f"{competition.title} has ended."
    assert not Membership.objects.filter(user=late.user).exists()


def test_join_after_the_entry_deadline(competition, make_user):
    Competition.objects.filter(pk=competition.pk).update(entry_deadline=now() - timedelta(hours=1))
    error = error_of(
        make_user().post(f"competitions/{competition.slug}/join/"), 400, "entry_deadline_passed"
    )
    assert "entry deadline" in error["message"]


def test_rules_accept_without_joining(api, competition, make_user):
    error_of(api.post(f"competitions/{competition.slug}/rules/accept/"), 401, "not_authenticated")
    eve = make_user("eve")
    response = eve.post(f"competitions/{competition.slug}/rules/accept/")
    assert response.status_code == 200 and response.json()["accepted_at"]
    again = eve.post(f"competitions/{competition.slug}/rules/accept/")
    assert again.json() == response.json()  # idempotent: the first acceptance stays
    assert RuleAcceptance.objects.filter(user=eve.user).count() == 1
    me = eve.get(f"competitions/{competition.slug}/").json()["me"]
    assert me["accepted_rules"] is True and me["joined"] is False
    # the files open now, though no team was joined
    url = f"competitions/{competition.slug}/files/sample_submission.csv"
    assert eve.get(url).status_code == 200


def test_list_and_detail_name_the_metric(api):
    CompetitionFactory(slug="houses", metric="rmse")
    CompetitionFactory(
        slug="mine",
        metric="custom",
        custom_metric_higher_is_better=False,
        metric_display_name="Weighted pinball loss",
        metric_description="Quantile loss over the 9 deciles, weighted by sales",
    )
    listed = {c["slug"]: c for c in api.get("competitions/").json()["results"]}
    assert listed["houses"]["metric"] == "rmse"
    assert listed["houses"]["metric_name"] == "Root mean squared error (RMSE)"
    assert listed["houses"]["metric_description"].startswith("Square root of the mean")
    assert listed["mine"]["metric"] == "custom"
    assert listed["mine"]["metric_name"] == "Weighted pinball loss"
    detail = api.get("competitions/mine/").json()
    assert detail["metric"] == "custom" and detail["metric_name"] == "Weighted pinball loss"
    assert detail["metric_description"].startswith("Quantile loss")
    assert detail["greater_is_better"] is False
    assert api.get("competitions/houses/").json()["metric_name"].endswith("(RMSE)")
