"""Every read of the discussion app, with who-may-see-what applied here (``discussion.access``).

- ``lists``: a forum's topic list (hot / recent / votes, filters, search).
- ``topics``: a topic's page, its replies, badges and votes; a team's thread.
- ``badges``: tier, Host and public rank of each author of a page, in a fixed number of queries.
- ``writeups``: write-ups' ranks and links, re-read from the private board once revealed.
- ``authors``: ``author_post_votes`` (discussion medals) and ``posts_by_author`` (profiles).
"""

from podium.discussion.selectors.authors import AuthorPost, author_post_votes, posts_by_author
from podium.discussion.selectors.badges import Badges, author_badges, ordinal
from podium.discussion.selectors.lists import (
    FILTERS,
    HIDDEN_TITLE,
    SORTS,
    TopicPage,
    TopicRow,
    forum_topics,
    topic_list,
)
from podium.discussion.selectors.topics import (
    HIDDEN_TEXT,
    Post,
    reply_find,
    reply_get,
    team_thread,
    topic_find,
    topic_get,
    topic_page,
)
from podium.discussion.selectors.topics import TopicPage as TopicDetail
from podium.discussion.selectors.writeups import current_writeup_ranks, writeup_links

__all__ = [
    "FILTERS",
    "HIDDEN_TEXT",
    "HIDDEN_TITLE",
    "SORTS",
    "AuthorPost",
    "Badges",
    "Post",
    "TopicDetail",
    "TopicPage",
    "TopicRow",
    "author_badges",
    "author_post_votes",
    "current_writeup_ranks",
    "forum_topics",
    "ordinal",
    "posts_by_author",
    "reply_find",
    "reply_get",
    "team_thread",
    "topic_find",
    "topic_get",
    "topic_list",
    "topic_page",
    "writeup_links",
]
