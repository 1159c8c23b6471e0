"""Reports in the admin: each forum's moderators see theirs (an organizer only their
competitions', never a team thread's), and hide the reported posts with the action."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from podium.discussion import services
from podium.discussion.models import Reply
from podium.teams.selectors import team_for_user
from tests.podium.factories import CompetitionFactory, organizer, superuser

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:discussion_report_changelist")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_organizers_see_their_forums_reports_and_hide_the_posts(forum):
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title="Q", body="?"
    )
    reply = services.reply_create(user=forum.bob, topic=topic, body="rude")
    report = services.post_report(user=forum.ann, reply=reply, reason="Rude words")
    team = team_for_user(user=forum.ann, competition=forum.competition)
    secret = services.team_thread_post(user=forum.ann, team=team, body="team secret")
    services.post_report(user=forum.ann, reply=secret, reason="team thread report")

    page = signed_in(forum.host).get(CHANGELIST).content.decode()
    assert "Rude words" in page and "team thread report" not in page
    other = organizer(CompetitionFactory(), "other-host")
    assert "Rude words" not in signed_in(other).get(CHANGELIST).content.decode()
    assert "team thread report" in signed_in(superuser()).get(CHANGELIST).content.decode()
    assert signed_in(forum.bob).get(CHANGELIST).status_code == 302  # not staff: the login

    response = signed_in(forum.host).post(
        CHANGELIST, {"action": "hide_posts", "_selected_action": [report.pk]}, follow=True
    )
    assert "1 post(s) hidden." in response.content.decode()
    assert Reply.objects.get(pk=reply.pk).hidden_by == forum.host
