"""Discussion and kernel medals from votes (thresholds as settings), read through the
discussion and kernels apps' selectors, counted in the standing and shown on the profile."""

import pytest
from django.urls import reverse

from podium.discussion.services import reply_create, topic_create, vote_cast
from podium.kernels.services import kernel_vote
from podium.progression.models import UserStanding
from podium.progression.services import standings_refresh
from tests.podium.factories import UserFactory, competition_with_solution, participant
from tests.podium.kernels.community_helpers import finished_run

pytestmark = pytest.mark.django_db


def standing(user) -> UserStanding:
    return UserStanding.objects.get(user=user)


def test_discussion_posts_earn_medals_by_their_votes(settings):
    writer = UserFactory(username="writer")
    voters = [UserFactory(username=f"v{i}") for i in range(5)]
    topic = topic_create(user=writer, title="Feature ideas", body="Try the ratios.")
    reply = reply_create(user=writer, topic=topic, body="And the logs.")
    for voter in voters:
        vote_cast(user=voter, topic=topic)
    vote_cast(user=voters[0], reply=reply)
    topic_create(user=writer, title="Nobody voted", body="...")
    standings_refresh(user_ids=[writer.pk])
    mine = standing(writer)
    # Kaggle's: bronze 1 vote, silver 5, gold 10.
    assert (mine.discussion_gold, mine.discussion_silver, mine.discussion_bronze) == (0, 1, 1)
    assert (mine.gold, mine.silver, mine.bronze) == (0, 0, 0)  # the tier's medals: none
    settings.PODIUM_DISCUSSION_MEDAL_VOTES = {"gold": 5, "silver": 2, "bronze": 1}
    standings_refresh(user_ids=[writer.pk])
    assert (standing(writer).discussion_gold, standing(writer).discussion_bronze) == (1, 1)


def test_published_kernels_earn_medals_by_their_votes(settings, client):
    settings.PODIUM_KERNEL_MEDAL_VOTES = {"gold": 3, "silver": 2, "bronze": 1}
    competition = competition_with_solution()
    author = participant(competition, "author")
    popular = finished_run(author, competition, title="popular")
    liked = finished_run(author, competition, title="liked")
    finished_run(author, competition, title="unseen")
    for i in range(3):
        kernel_vote(user=participant(competition, f"k{i}"), run=popular)
    kernel_vote(user=UserFactory(username="k0"), run=liked)
    standings_refresh(user_ids=[author.pk])
    mine = standing(author)
    assert (mine.kernel_gold, mine.kernel_silver, mine.kernel_bronze) == (1, 0, 1)
    body = client.get(reverse("web:user_profile", args=["author"]), {"tab": "kernels"})
    text = body.content.decode()
    assert "Kernels:" in text and ">popular</a>" in text and ">unseen</a>" in text


def test_the_discussion_tab_lists_the_authors_posts(client):
    writer = UserFactory(username="writer")
    topic_create(user=writer, title="Feature ideas", body="Try the ratios.")
    body = client.get(reverse("web:user_profile", args=["writer"]), {"tab": "discussion"})
    assert "Feature ideas" in body.content.decode()
