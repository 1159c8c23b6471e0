"""Votes stay exact under 20 concurrent requests: 20 voters at once count 20; one voter 20
times at once counts 1. Each thread has its own database connection, as web workers would.

On PostgreSQL the vote services lock the post's row (``core.locks.lock_row``) before checking
and counting, and a unique constraint backs "one vote per user"; on SQLite the IMMEDIATE
transactions serialize the writers. The test runs on both (``.ci/run`` on PostgreSQL).
"""

from __future__ import annotations

import pytest

from podium.core.errors import DomainError
from podium.discussion import services
from podium.discussion.models import Reply, ReplyVote, Topic, TopicVote
from tests.podium.factories import CompetitionFactory, UserFactory
from tests.podium.race import race

pytestmark = pytest.mark.django_db(transaction=True)

N = 20


def test_twenty_voters_at_once_count_twenty_on_a_topic_and_a_reply():
    competition = CompetitionFactory()
    author = UserFactory(username="author")
    topic = services.topic_create(user=author, competition=competition, title="Q", body="?")
    reply = services.reply_create(user=author, topic=topic, body="A")
    voters = [UserFactory(username=f"voter{i}") for i in range(N)]

    outcomes = race(*[lambda u=u: services.vote_cast(user=u, topic=topic) for u in voters])
    assert sorted(outcomes) == list(range(1, N + 1)), outcomes  # each saw its own count
    outcomes = race(*[lambda u=u: services.vote_cast(user=u, reply=reply) for u in voters])
    assert sorted(outcomes) == list(range(1, N + 1)), outcomes

    assert Topic.objects.get(pk=topic.pk).vote_count == N == TopicVote.objects.count()
    assert Reply.objects.get(pk=reply.pk).vote_count == N == ReplyVote.objects.count()

    half = voters[: N // 2]
    race(*[lambda u=u: services.vote_withdraw(user=u, topic=topic) for u in half])
    assert Topic.objects.get(pk=topic.pk).vote_count == N // 2 == TopicVote.objects.count()


def test_one_voter_twenty_times_at_once_counts_one():
    competition = CompetitionFactory()
    author, voter = UserFactory(username="author"), UserFactory(username="voter")
    topic = services.topic_create(user=author, competition=competition, title="Q", body="?")

    outcomes = race(*[lambda: services.vote_cast(user=voter, topic=topic) for _ in range(N)])

    counted = [o for o in outcomes if o == 1]
    refusals = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(counted) == 1 and len(refusals) == N - 1, outcomes
    assert {r.code for r in refusals} == {"post_already_voted"}
    assert Topic.objects.get(pk=topic.pk).vote_count == 1 == TopicVote.objects.count()
