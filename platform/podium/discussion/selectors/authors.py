"""What other apps read of an author's posts: their votes (discussion medals) and the posts a
profile's Discussion tab lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from podium.competitions import selectors as competition_selectors
from podium.discussion.models import Reply, Topic
from podium.discussion.urls import topic_url
from podium.teams.models import Membership


def author_post_votes(*, user_ids) -> dict[int, list[int]]:
    """For each of ``user_ids``, the vote count of each visible post they wrote (topics and
    replies; hidden posts, hidden topics' replies and team threads left out). Two queries."""
    ids = set(user_ids)
    found: dict[int, list[int]] = {pk: [] for pk in ids}
    topics = Topic.objects.filter(author_id__in=ids, hidden_at__isnull=True, team__isnull=True)
    replies = Reply.objects.filter(
        author_id__in=ids,
        hidden_at__isnull=True,
        topic__hidden_at__isnull=True,
        topic__team__isnull=True,
    )
    for author, votes in [
        *topics.values_list("author_id", "vote_count"),
        *replies.values_list("author_id", "vote_count"),
    ]:
        found[author].append(votes)
    return found


@dataclass(frozen=True)
class AuthorPost:
    kind: str  # "topic" or "reply"
    topic_id: int
    topic_title: str
    url: str
    excerpt: str
    created_at: datetime
    vote_count: int
    forum: str  # the competition's title, or "Site forum"


def posts_by_author(*, author, viewer, limit: int = 20) -> list[AuthorPost]:
    """``author``'s latest posts that ``viewer`` may read, newest first: not hidden (unless the
    viewer wrote them), in forums the viewer may see, team threads only to their members."""
    mine = viewer.is_authenticated and viewer.pk == author.pk
    topics = Topic.objects.filter(author=author).select_related("competition", "team")
    replies = Reply.objects.filter(author=author).select_related(
        "topic__competition", "topic__team"
    )
    if not mine:
        topics = topics.filter(hidden_at__isnull=True)
        replies = replies.filter(hidden_at__isnull=True, topic__hidden_at__isnull=True)
    visible = {c.pk for c in competition_selectors.competition_list(user=viewer, archived=True)}
    teams: set[int] = set()
    if viewer.is_authenticated:
        teams = set(Membership.objects.filter(user=viewer).values_list("team_id", flat=True))

    def readable(topic: Topic) -> bool:
        if topic.team_id is not None:
            return topic.team_id in teams
        return topic.competition_id is None or topic.competition_id in visible

    posts = []
    window = limit * 5  # what readable() drops is read past, within reason
    for topic in topics.exclude(kind=Topic.Kind.TEAM).order_by("-created_at")[:window]:
        if readable(topic):
            posts.append(_summary("topic", topic, topic, topic.body))
    for reply in replies.order_by("-created_at")[:window]:
        if readable(reply.topic):
            posts.append(_summary("reply", reply.topic, reply, reply.body))
    posts.sort(key=lambda p: p.created_at, reverse=True)
    return posts[:limit]


def _summary(kind: str, topic: Topic, post, body: str) -> AuthorPost:
    forum = topic.competition.title if topic.competition_id else "Site forum"
    if topic.team_id is not None:
        forum = f"{forum}: team thread"
    return AuthorPost(
        kind=kind,
        topic_id=topic.pk,
        topic_title=topic.title,
        url=topic_url(topic, reply=post if kind == "reply" else None),
        excerpt=" ".join(body.split())[:200],
        created_at=post.created_at,
        vote_count=post.vote_count,
        forum=forum,
    )
