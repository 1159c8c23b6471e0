"""Every write of the discussion app (keyword-only, atomic, DomainError with discussion codes).

- ``posting``: topics, announcements, write-ups, replies, the team thread, edits.
- ``votes``: casting and withdrawing votes, the counts exact under concurrency.
- ``moderation``: pin, lock, hide and unhide; reports.
"""

from podium.discussion.services.moderation import (
    post_hide,
    post_report,
    post_unhide,
    topic_lock,
    topic_pin,
)
from podium.discussion.services.posting import (
    announcement_create,
    post_edit,
    reply_create,
    team_thread_post,
    topic_create,
    writeup_create,
)
from podium.discussion.services.votes import vote_cast, vote_withdraw

__all__ = [
    "announcement_create",
    "post_edit",
    "post_hide",
    "post_report",
    "post_unhide",
    "reply_create",
    "team_thread_post",
    "topic_create",
    "topic_lock",
    "topic_pin",
    "vote_cast",
    "vote_withdraw",
    "writeup_create",
]
