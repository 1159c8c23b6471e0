"""Moderation (pin, lock, hide) by the forum's moderators, and reports by anyone signed in."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from podium.core.errors import Conflict
from podium.core.timeutils import now
from podium.discussion import access
from podium.discussion.error_codes import DiscussionErrorCode as Code
from podium.discussion.models import Reply, Report, Topic
from podium.discussion.rules import first, reason_refusal


@transaction.atomic
def topic_pin(*, user, topic: Topic, pinned: bool = True) -> Topic:
    first(access.moderator_refusal(user, topic))
    topic.pinned = pinned
    topic.save(update_fields=["pinned"])
    return topic


@transaction.atomic
def topic_lock(*, user, topic: Topic, locked: bool = True) -> Topic:
    first(access.moderator_refusal(user, topic))
    topic.locked = locked
    topic.save(update_fields=["locked"])
    return topic


def _post(topic: Topic | None, reply: Reply | None) -> tuple[Topic | Reply, Topic]:
    return (reply, reply.topic) if reply is not None else (topic, topic)


@transaction.atomic
def post_hide(*, user, topic: Topic | None = None, reply: Reply | None = None) -> Topic | Reply:
    """Hide a post: others see a placeholder (its author and the moderators still read it)."""
    post, in_topic = _post(topic, reply)
    first(access.moderator_refusal(user, in_topic))
    post.hidden_at, post.hidden_by = now(), user
    post.save(update_fields=["hidden_at", "hidden_by"])
    return post


@transaction.atomic
def post_unhide(*, user, topic: Topic | None = None, reply: Reply | None = None) -> Topic | Reply:
    post, in_topic = _post(topic, reply)
    first(access.moderator_refusal(user, in_topic))
    post.hidden_at, post.hidden_by = None, None
    post.save(update_fields=["hidden_at", "hidden_by"])
    return post


@transaction.atomic
def post_report(
    *, user, topic: Topic | None = None, reply: Reply | None = None, reason: str
) -> Report:
    """Flag a post for the moderators, once per post and person."""
    post, in_topic = _post(topic, reply)
    first(access.sign_in_refusal(user))
    if not access.can_see(user, in_topic):
        raise access.topic_not_found(in_topic.pk)
    first(reason_refusal(reason))
    already = Conflict(Code.ALREADY_REPORTED, "You already reported this post.")
    if Report.objects.filter(topic=in_topic, reply=reply, reporter=user).exists():
        raise already
    try:
        with transaction.atomic():
            return Report.objects.create(
                topic=in_topic, reply=reply, reporter=user, reason=reason.strip()
            )
    except IntegrityError:  # the same report at the same instant
        raise already from None
