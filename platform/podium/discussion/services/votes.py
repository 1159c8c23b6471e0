"""Votes on topics and replies: one per user, never on your own post, withdrawable.

The count stays exact under concurrent votes: each service locks the post's row
(``core.locks.lock_row``) before it checks, writes the vote (a unique constraint backs the
check) and moves the denormalized count, so two votes on one post take turns; on SQLite the
IMMEDIATE transactions serialize them the same way.
"""

from __future__ import annotations

from django.db import transaction

from podium.core.errors import Conflict, DomainError
from podium.core.locks import lock_row
from podium.discussion import access
from podium.discussion.error_codes import DiscussionErrorCode as Code
from podium.discussion.hot import hot_score
from podium.discussion.models import Reply, ReplyVote, Topic, TopicVote
from podium.discussion.rules import first


def _target(topic: Topic | None, reply: Reply | None):
    """(the post's model, its pk, its vote model, the vote's field, its topic)."""
    if reply is not None:
        return Reply, reply.pk, ReplyVote, "reply", reply.topic
    return Topic, topic.pk, TopicVote, "topic", topic


def _check(user, topic: Topic) -> None:
    first(access.sign_in_refusal(user))
    if not access.can_see(user, topic):
        raise access.topic_not_found(topic.pk)
    if topic.team_id is None:
        first(access.write_refusal(user, topic.competition))


def _save_count(model, post, count: int) -> None:
    changes = {"vote_count": count}
    if model is Topic:
        changes["hot"] = hot_score(count, post.created_at)
    model.objects.filter(pk=post.pk).update(**changes)
    post.vote_count = count


@transaction.atomic
def vote_cast(*, user, topic: Topic | None = None, reply: Reply | None = None) -> int:
    """Vote for a topic or a reply; the post's new vote count."""
    model, pk, votes, field, in_topic = _target(topic, reply)
    _check(user, in_topic)
    post = lock_row(model.objects, pk)
    if post.author_id == user.pk:
        raise DomainError(Code.OWN_POST_VOTE, "You cannot vote for your own post.")
    if votes.objects.filter(**{field: post, "user": user}).exists():
        raise Conflict(Code.ALREADY_VOTED, "You already voted for this post.")
    votes.objects.create(**{field: post, "user": user})
    _save_count(model, post, post.vote_count + 1)
    return post.vote_count


@transaction.atomic
def vote_withdraw(*, user, topic: Topic | None = None, reply: Reply | None = None) -> int:
    """Take back one's vote; the post's new vote count."""
    model, pk, votes, field, in_topic = _target(topic, reply)
    _check(user, in_topic)
    post = lock_row(model.objects, pk)
    deleted, _ = votes.objects.filter(**{field: post, "user": user}).delete()
    if not deleted:
        raise Conflict(Code.NOT_VOTED, "You have not voted for this post.")
    _save_count(model, post, max(post.vote_count - 1, 0))
    return post.vote_count
