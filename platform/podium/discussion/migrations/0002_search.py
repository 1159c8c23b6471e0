"""Full-text search over topics and replies, one index per database (``discussion.search``).

PostgreSQL: GIN expression indexes over the very ``to_tsvector`` expression the selector's
SearchVector compiles to, so the planner uses them. SQLite: an FTS5 virtual table
(``discussion_fts``) that the services keep in step. Each half runs only on its database.
"""

from django.db import migrations

PG_INDEXES = [
    "CREATE INDEX IF NOT EXISTS topic_search ON discussion_topic USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(body, '')))",
    "CREATE INDEX IF NOT EXISTS reply_search ON discussion_reply USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(body, '')))",
]
PG_DROP = ["DROP INDEX IF EXISTS topic_search", "DROP INDEX IF EXISTS reply_search"]
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS discussion_fts USING fts5("
    "text, topic_id UNINDEXED, reply_id UNINDEXED, tokenize='porter unicode61')"
)
SQLITE_DROP = "DROP TABLE IF EXISTS discussion_fts"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in PG_INDEXES:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in PG_DROP:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("discussion", "0001_topics_replies_votes_reports")]

    operations = [migrations.RunPython(forwards, backwards)]
