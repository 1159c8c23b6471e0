"""The discussion selectors: list orders and filters, search on both databases, placeholders
for hidden posts, author badges in a fixed number of queries, write-ups' ranks, and the reads
other apps use (author_post_votes, posts_by_author)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from podium.accounts.models import Profile, Tier
from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.discussion import selectors, services
from podium.discussion.hot import hot_score
from podium.discussion.models import Topic
from podium.teams.selectors import team_for_user
from tests.podium.discussion.conftest import finished
from tests.podium.factories import CompetitionFactory, UserFactory, participant, scored

pytestmark = pytest.mark.django_db


def titles(page) -> list[str]:
    return [row.title for row in page.rows]


def test_hot_mixes_votes_and_recency_as_written():
    moment = now()
    later = moment + timedelta(seconds=45_000)
    assert hot_score(9, moment) == pytest.approx(hot_score(0, later))
    assert hot_score(99, moment) == pytest.approx(hot_score(9, later))
    assert hot_score(0, moment) < hot_score(1, moment) < hot_score(2, moment)


def test_sorts_put_pinned_first(forum):
    c = forum.competition
    old = services.topic_create(user=forum.ann, competition=c, title="old", body="x")
    Topic.objects.filter(pk=old.pk).update(created_at=now() - timedelta(days=3))
    old.refresh_from_db()
    voted = services.topic_create(user=forum.ann, competition=c, title="voted", body="x")
    services.topic_create(user=forum.ann, competition=c, title="quiet", body="x")
    for user in (forum.bob, forum.host):
        services.vote_cast(user=user, topic=old)
    services.vote_cast(user=forum.bob, topic=voted)
    services.reply_create(user=forum.bob, topic=voted, body="bump")
    viewer = forum.bob
    assert titles(selectors.topic_list(viewer=viewer, competition=c, sort="votes")) == [
        "old",
        "voted",
        "quiet",
    ]
    assert titles(selectors.topic_list(viewer=viewer, competition=c, sort="recent")) == [
        "voted",
        "quiet",
        "old",
    ]
    # hot: three days old with two votes loses to today's topic with one
    assert titles(selectors.topic_list(viewer=viewer, competition=c))[:2] == ["voted", "quiet"]
    services.topic_pin(user=forum.host, topic=old)
    for sort in selectors.SORTS:
        assert titles(selectors.topic_list(viewer=viewer, competition=c, sort=sort))[0] == "old"
    announcement = services.announcement_create(user=forum.host, competition=c, title="A", body="b")
    page = selectors.topic_list(viewer=viewer, competition=c, filter="announcements")
    assert [r.pk for r in page.rows] == [announcement.pk]
    # the site forum and the competition's never mix
    services.topic_create(user=forum.ann, title="site", body="x")
    assert titles(selectors.topic_list(viewer=AnonymousUser())) == ["site"]


def test_a_forum_of_a_competition_one_may_not_see_is_not_found():
    private = CompetitionFactory(visibility=Competition.Visibility.INVITE_ONLY)
    from podium.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.topic_list(viewer=UserFactory(), competition=private)


def test_search_finds_topics_and_replies_ranked_on_this_database(forum):
    c = forum.competition
    a = services.topic_create(
        user=forum.ann,
        competition=c,
        title="Target encoding",
        body="Target encoding helps; encoding by folds",
    )
    b = services.topic_create(user=forum.ann, competition=c, title="Validation", body="Use folds")
    services.reply_create(user=forum.bob, topic=b, body="Stratified folds and target encoding")
    hidden = services.topic_create(user=forum.ann, competition=c, title="encoding", body="spam")
    services.post_hide(user=forum.host, topic=hidden)
    services.topic_create(user=forum.ann, title="Site encoding", body="elsewhere")
    found = selectors.topic_list(viewer=forum.bob, competition=c, query="encoding")
    assert {r.pk for r in found.rows} == {a.pk, b.pk}  # stemmed, replies too, no hidden
    assert [r.pk for r in found.rows][0] == a.pk  # three mentions outrank one
    site = selectors.topic_list(viewer=forum.bob, query="encoding")  # each forum its own
    assert [r.title for r in site.rows] == ["Site encoding"]
    assert {
        r.pk for r in selectors.topic_list(viewer=forum.bob, competition=c, query="fold").rows
    } == {
        a.pk,
        b.pk,
    }
    # an edit is searched as edited; what a visitor types is never search syntax
    services.post_edit(user=forum.ann, topic=a, body="Frequency counts", title="Features")
    assert selectors.topic_list(viewer=forum.bob, competition=c, query="target").total == 1
    assert selectors.topic_list(viewer=forum.bob, competition=c, query="frequency").total == 1
    for odd in ('"unbalanced', "AND OR NOT", "col:x*", "-(", "NEAR(a b)"):
        selectors.topic_list(viewer=forum.bob, competition=c, query=odd)
    assert selectors.topic_list(viewer=forum.bob, competition=c, query="  ").total == 3


def test_a_hidden_post_is_a_placeholder_but_to_moderators_and_its_author(forum):
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title="T", body="?"
    )
    reply = services.reply_create(user=forum.bob, topic=topic, body="rude words")
    services.post_hide(user=forum.host, reply=reply)
    services.post_hide(user=forum.host, topic=topic)
    eve = UserFactory(username="eve")
    for viewer, sees in ((eve, False), (AnonymousUser(), False), (forum.host, True)):
        page = selectors.topic_page(topic=topic, viewer=viewer)
        assert (page.replies[0].body == "rude words") is sees
        assert page.replies[0].placeholder is not sees and page.replies[0].hidden
        assert (page.title == "T") is sees
    assert selectors.topic_page(topic=topic, viewer=forum.bob).replies[0].body == "rude words"
    rows = selectors.topic_list(viewer=eve, competition=forum.competition).rows
    assert rows[0].title == selectors.HIDDEN_TITLE


def test_badges_tier_host_and_public_rank_in_a_fixed_number_of_queries():
    world = finished(reveal=False)
    c = world.competition
    Profile.objects.create(user=world.bob, tier=Tier.MASTER)
    topic = services.topic_create(user=world.ann, competition=c, title="T", body="?")
    services.reply_create(user=world.bob, topic=topic, body="a")
    services.reply_create(user=world.host, topic=topic, body="b")
    page = selectors.topic_page(topic=topic, viewer=world.ann)
    badges = {p.author: p.badges for p in [page.post, *page.replies]}
    assert (
        badges["bob"].tier_label == "Master"
        and badges["bob"].rank_text == "1st in this competition"
    )
    assert badges["ann"].tier_label == "Novice" and badges["ann"].public_rank == 2
    assert badges["host"].host and badges["host"].public_rank is None
    with CaptureQueriesContext(connection) as few:
        selectors.topic_page(topic=topic, viewer=world.ann)
    for i in range(6):
        user = participant(CompetitionFactory(), f"x{i}")
        services.reply_create(user=user, topic=topic, body="more")
    with CaptureQueriesContext(connection) as more:
        selectors.topic_page(topic=topic, viewer=world.ann)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_ordinals():
    got = [selectors.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 112)]
    assert got == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "112th",
    ]


def test_solutions_list_writeups_in_final_private_rank_order():
    world = finished()
    c = world.competition
    second = services.writeup_create(user=world.bob, competition=c, title="2nd", body="x")
    first = services.writeup_create(user=world.ann, competition=c, title="1st", body="y")
    page = selectors.topic_list(viewer=AnonymousUser(), competition=c, filter="solutions")
    assert [(r.pk, r.rank) for r in page.rows] == [(first.pk, 1), (second.pk, 2)]
    links = selectors.writeup_links(c)
    assert links[team_for_user(user=world.ann, competition=c).pk] == first.pk
    assert selectors.topic_page(topic=first, viewer=AnonymousUser()).writeup_rank == 1
    # the rank is re-read: a late score change moves it
    scored(world.bob, c, public=0.5, private=0.99, late=False)
    from podium.leaderboards.services import private_board_build

    private_board_build(competition=c)
    page = selectors.topic_list(viewer=AnonymousUser(), competition=c, filter="solutions")
    assert [(r.pk, r.rank) for r in page.rows] == [(second.pk, 1), (first.pk, 2)]


def test_nothing_private_before_the_reveal():
    world = finished(reveal=False)
    assert selectors.current_writeup_ranks(world.competition) == {}
    assert selectors.writeup_links(world.competition) == {}


def test_author_post_votes_counts_visible_posts_only(forum):
    c = forum.competition
    t1 = services.topic_create(user=forum.ann, competition=c, title="a", body="x")
    t2 = services.topic_create(user=forum.ann, competition=c, title="b", body="x")
    r1 = services.reply_create(user=forum.ann, topic=t2, body="r")
    services.vote_cast(user=forum.bob, topic=t1)
    services.vote_cast(user=forum.host, topic=t1)
    services.vote_cast(user=forum.bob, reply=r1)
    services.post_hide(user=forum.host, topic=t2)  # its replies go with it
    team = team_for_user(user=forum.ann, competition=c)
    services.team_thread_post(user=forum.ann, team=team, body="private")
    got = selectors.author_post_votes(user_ids=[forum.ann.pk, forum.bob.pk])
    assert got == {forum.ann.pk: [2], forum.bob.pk: []}


def test_posts_by_author_lists_only_what_the_viewer_may_read(forum):
    private = CompetitionFactory(visibility=Competition.Visibility.INVITE_ONLY, title="Secret")
    private.invited_users.add(forum.ann)
    services.topic_create(user=forum.ann, competition=private, title="secret", body="s")
    services.topic_create(user=forum.ann, competition=forum.competition, title="open", body="o")
    site = services.topic_create(user=forum.ann, title="site", body="s")
    gone = services.topic_create(user=forum.ann, title="gone", body="g")
    services.post_hide(user=forum.host, topic=gone)
    services.reply_create(user=forum.ann, topic=site, body="my reply")
    team = team_for_user(user=forum.ann, competition=forum.competition)
    services.team_thread_post(user=forum.ann, team=team, body="team only")
    eve = UserFactory()
    seen = [
        (p.kind, p.topic_title) for p in selectors.posts_by_author(author=forum.ann, viewer=eve)
    ]
    assert seen == [("reply", "site"), ("topic", "site"), ("topic", "open")]
    own = {p.topic_title for p in selectors.posts_by_author(author=forum.ann, viewer=forum.ann)}
    assert {"secret", "gone", "ann: team thread"} <= own
    assert len(selectors.posts_by_author(author=forum.ann, viewer=forum.ann, limit=2)) == 2


def test_postgresql_search_uses_the_gin_indexes_of_the_stored_documents(forum):
    """The search matches the stored documents the GIN indexes cover (migration 0003): filtered
    on the text match alone, with sequential scans off, the plan uses each index."""
    if connection.vendor != "postgresql":
        pytest.skip("the GIN indexes are PostgreSQL's (SQLite searches its FTS5 table)")
    from django.contrib.postgres.search import SearchQuery
    from django.db import transaction

    from podium.discussion.models import Reply
    from podium.discussion.search import CONFIG, stored_document

    wanted = SearchQuery("target encoding", config=CONFIG, search_type="websearch")
    topics = Topic.objects.annotate(document=stored_document(Topic._meta.db_table))
    replies = Reply.objects.annotate(document=stored_document(Reply._meta.db_table))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the plan choose
        assert "topic_search" in topics.filter(document=wanted).explain()
        assert "reply_search" in replies.filter(document=wanted).explain()
