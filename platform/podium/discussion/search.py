"""Full-text search over topics and replies: one function, two backends.

PostgreSQL: ``SearchQuery`` (English stemming, ``websearch`` syntax) against the stored
``search_document`` columns (generated from the text, migration 0003; not model fields), ranked
by ``SearchRank`` and served by their GIN indexes. SQLite (the embedded
default): the FTS5 table ``discussion_fts`` (porter stemming), ranked by bm25; the services keep
it in step through ``index_topic`` / ``index_reply`` / ``unindex_*``, which do nothing on
PostgreSQL (its index follows the rows by itself).
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, Max
from django.db.models.expressions import RawSQL

from podium.discussion.models import Reply, Topic

CONFIG = "english"
CANDIDATES = 500  # matching topics read before the visibility filter
_WORD = re.compile(r"\w+", re.UNICODE)


def _fts() -> bool:
    return connection.vendor == "sqlite"


def index_topic(topic: Topic) -> None:
    if not _fts():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM discussion_fts WHERE topic_id = %s AND reply_id = 0", [topic.pk]
        )
        cursor.execute(
            "INSERT INTO discussion_fts (text, topic_id, reply_id) VALUES (%s, %s, 0)",
            [f"{topic.title}\n{topic.body}", topic.pk],
        )


def index_reply(reply: Reply) -> None:
    if not _fts():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM discussion_fts WHERE reply_id = %s", [reply.pk])
        cursor.execute(
            "INSERT INTO discussion_fts (text, topic_id, reply_id) VALUES (%s, %s, %s)",
            [reply.body, reply.topic_id, reply.pk],
        )


def index_rebuild() -> int:
    """SQLite: the FTS5 table rebuilt from the rows, for a restore (a backup carries the rows,
    never this table, and ``flush`` leaves it as it was); returns the entries written.
    PostgreSQL: nothing to do (its documents are generated columns)."""
    if not _fts():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM discussion_fts")
        cursor.execute(
            "INSERT INTO discussion_fts (text, topic_id, reply_id) "
            "SELECT title || char(10) || body, id, 0 FROM discussion_topic"
        )
        written = cursor.rowcount
        cursor.execute(
            "INSERT INTO discussion_fts (text, topic_id, reply_id) "
            "SELECT body, topic_id, id FROM discussion_reply"
        )
        return written + cursor.rowcount


def search_topic_ids(
    query: str, *, competition_id: int | None, limit: int = CANDIDATES
) -> list[int]:
    """The ids of one forum's topics (``competition_id``'s, or the site forum's for None; never
    a team's thread) whose title, body or a reply match ``query``, best first (hidden posts
    never match). Empty for a query with no word."""
    words = _WORD.findall(query or "")
    if not words:
        return []
    if _fts():
        return _sqlite(words, competition_id, limit)
    return _postgresql(query, competition_id, limit)


def _sqlite(words: list[str], competition_id: int | None, limit: int) -> list[int]:
    # Each word quoted: FTS5's own syntax (AND, NEAR, column:) is never read from a visitor.
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    sql = """
        WITH m AS MATERIALIZED (  -- bm25() only where the MATCH is, never in the GROUP BY
            SELECT topic_id, reply_id, bm25(discussion_fts) AS score
            FROM discussion_fts WHERE discussion_fts MATCH %s
        )
        SELECT m.topic_id, MIN(m.score) AS best FROM m
        JOIN discussion_topic AS t ON t.id = m.topic_id AND t.hidden_at IS NULL
            AND t.team_id IS NULL AND t.competition_id IS %s
        LEFT JOIN discussion_reply AS r ON r.id = m.reply_id
        WHERE m.reply_id = 0 OR r.hidden_at IS NULL
        GROUP BY m.topic_id ORDER BY best, m.topic_id DESC LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, competition_id, limit])
        return [int(row[0]) for row in cursor.fetchall()]


def stored_document(table: str) -> RawSQL:
    """A row's stored search document (PostgreSQL's generated column, migration 0003)."""
    return RawSQL(f'"{table}"."search_document"', [], output_field=SearchVectorField())


def postgresql_querysets(query: str, competition_id: int | None):
    """The two ranked queries (topics, replies) of a PostgreSQL search: each matches and ranks
    the stored document its GIN index covers (migration 0003), never re-parsing the text."""
    wanted = SearchQuery(query, config=CONFIG, search_type="websearch")
    topics = (
        Topic.objects.filter(hidden_at__isnull=True, competition_id=competition_id, team=None)
        .annotate(document=stored_document(Topic._meta.db_table))
        .filter(document=wanted)
        .annotate(score=SearchRank(F("document"), wanted))
        .order_by("-score", "-pk")
        .values_list("pk", "score")
    )
    replies = (
        Reply.objects.filter(
            hidden_at__isnull=True,
            topic__hidden_at__isnull=True,
            topic__competition_id=competition_id,
            topic__team=None,
        )
        .annotate(document=stored_document(Reply._meta.db_table))
        .filter(document=wanted)
        .values("topic_id")
        .annotate(score=Max(SearchRank(F("document"), wanted)))
        .order_by("-score", "-topic_id")
        .values_list("topic_id", "score")
    )
    return topics, replies


def _postgresql(query: str, competition_id: int | None, limit: int) -> list[int]:
    topics, replies = postgresql_querysets(query, competition_id)
    best: dict[int, float] = {}
    for pk, score in [*topics[:limit], *replies[:limit]]:
        best[pk] = max(score, best.get(pk, 0.0))
    return sorted(best, key=lambda pk: (-best[pk], -pk))[:limit]
