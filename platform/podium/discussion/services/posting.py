"""Writing posts: topics, announcements, write-ups, replies, the team thread, edits."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from podium.core.locks import lock_row
from podium.core.timeutils import now
from podium.discussion import access, search
from podium.discussion.error_codes import DiscussionErrorCode as Code
from podium.discussion.hot import hot_score
from podium.discussion.models import Reply, Topic
from podium.discussion.rules import body_refusal, first, title_refusal
from podium.discussion.services.notifying import mention_notify, reply_notify
from podium.discussion.urls import topic_url
from podium.leaderboards import selectors as board_selectors
from podium.notifications.models import Kind
from podium.notifications.services import notify
from podium.teams import selectors as team_selectors
from podium.teams.error_codes import TeamErrorCode
from podium.teams.models import Membership, Team


def _new_topic(*, user, competition, title: str, body: str, kind: str, **extra) -> Topic:
    moment = now()
    topic = Topic.objects.create(
        competition=competition,
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        author=user,
        created_at=moment,
        last_activity_at=moment,
        hot=hot_score(0, moment),
        **extra,
    )
    search.index_topic(topic)
    return topic


@transaction.atomic
def topic_create(*, user, competition: Competition | None = None, title: str, body: str) -> Topic:
    """A discussion topic in ``competition``'s forum, or the site forum (None)."""
    first(access.write_refusal(user, competition), title_refusal(title), body_refusal(body))
    topic = _new_topic(
        user=user, competition=competition, title=title, body=body, kind=Topic.Kind.DISCUSSION
    )
    mention_notify(topic=topic, body=body, actor=user)
    return topic


@transaction.atomic
def announcement_create(*, user, competition: Competition, title: str, body: str) -> Topic:
    """An organizers' announcement, pinned; every participant of the competition is told."""
    first(
        access.write_refusal(user, competition),
        access.moderator_refusal(user, competition),
        title_refusal(title),
        body_refusal(body),
    )
    topic = _new_topic(
        user=user,
        competition=competition,
        title=title,
        body=body,
        kind=Topic.Kind.ANNOUNCEMENT,
        pinned=True,
    )
    participants = Membership.objects.filter(competition=competition).values_list(
        "user_id", flat=True
    )
    told = set(participants)
    notify(
        recipient_ids=told,
        kind=Kind.ANNOUNCEMENT,
        title=f"{competition.title}: {topic.title}",
        url=topic_url(topic),
        actor_id=user.pk,
    )
    mention_notify(topic=topic, body=body, actor=user, already=told)
    return topic


@transaction.atomic
def writeup_create(*, user, competition: Competition, title: str, body: str) -> Topic:
    """A team's solution write-up: once the private board is revealed, one per team on it,
    by any member; its final private rank is stored with it (and re-read when shown).

    Locks the team's row, so two members posting at once make one write-up."""
    first(access.write_refusal(user, competition), title_refusal(title), body_refusal(body))
    if not competition.private_is_revealed:
        raise DomainError(
            Code.WRITEUP_TOO_EARLY,
            "Solution write-ups open once the private leaderboard is revealed.",
            status=409,
        )
    team = team_selectors.require_team(user=user, competition=competition)
    team = lock_row(Team.objects, team.pk)
    entry = board_selectors.team_private_entry(team=team, viewer=user)
    if entry is None:
        raise DomainError(
            Code.WRITEUP_NOT_ON_BOARD,
            f"“{team.name}” is not on the private leaderboard, so it has no write-up to post.",
        )
    existing = Topic.objects.filter(writeup_team=team).first()
    if existing is not None:
        raise Conflict(
            Code.WRITEUP_EXISTS,
            f"“{team.name}” already posted its write-up; edit it instead.",
            details={"topic_id": existing.pk},
        )
    topic = _new_topic(
        user=user,
        competition=competition,
        title=title,
        body=body,
        kind=Topic.Kind.WRITEUP,
        writeup_team=team,
        writeup_rank=entry.rank,
    )
    mention_notify(topic=topic, body=body, actor=user)
    return topic


def _add_reply(*, user, topic: Topic, body: str, answers: Reply | None) -> Reply:
    moment = now()
    if answers is not None and answers.topic_id != topic.pk:
        raise NotFound(Code.REPLY_NOT_FOUND, "The reply you answer is not in this topic.")
    reply = Reply.objects.create(
        topic=topic, author=user, body=body.strip(), answers=answers, created_at=moment
    )
    Topic.objects.filter(pk=topic.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=moment
    )
    search.index_reply(reply)
    told = reply_notify(reply=reply, actor=user)
    mention_notify(topic=topic, body=body, actor=user, already=told)
    return reply


@transaction.atomic
def reply_create(*, user, topic: Topic, body: str, answers: Reply | None = None) -> Reply:
    """A reply to ``topic``; ``answers``: the reply it quotes (a reply to a reply stays a reply
    to the topic, one level deep). Tells the topic's author and the answered reply's."""
    first(access.topic_write_refusal(user, topic), body_refusal(body))
    return _add_reply(user=user, topic=topic, body=body, answers=answers)


@transaction.atomic
def team_thread_post(*, user, team: Team, body: str, answers: Reply | None = None) -> Reply:
    """A message in ``team``'s private thread (made on its first message, under the team's row
    lock so there is one). Members only."""
    first(access.sign_in_refusal(user))
    if not access.is_team_member(user, team.pk):
        raise PermissionDenied(
            TeamErrorCode.NOT_TEAM_MEMBER, "Only the team's members read and write its thread."
        )
    first(body_refusal(body))
    lock_row(Team.objects, team.pk)
    topic = Topic.objects.filter(team=team).first()
    if topic is None:
        topic = _new_topic(
            user=user,
            competition=team.competition,
            title=f"{team.name}: team thread",
            body="",
            kind=Topic.Kind.TEAM,
            team=team,
        )
    first(access.topic_write_refusal(user, topic))
    return _add_reply(user=user, topic=topic, body=body, answers=answers)


@transaction.atomic
def post_edit(
    *, user, topic: Topic | None = None, reply: Reply | None = None, body: str, title=None
) -> Topic | Reply:
    """The author edits their post (not in a locked topic); it is marked "edited"."""
    post = reply if reply is not None else topic
    topic = reply.topic if reply is not None else topic
    first(access.topic_write_refusal(user, topic))
    if post.author_id != user.pk:
        raise PermissionDenied(Code.NOT_POST_AUTHOR, "Only its author can edit a post.")
    if reply is None and topic.kind == Topic.Kind.TEAM:
        raise PermissionDenied(Code.NOT_POST_AUTHOR, "A team thread has no text of its own.")
    first(body_refusal(body), title_refusal(title) if title is not None and reply is None else None)
    post.body = body.strip()
    post.edited_at = now()
    fields = ["body", "edited_at"]
    if title is not None and reply is None:
        post.title = title.strip()
        fields.append("title")
    post.save(update_fields=fields)
    if reply is None:
        search.index_topic(post)
    else:
        search.index_reply(post)
    return post
