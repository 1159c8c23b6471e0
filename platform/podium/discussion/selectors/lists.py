"""Topic lists of a forum: sorted hot / recent / votes, pinned first, filtered (all,
announcements, solutions), searched; one page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.discussion import access, search
from podium.discussion.models import Topic, TopicVote
from podium.discussion.selectors.badges import Badges, author_badges
from podium.discussion.selectors.writeups import current_writeup_ranks

SORTS = ("hot", "recent", "votes")
FILTERS = ("all", "announcements", "solutions")
PER_PAGE = 30
HIDDEN_TITLE = "[hidden by a moderator]"

_ORDER = {
    "hot": ("-pinned", "-hot", "-pk"),
    "recent": ("-pinned", "-last_activity_at", "-pk"),
    "votes": ("-pinned", "-vote_count", "-last_activity_at", "-pk"),
}


@dataclass(frozen=True)
class TopicRow:
    pk: int
    title: str
    kind: str
    pinned: bool
    locked: bool
    hidden: bool  # hidden by a moderator (the title is a placeholder unless the viewer may read it)
    author: str
    author_id: int
    badges: Badges
    vote_count: int
    reply_count: int
    created_at: datetime
    last_activity_at: datetime
    voted: bool = False
    rank: int | None = None  # a write-up's final private rank, read now (after the reveal only)


@dataclass
class TopicPage:
    rows: list[TopicRow]
    number: int
    pages: int
    total: int
    sort: str
    filter: str
    query: str
    moderator: bool = False
    rows_by_id: dict = field(default_factory=dict)


def forum_topics(competition: Competition | None):
    """The public topics of a forum (never a team's thread)."""
    return Topic.objects.filter(competition=competition, team__isnull=True).exclude(
        kind=Topic.Kind.TEAM
    )


def topic_list(
    *,
    viewer,
    competition: Competition | None = None,
    sort: str = "hot",
    filter: str = "all",
    query: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> TopicPage:
    """One page of a forum's topics for ``viewer`` (NotFound for a competition they may not
    see). "solutions" lists the write-ups in final private rank order (only once revealed)."""
    if not access.can_read_forum(viewer, competition):
        raise competition_selectors.competition_not_found(competition.slug)
    sort = sort if sort in SORTS else "hot"
    filter = filter if filter in FILTERS else "all"
    topics = forum_topics(competition).select_related("author")
    if filter == "announcements":
        topics = topics.filter(kind=Topic.Kind.ANNOUNCEMENT)
    ranks: dict[int, int] = {}
    ordered_ids: list[int] | None = None
    if filter == "solutions":
        topics = topics.filter(kind=Topic.Kind.WRITEUP)
        ranks = current_writeup_ranks(competition) if competition else {}
        found = list(topics.values_list("pk", "writeup_team_id"))
        ordered_ids = [
            pk for pk, team in sorted(found, key=lambda r: (ranks.get(r[1], 10**9), r[0]))
        ]
    query = (query or "").strip()[:200]
    if query:
        matched = search.search_topic_ids(
            query, competition_id=competition.pk if competition else None
        )
        inside = set(topics.filter(pk__in=matched).values_list("pk", flat=True))
        order = ordered_ids if ordered_ids is not None else matched
        ordered_ids = [pk for pk in order if pk in inside and pk in set(matched)]
    if ordered_ids is not None:
        total = len(ordered_ids)
        pages, number = _pages(total, per_page, page)
        chosen = ordered_ids[(number - 1) * per_page : number * per_page]
        found = {t.pk: t for t in topics.filter(pk__in=chosen)}
        page_topics = [found[pk] for pk in chosen if pk in found]
    else:
        total = topics.count()
        pages, number = _pages(total, per_page, page)
        start = (number - 1) * per_page
        page_topics = list(topics.order_by(*_ORDER[sort])[start : start + per_page])
    moderator = access.is_moderator(viewer, competition)
    rows = _rows(page_topics, viewer=viewer, competition=competition, moderator=moderator)
    if filter == "solutions" or any(t.kind == Topic.Kind.WRITEUP for t in page_topics):
        ranks = ranks or (current_writeup_ranks(competition) if competition else {})
        teams = {t.pk: t.writeup_team_id for t in page_topics}
        rows = [_with_rank(r, ranks.get(teams[r.pk])) for r in rows]
    return TopicPage(
        rows=rows,
        number=number,
        pages=pages,
        total=total,
        sort=sort,
        filter=filter,
        query=query,
        moderator=moderator,
    )


def _pages(total: int, per_page: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // per_page))
    return pages, min(max(1, page), pages)


def _with_rank(row: TopicRow, rank: int | None) -> TopicRow:
    from dataclasses import replace

    return replace(row, rank=rank)


def _rows(topics: list[Topic], *, viewer, competition, moderator: bool) -> list[TopicRow]:
    badges = author_badges(competition=competition, author_ids={t.author_id for t in topics})
    voted: set[int] = set()
    if viewer.is_authenticated and topics:
        voted = set(
            TopicVote.objects.filter(user=viewer, topic__in=topics).values_list(
                "topic_id", flat=True
            )
        )
    rows = []
    for t in topics:
        readable = not t.is_hidden or moderator or t.author_id == viewer.pk
        rows.append(
            TopicRow(
                pk=t.pk,
                title=t.title if readable else HIDDEN_TITLE,
                kind=t.kind,
                pinned=t.pinned,
                locked=t.locked,
                hidden=t.is_hidden,
                author=t.author.get_username(),
                author_id=t.author_id,
                badges=badges.get(t.author_id, Badges()),
                vote_count=t.vote_count,
                reply_count=t.reply_count,
                created_at=t.created_at,
                last_activity_at=t.last_activity_at,
                voted=t.pk in voted,
            )
        )
    return rows
