"""The demo's discussion (demo/discussion.py): topics with replies and votes on the demo
competitions and the site forum, an announcement, a team thread, and the finished
competition's write-up once revealed; idempotent."""

import pytest

from podium.competitions.models import Competition
from podium.demo.discussion import TOPICS, seed_discussion
from podium.discussion import selectors
from podium.discussion.models import Reply, Topic
from podium.notifications.models import Kind, Notification
from podium.teams.services import competition_join
from tests.podium.discussion.conftest import finished
from tests.podium.factories import CompetitionFactory, UserFactory, organizer

pytestmark = pytest.mark.django_db


def test_nothing_without_the_demo():
    assert seed_discussion() == 0
    assert not Topic.objects.exists()


def test_topics_replies_votes_and_a_writeup_once():
    world = finished()  # ann 1st on the private board
    Competition.objects.filter(pk=world.competition.pk).update(slug="wine-cultivars")
    host = organizer(username="organizer")
    competitions = [
        CompetitionFactory(slug=slug)
        for slug in ("breast-cancer-diagnosis", "handwritten-digits", "diabetes-progression")
    ]
    for competition in competitions:
        competition.organizers.add(host)
        for name in ("alice", "bob", "carol"):
            competition_join(user=UserFactory(username=name), competition=competition)

    lines = []
    made = seed_discussion(log=lines.append)
    assert made == len(TOPICS) + 2 and lines == [
        f"discussion: {made} topic(s) with replies and votes"
    ]
    cancer = competitions[0]
    page = selectors.topic_list(viewer=host, competition=cancer, sort="votes")
    assert [r.title for r in page.rows][0] == "Welcome, and how the private leaderboard works"
    asked = Topic.objects.get(title="Does feature scaling matter for the baseline?")
    assert (asked.vote_count, asked.reply_count) == (3, 2)
    assert Reply.objects.filter(topic=asked).order_by("pk").first().vote_count == 2
    writeup = Topic.objects.get(kind="writeup")
    assert writeup.author == world.ann and writeup.writeup_rank == 1 and writeup.vote_count >= 1
    assert Topic.objects.filter(kind="team").count() == 1
    assert Notification.objects.filter(kind=Kind.ANNOUNCEMENT).count() == 3  # alice, bob, carol
    assert Notification.objects.filter(kind=Kind.REPLY).exists()

    counts = (Topic.objects.count(), Reply.objects.count(), Notification.objects.count())
    assert seed_discussion() == 0
    assert (Topic.objects.count(), Reply.objects.count(), Notification.objects.count()) == counts
