"""The forum's pages: the Discussion tab and the site forum, a topic's page (replies, votes by
htmx and by plain form, edits, reports, moderation), the team thread, and the private board's
links to write-ups."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from podium.discussion import services
from podium.discussion.models import Reply, Report, Topic
from podium.discussion.urls import forum_url, topic_url
from podium.teams.selectors import team_for_user
from tests.podium.discussion.conftest import finished
from tests.podium.factories import CompetitionFactory, UserFactory, organizer, participant

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(db):
    competition = CompetitionFactory(title="Titanic", slug="titanic")
    return (
        competition,
        participant(competition, "ann"),
        participant(competition, "bob"),
        organizer(competition, "host"),
    )


def test_the_tab_lists_topics_and_posts_a_new_one(world):
    competition, ann, bob, _ = world
    url = reverse("web:discussion", args=["titanic"])
    assert url == forum_url(competition)
    page = Client().get(url)
    assert page.status_code == 200 and "No topic yet" in page.content.decode()
    assert 'aria-current="page">Discussion</a>' in page.content.decode()
    response = client_for(ann).post(url, {"title": "Leak?", "body": "Is *id* a leak?"})
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic_url(topic)
    listing = client_for(bob).get(url).content.decode()
    assert "Leak?" in listing and "0 replies" not in listing and "posted just now" in listing
    refused = client_for(ann).post(url, {"title": "", "body": "x"})
    assert refused.status_code == 400 and "Give the topic a title." in refused.content.decode()


def test_a_topic_page_renders_markdown_safely_and_takes_replies(world):
    competition, ann, bob, _ = world
    topic = services.topic_create(
        user=ann,
        competition=competition,
        title="<b>Q</b>",
        body="**bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    page = client_for(bob).get(topic_url(topic)).content.decode()
    assert "<strong>bold</strong>" in page and "<script>alert" not in page
    assert "&lt;b&gt;Q&lt;/b&gt;" in page and "javascript:" not in page
    response = client_for(bob).post(topic_url(topic), {"body": "Thanks @ann"})
    reply = Reply.objects.get()
    assert response["Location"] == topic_url(topic, reply=reply)
    again = client_for(ann).post(topic_url(topic), {"body": "You're welcome", "answers": reply.pk})
    assert again.status_code == 302 and Reply.objects.latest("pk").answers == reply
    page = client_for(ann).get(topic_url(topic)).content.decode()
    assert "In answer to" in page and "2 replies" in page


def test_votes_by_htmx_and_by_plain_form(world):
    competition, ann, bob, _ = world
    topic = services.topic_create(user=ann, competition=competition, title="Q", body="?")
    vote = topic_url(topic) + "vote/"
    fragment = client_for(bob).post(vote, HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert 'class="vote voted"' in text and f'action="{topic_url(topic)}unvote/"' in text
    assert '<span class="vote-count">1</span>' in text
    plain = client_for(bob).post(topic_url(topic) + "unvote/")
    assert plain.status_code == 302 and Topic.objects.get().vote_count == 0
    own = client_for(ann).post(vote, HTTP_HX_REQUEST="true")
    assert own.status_code == 400 and "your own post" in own.content.decode()
    assert Client().post(vote).status_code == 302  # to the sign-in page
    assert Topic.objects.get().vote_count == 0
    assert client_for(bob).get(vote).status_code == 405


def test_edit_report_and_moderation_buttons(world):
    competition, ann, bob, host = world
    topic = services.topic_create(user=ann, competition=competition, title="Q", body="first")
    reply = services.reply_create(user=bob, topic=topic, body="spam spam")
    assert 'href="?edit=topic#post"' in client_for(ann).get(topic_url(topic)).content.decode()
    client_for(ann).post(topic_url(topic) + "edit/", {"title": "Q2", "body": "second"})
    page = client_for(bob).get(topic_url(topic)).content.decode()
    assert "second" in page and "(edited)" in page and "Moderation:" not in page
    client_for(ann).post(f"{topic_url(topic)}replies/{reply.pk}/report/", {"reason": "spam"})
    assert Report.objects.get().reply == reply
    host_page = client_for(host).get(topic_url(topic)).content.decode()
    assert "Moderation:" in host_page and ">Pin<" in host_page
    client_for(host).post(f"{topic_url(topic)}replies/{reply.pk}/hide/")
    assert "spam spam" not in client_for(ann).get(topic_url(topic)).content.decode()
    assert "hidden by a moderator" in client_for(ann).get(topic_url(topic)).content.decode()
    assert "spam spam" in client_for(host).get(topic_url(topic)).content.decode()
    refused = client_for(bob).post(topic_url(topic) + "pin/", follow=True)
    assert "Only the organizers moderate" in refused.content.decode()
    assert client_for(bob).post(topic_url(topic) + "nonsense/").status_code == 404


def test_the_site_forum(world):
    _, ann, bob, _ = world
    url = reverse("web:site_discussion")
    assert url == "/discussion/" == forum_url()
    client_for(ann).post(url, {"title": "Welcome", "body": "Hello all"})
    topic = Topic.objects.get()
    assert topic.competition is None and reverse("web:site_topic", args=[topic.pk]) == topic_url(
        topic
    )
    assert "Welcome" in Client().get(url).content.decode()
    assert ">Discussion</a>" in Client().get(reverse("web:home")).content.decode()
    client_for(bob).post(topic_url(topic) + "vote/")
    assert Topic.objects.get().vote_count == 1
    # a competition's topic is not found under the site forum, nor the other way round
    assert Client().get(reverse("web:site_topic", args=[999])).status_code == 404


def test_an_invite_only_competitions_forum_is_not_found_for_outsiders():
    from podium.competitions.models import Competition

    hidden = CompetitionFactory(visibility=Competition.Visibility.INVITE_ONLY, slug="secret")
    member = UserFactory()
    hidden.invited_users.add(member)
    topic = services.topic_create(user=member, competition=hidden, title="Q", body="?")
    outsider = client_for(UserFactory())
    assert outsider.get(reverse("web:discussion", args=["secret"])).status_code == 404
    assert outsider.get(topic_url(topic)).status_code == 404
    assert outsider.post(topic_url(topic) + "vote/").status_code == 404


def test_the_team_thread_is_reached_from_the_team_tab_and_only_by_members(world):
    competition, ann, bob, host = world
    team_page = client_for(ann).get(reverse("web:team", args=["titanic"])).content.decode()
    url = reverse("web:team_thread", args=["titanic"])
    assert url in team_page
    response = client_for(ann).post(url, {"body": "our secret plan"})
    assert response.status_code == 302
    assert "our secret plan" in client_for(ann).get(url).content.decode()
    team = team_for_user(user=ann, competition=competition)
    assert topic_url(Topic.objects.get(team=team)) == url
    # bob's own thread is empty; the host has no team
    assert "our secret plan" not in client_for(bob).get(url).content.decode()
    assert client_for(host).get(url).status_code == 403


def test_the_private_board_links_each_teams_writeup():
    world = finished()
    c = world.competition
    url = reverse("web:discussion", args=[c.slug])
    response = client_for(world.ann).post(
        url, {"kind": "writeup", "title": "1st place solution", "body": "Stacking"}
    )
    topic = Topic.objects.get(kind="writeup")
    assert response.status_code == 302 and topic.writeup_rank == 1
    board = Client().get(reverse("web:leaderboard_private", args=[c.slug])).content.decode()
    assert f'href="{topic_url(topic)}">write-up</a>' in board
    solutions = Client().get(url + "?filter=solutions").content.decode()
    assert "1st place solution" in solutions and "1st place" in solutions
    assert "final rank 1" in Client().get(topic_url(topic)).content.decode()
