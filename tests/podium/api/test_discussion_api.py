"""The discussion API: forums' topic lists and creation, a topic with its replies, replying,
editing, votes, reports and moderation, with the API's error shape; write-ups after the
reveal."""

from __future__ import annotations

import pytest

from podium.discussion.models import Report, Topic
from tests.podium.api.conftest import error_of
from tests.podium.discussion.conftest import finished
from tests.podium.factories import CompetitionFactory, organizer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def competition(db):
    return CompetitionFactory(title="Titanic", slug="titanic")


def test_a_question_a_reply_and_a_vote(competition, make_participant, api):
    ann, bob = make_participant(competition, "ann"), make_participant(competition, "bob")
    created = ann.post(
        "competitions/titanic/discussion/", json={"title": "Leak?", "body": "Is id?"}
    )
    assert created.status_code == 201, created.text
    topic = created.json()
    assert (topic["title"], topic["kind"], topic["competition"]) == (
        "Leak?",
        "discussion",
        "titanic",
    )
    assert topic["url"] == f"/competitions/titanic/discussion/{topic['id']}/"
    assert topic["post"]["body"] == "Is id?" and topic["replies"] == []
    replied = bob.post(f"discussion/topics/{topic['id']}/replies/", json={"body": "No @ann"})
    assert replied.status_code == 201
    [reply] = replied.json()["replies"]
    assert reply["author"] == "bob" and reply["badges"]["tier"] == "novice"
    answer = ann.post(
        f"discussion/topics/{topic['id']}/replies/", json={"body": "ok", "answers": reply["id"]}
    )
    assert answer.json()["replies"][1]["answers"] == reply["id"]

    voted = bob.post(f"discussion/topics/{topic['id']}/vote/")
    assert voted.json() == {"vote_count": 1, "voted": True}
    error_of(bob.post(f"discussion/topics/{topic['id']}/vote/"), 409, "post_already_voted")
    error_of(ann.post(f"discussion/topics/{topic['id']}/vote/"), 400, "own_post_vote")
    assert bob.delete(f"discussion/topics/{topic['id']}/vote/").json()["vote_count"] == 0
    assert ann.post(f"discussion/replies/{reply['id']}/vote/").json()["vote_count"] == 1
    error_of(api.post(f"discussion/topics/{topic['id']}/vote/"), 401, "not_authenticated")

    listing = api.get("competitions/titanic/discussion/?sort=recent").json()
    assert listing["total"] == 1 and listing["sort"] == "recent"
    row = listing["results"][0]
    assert (row["title"], row["reply_count"], row["author"]) == ("Leak?", 2, "ann")
    assert api.get("competitions/titanic/discussion/?q=leak").json()["total"] == 1
    assert api.get("competitions/titanic/discussion/?q=nothing").json()["total"] == 0
    assert api.get(f"discussion/topics/{topic['id']}/").json()["post"]["vote_count"] == 0


def test_edits_reports_and_moderation(competition, make_participant, api):
    ann, bob = make_participant(competition, "ann"), make_participant(competition, "bob")
    host = api.as_user(organizer(competition, "host"))
    topic = ann.post("competitions/titanic/discussion/", json={"title": "Q", "body": "v1"}).json()
    path = f"discussion/topics/{topic['id']}/"
    error_of(bob.patch(path, json={"body": "mine"}), 403, "not_post_author")
    edited = ann.patch(path, json={"body": "v2", "title": "Q2"}).json()
    assert (edited["title"], edited["post"]["body"]) == ("Q2", "v2") and edited["post"]["edited_at"]
    reply = bob.post(path + "replies/", json={"body": "spam"}).json()["replies"][0]
    assert (
        bob.patch(f"discussion/replies/{reply['id']}/", json={"body": "sorry"}).status_code == 200
    )
    assert (
        ann.post(f"discussion/replies/{reply['id']}/report/", json={"reason": "spam"}).status_code
        == 201
    )
    error_of(
        ann.post(f"discussion/replies/{reply['id']}/report/", json={"reason": "x"}),
        409,
        "post_already_reported",
    )
    assert Report.objects.get().reason == "spam"
    error_of(bob.post(path + "moderation/", json={"action": "pin"}), 403, "not_a_moderator")
    pinned = host.post(path + "moderation/", json={"action": "pin"}).json()
    assert pinned["pinned"] is True
    locked = host.post(path + "moderation/", json={"action": "lock"}).json()
    assert locked["locked"] is True and locked["may_reply"] is False
    error_of(bob.post(path + "replies/", json={"body": "late"}), 409, "topic_locked")
    host.post(f"discussion/replies/{reply['id']}/moderation/", json={"action": "hide"})
    seen = bob.get(path).json()["replies"][0]
    assert seen["placeholder"] is False and seen["body"] == "sorry"  # the author reads it
    seen = api.get(path).json()["replies"][0]
    assert seen["placeholder"] is True and seen["body"] == "" and seen["hidden"] is True
    error_of(
        host.post(f"discussion/replies/{reply['id']}/moderation/", json={"action": "pin"}),
        400,
        "malformed_request",
    )


def test_refusals_in_the_error_shape(competition, make_participant, make_user, api):
    ann = make_participant(competition, "ann")
    error_of(
        ann.post("competitions/titanic/discussion/", json={"title": " ", "body": "x"}),
        400,
        "topic_title_invalid",
    )
    error_of(
        ann.post("competitions/titanic/discussion/", json={"title": "t", "body": 5}),
        400,
        "invalid_input",
    )
    error_of(
        ann.post(
            "competitions/titanic/discussion/",
            json={"title": "t", "body": "b", "kind": "announcement"},
        ),
        403,
        "not_a_moderator",
    )
    error_of(
        ann.post(
            "competitions/titanic/discussion/", json={"title": "t", "body": "b", "kind": "writeup"}
        ),
        409,
        "writeup_before_reveal",
    )
    error_of(api.post("discussion/", json={"title": "t", "body": "b"}), 401, "not_authenticated")
    error_of(api.get("discussion/topics/999999/"), 404, "topic_not_found")
    error_of(api.get("competitions/nope/discussion/"), 404, "competition_not_found")
    for bad in ("sort=AAA", "filter=x", "page=", "page=two"):
        error_of(api.get(f"competitions/titanic/discussion/?{bad}"), 400, "malformed_request")


def test_the_site_forum_and_team_threads(competition, make_participant, api):
    ann, bob = make_participant(competition, "ann"), make_participant(competition, "bob")
    created = ann.post("discussion/", json={"title": "Hello", "body": "all"})
    assert created.status_code == 201 and created.json()["competition"] is None
    assert [r["title"] for r in api.get("discussion/").json()["results"]] == ["Hello"]
    assert api.get("competitions/titanic/discussion/").json()["total"] == 0
    from podium.discussion.services import team_thread_post
    from podium.teams.selectors import team_for_user

    team = team_for_user(user=ann.user, competition=competition)
    thread = team_thread_post(user=ann.user, team=team, body="secret").topic
    assert ann.get(f"discussion/topics/{thread.pk}/").json()["replies"][0]["body"] == "secret"
    error_of(bob.get(f"discussion/topics/{thread.pk}/"), 404, "topic_not_found")
    assert Topic.objects.count() == 2


def test_writeups_after_the_reveal(live_server):
    from tests.podium.api.conftest import Api

    world = finished()
    ann = Api(live_server.url).as_user(world.ann)
    created = ann.post(
        f"competitions/{world.competition.slug}/discussion/",
        json={"title": "1st place", "body": "GBM", "kind": "writeup"},
    )
    assert created.status_code == 201 and created.json()["writeup_rank"] == 1
    solutions = (
        Api(live_server.url)
        .get(f"competitions/{world.competition.slug}/discussion/?filter=solutions")
        .json()
    )
    assert [(r["title"], r["rank"], r["kind"]) for r in solutions["results"]] == [
        ("1st place", 1, "writeup")
    ]
