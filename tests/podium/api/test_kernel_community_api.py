"""The kernels' community API: the published list (sort, mine), votes, comments and "Copy &
edit", with the API's one error shape; never a private score."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from podium.kernels.models import KernelRun, KernelVote
from podium.kernels.services import kernel_settings_update
from podium.notifications.models import Notification
from tests.podium.factories import competition_with_solution, organizer, participant, scored
from tests.podium.kernels.community_helpers import finished_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    return competition_with_solution(title="API Cup")


@pytest.fixture
def alice(competition):
    return participant(competition, "alice")


@pytest.fixture
def bob(competition):
    return participant(competition, "bob")


def client_of(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    found = response.json()["error"]
    assert set(found) == {"code", "message", "details"} and found["code"] == code
    return found


def test_the_published_list_sorts_and_filters_mine(competition, alice, bob):
    voted = finished_run(alice, competition, title="voted", days_ago=2)
    best = finished_run(
        bob, competition, title="best", days_ago=3, submission=scored(bob, competition, 0.9, 0.44)
    )
    finished_run(alice, competition, title="draft", published=False)
    client_of(bob).post(f"/api/v1/kernels/{voted.pk}/vote/")
    path = f"/api/v1/competitions/{competition.slug}/kernels/published/"

    listed = client_of().get(path).json()
    assert listed["count"] == 2
    first = listed["results"][0]
    assert first["title"] == "voted" and first["author"] == "alice" and first["vote_count"] == 1
    assert first["comment_count"] == 0 and first["voted"] is False and first["forked_from"] is None
    by_score = client_of(alice).get(path + "?sort=score").json()["results"]
    assert [r["title"] for r in by_score] == ["best", "voted"]
    assert by_score[0]["public_score"] == 0.9 and "0.44" not in str(by_score)
    assert best.pk == by_score[0]["id"]
    recent = client_of(alice).get(path + "?sort=recent").json()["results"]
    assert [r["title"] for r in recent] == ["voted", "best"]
    mine = client_of(alice).get(path + "?mine=true&sort=recent").json()["results"]
    assert [r["title"] for r in mine] == ["draft", "voted"]
    assert client_of().get(path + "?mine=true").json()["count"] == 0


def test_vote_withdraw_and_refusals(competition, alice, bob):
    run = finished_run(alice, competition)
    path = f"/api/v1/kernels/{run.pk}/vote/"
    assert client_of(bob).post(path).json() == {"vote_count": 1, "voted": True}
    assert client_of(bob).post(path).json() == {"vote_count": 1, "voted": True}
    assert client_of(bob).delete(path).json() == {"vote_count": 0, "voted": False}
    error(client_of(alice).post(path), 403, "kernel_own_vote")
    assert client_of().post(path).status_code in (401, 403)
    draft = finished_run(alice, competition, published=False)
    error(client_of(bob).post(f"/api/v1/kernels/{draft.pk}/vote/"), 404, "kernel_not_found")
    cohost = organizer(competition, "cohost")
    error(client_of(cohost).post(f"/api/v1/kernels/{draft.pk}/vote/"), 409, "kernel_not_published")
    assert not KernelVote.objects.exists()


def test_comments_list_create_and_edit(competition, alice, bob):
    run = finished_run(alice, competition, title="starter")
    path = f"/api/v1/kernels/{run.pk}/comments/"
    made = client_of(bob).post(path, {"body": "Nice *work*"}, format="json")
    assert made.status_code == 201, made.content
    comment = made.json()
    assert comment["author"] == "bob" and comment["body"] == "Nice *work*"
    assert comment["edited_at"] is None and comment["kernel"] == run.pk
    assert Notification.objects.filter(recipient=alice, actor=bob).count() == 1

    edit = f"{path}{comment['id']}/"
    edited = client_of(bob).patch(edit, {"body": "Nice work!"}, format="json").json()
    assert edited["body"] == "Nice work!" and edited["edited_at"] is not None
    error(
        client_of(alice).patch(edit, {"body": "x"}, format="json"), 403, "kernel_comment_not_yours"
    )
    error(client_of(bob).post(path, {"body": "  "}, format="json"), 400, "kernel_comment_empty")
    assert client_of(bob).post(path, {"body": 5}, format="json").status_code == 400
    listed = client_of().get(path).json()
    assert [c["body"] for c in listed["results"]] == ["Nice work!"]
    other = finished_run(alice, competition)
    wrong = f"/api/v1/kernels/{other.pk}/comments/{comment['id']}/"
    error(
        client_of(bob).patch(wrong, {"body": "x"}, format="json"), 404, "kernel_comment_not_found"
    )
    assert client_of().post(path, {"body": "anonymous"}, format="json").status_code in (401, 403)


def test_copy_in_the_caller_s_name_under_the_launch_rules(competition, alice, bob):
    source = finished_run(alice, competition, title="copier")
    path = f"/api/v1/kernels/{source.pk}/copy/"
    refused = error(client_of(bob).post(path, {}, format="json"), 403, "kernel_not_allowed")
    assert refused["message"] == "Only the organizers run kernels in this competition."
    kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=1, team_cpu_hours=2
    )
    made = client_of(bob).post(path, {"title": "my copy", "script": "print(1)\n"}, format="json")
    assert made.status_code == 201, made.content
    run = made.json()
    assert run["forked_from"] == source.pk and run["title"] == "my copy" and run["team"] == "bob"
    assert KernelRun.objects.get(pk=run["id"]).script.read() == b"print(1)\n"
    error(client_of(bob).post(path, {}, format="json"), 429, "kernel_too_many_runs")
    draft = finished_run(alice, competition, published=False)
    error(client_of(bob).post(f"/api/v1/kernels/{draft.pk}/copy/"), 404, "kernel_not_found")
