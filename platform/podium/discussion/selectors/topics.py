"""A topic's page: the topic and its replies as the viewer may read them, with badges, the
viewer's votes and what they may do; a team's thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser

from podium.competitions.models import Competition
from podium.discussion import access
from podium.discussion.models import Reply, ReplyVote, Topic, TopicVote
from podium.discussion.selectors.badges import Badges, author_badges
from podium.leaderboards import selectors as board_selectors
from podium.teams.models import Team

HIDDEN_TEXT = "This post was hidden by a moderator."


@dataclass(frozen=True)
class Post:
    """A topic's own text or one reply, as one viewer reads it. ``body`` is the raw Markdown
    (the page renders it through ``web.markdown``), empty when hidden from this viewer."""

    kind: str  # "topic" or "reply"
    pk: int
    author: str
    author_id: int
    badges: Badges
    body: str
    hidden: bool  # hidden by a moderator
    placeholder: bool  # hidden from this viewer: show HIDDEN_TEXT instead of the body
    created_at: datetime
    edited_at: datetime | None
    vote_count: int
    voted: bool
    mine: bool
    answers_pk: int | None = None
    answers_author: str = ""


@dataclass(frozen=True)
class TopicPage:
    topic: Topic
    title: str
    post: Post
    replies: list[Post]
    moderator: bool
    may_reply: bool
    refusal: str  # why the viewer may not reply ("" when they may)
    writeup_rank: int | None  # a write-up's final private rank, read now


def topic_get(*, topic_id: int, viewer, competition: Competition | None = None) -> Topic:
    """The topic of this forum (``competition``, or the site forum) if ``viewer`` may read it;
    else the NotFound of a topic that does not exist. Team threads are never found here."""
    topic = (
        Topic.objects.filter(pk=topic_id, competition=competition, team__isnull=True)
        .select_related("author", "competition")
        .first()
    )
    if topic is None or not access.can_see(viewer, topic):
        raise access.topic_not_found(topic_id)
    return topic


def reply_get(*, reply_id: int, topic: Topic) -> Reply:
    reply = Reply.objects.filter(pk=reply_id, topic=topic).select_related("topic").first()
    if reply is None:
        from podium.core.errors import NotFound
        from podium.discussion.error_codes import DiscussionErrorCode

        raise NotFound(DiscussionErrorCode.REPLY_NOT_FOUND, f"There is no reply #{reply_id} here.")
    return reply


def _post(obj, kind: str, *, viewer, moderator: bool, badges, voted: set[int], answers=None):
    mine = viewer.is_authenticated and obj.author_id == viewer.pk
    placeholder = obj.is_hidden and not (moderator or mine)
    return Post(
        kind=kind,
        pk=obj.pk,
        author=obj.author.get_username(),
        author_id=obj.author_id,
        badges=badges.get(obj.author_id, Badges()),
        body="" if placeholder else obj.body,
        hidden=obj.is_hidden,
        placeholder=placeholder,
        created_at=obj.created_at,
        edited_at=obj.edited_at,
        vote_count=obj.vote_count,
        voted=obj.pk in voted,
        mine=mine,
        answers_pk=answers.pk if answers is not None else None,
        answers_author=answers.author.get_username() if answers is not None else "",
    )


def topic_page(*, topic: Topic, viewer) -> TopicPage:
    """Everything a topic's page shows (a fixed number of queries, whatever the replies)."""
    moderator = access.is_moderator(viewer, topic)
    replies = list(
        Reply.objects.filter(topic=topic)
        .select_related("author", "answers__author")
        .order_by("created_at", "pk")
    )
    competition = topic.competition if topic.team_id is None else None
    badges = author_badges(
        competition=competition, author_ids={topic.author_id, *(r.author_id for r in replies)}
    )
    topic_voted: set[int] = set()
    reply_voted: set[int] = set()
    if viewer.is_authenticated:
        if TopicVote.objects.filter(topic=topic, user=viewer).exists():
            topic_voted = {topic.pk}
        reply_voted = set(
            ReplyVote.objects.filter(reply__topic=topic, user=viewer).values_list(
                "reply_id", flat=True
            )
        )
    post = _post(
        topic, "topic", viewer=viewer, moderator=moderator, badges=badges, voted=topic_voted
    )
    rows = [
        _post(
            r,
            "reply",
            viewer=viewer,
            moderator=moderator,
            badges=badges,
            voted=reply_voted,
            answers=r.answers,
        )
        for r in replies
    ]
    refusal = access.topic_write_refusal(viewer, topic)
    rank = None
    if topic.writeup_team_id and topic.competition and topic.competition.private_is_revealed:
        entry = board_selectors.team_private_entry(team=topic.writeup_team, viewer=AnonymousUser())
        rank = entry.rank if entry is not None else None
    readable = not topic.is_hidden or moderator or post.mine
    return TopicPage(
        topic=topic,
        title=topic.title if readable else "[hidden by a moderator]",
        post=post,
        replies=rows,
        moderator=moderator,
        may_reply=refusal is None,
        refusal="" if refusal is None else refusal.message,
        writeup_rank=rank,
    )


def team_thread(*, team: Team, viewer) -> Topic | None:
    """The team's thread (None before its first message); PermissionDenied unless ``viewer``
    is a member."""
    if not access.is_team_member(viewer, team.pk):
        from podium.core.errors import PermissionDenied
        from podium.teams.error_codes import TeamErrorCode

        raise PermissionDenied(
            TeamErrorCode.NOT_TEAM_MEMBER, "Only the team's members read and write its thread."
        )
    return Topic.objects.filter(team=team).select_related("author", "team").first()


def topic_find(*, topic_id: int, viewer) -> Topic:
    """Any topic ``viewer`` may read (a team's thread to its members), by id alone; else the
    NotFound of a topic that does not exist (the API's lookup)."""
    topic = Topic.objects.filter(pk=topic_id).select_related("author", "competition").first()
    if topic is None or not access.can_see(viewer, topic):
        raise access.topic_not_found(topic_id)
    return topic


def reply_find(*, reply_id: int, viewer) -> Reply:
    reply = Reply.objects.filter(pk=reply_id).select_related("topic__competition").first()
    if reply is None or not access.can_see(viewer, reply.topic):
        from podium.core.errors import NotFound
        from podium.discussion.error_codes import DiscussionErrorCode

        raise NotFound(DiscussionErrorCode.REPLY_NOT_FOUND, f"There is no reply #{reply_id}.")
    return reply
