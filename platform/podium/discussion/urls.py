"""Where a topic is read on the site: the paths notifications and lists link to. Plain strings
(the discussion app sits below ``web`` and does not reverse its URLs); ``tests/podium/web/
test_discussion_pages.py`` checks them against ``web/urls.py``."""

from __future__ import annotations

from podium.discussion.models import Reply, Topic


def forum_url(competition=None, team=None) -> str:
    if team is not None:
        return f"/competitions/{team.competition.slug}/team/thread/"
    if competition is not None:
        return f"/competitions/{competition.slug}/discussion/"
    return "/discussion/"


def topic_url(topic: Topic, *, reply: Reply | None = None) -> str:
    if topic.team_id is not None:
        base = forum_url(team=topic.team)
    else:
        base = f"{forum_url(topic.competition)}{topic.pk}/"
    return base + (f"#reply-{reply.pk}" if reply is not None else "")
