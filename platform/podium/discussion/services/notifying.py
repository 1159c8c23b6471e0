"""Who a new post tells: the topic's author and the answered reply's author (Kind.REPLY), and
each @username it names who may read the topic (Kind.MENTION). Called inside the post's
transaction: rolled back together."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model

from podium.discussion import access
from podium.discussion.models import Reply, Topic
from podium.discussion.urls import topic_url
from podium.notifications.models import Kind
from podium.notifications.services import notify

# A username as Django allows it (letters, digits and @.+-_), after an @ that does not follow a
# word character (an email address is no mention). A final dot ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]{1,150})")


def mentioned_usernames(body: str) -> set[str]:
    return {name.rstrip(".") for name in MENTION.findall(body or "") if name.rstrip(".")}


def mention_notify(*, topic: Topic, body: str, actor, already: set[int] = frozenset()) -> int:
    names = mentioned_usernames(body)
    if not names:
        return 0
    users = get_user_model().objects.filter(username__in=names).values_list("pk", flat=True)
    readers = access.readers_among(set(users), topic) - set(already)
    return notify(
        recipient_ids=readers,
        kind=Kind.MENTION,
        title=f"{actor.get_username()} mentioned you in “{topic.title}”",
        url=topic_url(topic),
        actor_id=actor.pk,
    )


def reply_notify(*, reply: Reply, actor) -> set[int]:
    """Tell the topic's author (and the answered reply's); the ids told."""
    topic = reply.topic
    told = {topic.author_id}
    if reply.answers_id:
        told.add(reply.answers.author_id)
    told = access.readers_among(told, topic)
    notify(
        recipient_ids=told,
        kind=Kind.REPLY,
        title=f"{actor.get_username()} replied to “{topic.title}”",
        url=topic_url(topic, reply=reply),
        actor_id=actor.pk,
    )
    return told
