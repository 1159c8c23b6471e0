"""The discussion services: who may post where, replies, edits, votes, moderation, reports,
announcements, write-ups and the team thread; notifications they send."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from podium.competitions.models import Competition
from podium.core.errors import DomainError
from podium.discussion import services
from podium.discussion.models import Reply, Report, Topic
from podium.notifications.models import Kind, Notification
from podium.teams.selectors import team_for_user
from tests.podium.discussion.conftest import finished
from tests.podium.factories import CompetitionFactory, UserFactory, participant

pytestmark = pytest.mark.django_db


def refused(code: str, call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def told(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_a_participant_asks_and_another_replies_the_author_is_told(forum):
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title=" Leak in id? ", body="Is there?"
    )
    assert (topic.title, topic.kind, topic.reply_count) == ("Leak in id?", "discussion", 0)
    reply = services.reply_create(user=forum.bob, topic=topic, body="No leak.")
    topic.refresh_from_db()
    assert topic.reply_count == 1 and topic.last_activity_at == reply.created_at
    [note] = told(forum.ann, Kind.REPLY)
    assert (
        note.url
        == f"/competitions/{forum.competition.slug}/discussion/{topic.pk}/#reply-{reply.pk}"
    )
    assert note.actor_id == forum.bob.pk and "bob replied" in note.title
    assert not told(forum.bob, Kind.REPLY)  # never the actor


def test_a_reply_to_a_reply_stays_one_level_and_tells_whom_it_answers(forum):
    eve = participant(forum.competition, "eve")
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title="Q", body="?"
    )
    first = services.reply_create(user=forum.bob, topic=topic, body="A")
    second = services.reply_create(user=eve, topic=topic, body="Not A", answers=first)
    assert second.topic_id == topic.pk and second.answers_id == first.pk
    assert len(told(forum.bob, Kind.REPLY)) == 1 and len(told(forum.ann, Kind.REPLY)) == 2
    other = services.topic_create(user=eve, competition=forum.competition, title="O", body="o")
    refused(
        "reply_not_found", services.reply_create, user=eve, topic=other, body="x", answers=first
    )


def test_mentions_tell_only_those_who_may_read_the_topic(forum):
    private = CompetitionFactory(visibility=Competition.Visibility.INVITE_ONLY)
    outsider = UserFactory(username="outsider")
    inside = UserFactory(username="inside")
    private.invited_users.add(inside)
    topic = services.topic_create(
        user=inside,
        competition=private,
        title="Hi",
        body="Thanks @outsider and @inside, and mail me at x@bob.org. Also @nobody.",
    )
    assert not told(outsider, Kind.MENTION)  # cannot see the competition
    assert not told(inside, Kind.MENTION)  # the author
    site = services.topic_create(user=forum.bob, title="Site", body="@ann, @outsider.")
    assert [n.url for n in told(outsider, Kind.MENTION)] == [f"/discussion/{site.pk}/"]
    assert len(told(forum.ann, Kind.MENTION)) == 1
    assert not told(forum.bob, Kind.MENTION) and topic.pk


def test_who_may_post_where(forum):
    private = CompetitionFactory(visibility=Competition.Visibility.INVITE_ONLY, slug="secret")
    outsider = UserFactory()
    refused(
        "competition_not_found",
        services.topic_create,
        user=outsider,
        competition=private,
        title="t",
        body="b",
    )
    from django.contrib.auth.models import AnonymousUser

    refused(
        "discussion_sign_in_required",
        services.topic_create,
        user=AnonymousUser(),
        title="t",
        body="b",
    )
    refused("topic_title_invalid", services.topic_create, user=outsider, title="  ", body="b")
    refused("post_body_invalid", services.topic_create, user=outsider, title="t", body=" ")
    refused("topic_title_invalid", services.topic_create, user=outsider, title="x" * 201, body="b")
    # anyone who may view a public competition posts there, joined or not
    assert services.topic_create(user=outsider, competition=forum.competition, title="t", body="b")
    topic = Topic.objects.get(competition=forum.competition)
    Competition.objects.filter(pk=forum.competition.pk).update(status=Competition.Status.ARCHIVED)
    forum.competition.refresh_from_db()
    topic.refresh_from_db()
    refused(
        "competition_archived",
        services.topic_create,
        user=outsider,
        competition=forum.competition,
        title="t",
        body="b",
    )
    refused("competition_archived", services.reply_create, user=forum.ann, topic=topic, body="b")
    refused("competition_archived", services.vote_cast, user=forum.ann, topic=topic)


def test_edits_are_the_authors_and_marked_and_a_lock_stops_replies_and_edits(forum):
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title="Q", body="v1"
    )
    refused("not_post_author", services.post_edit, user=forum.bob, topic=topic, body="mine")
    edited = services.post_edit(user=forum.ann, topic=topic, body="v2", title="Q2")
    assert (edited.body, edited.title) == ("v2", "Q2") and edited.edited_at is not None
    reply = services.reply_create(user=forum.bob, topic=topic, body="r1")
    assert services.post_edit(user=forum.bob, reply=reply, body="r2").edited_at
    refused("not_a_moderator", services.topic_lock, user=forum.ann, topic=topic)
    services.topic_lock(user=forum.host, topic=topic)
    refused("topic_locked", services.reply_create, user=forum.bob, topic=topic, body="late")
    refused("topic_locked", services.post_edit, user=forum.bob, reply=reply, body="r3")
    services.topic_lock(user=forum.host, topic=topic, locked=False)
    assert services.reply_create(user=forum.bob, topic=topic, body="open again")


def test_votes_one_per_user_not_on_your_own_post_withdrawable(forum):
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title="Q", body="?"
    )
    hot = topic.hot
    refused("own_post_vote", services.vote_cast, user=forum.ann, topic=topic)
    assert services.vote_cast(user=forum.bob, topic=topic) == 1
    refused("post_already_voted", services.vote_cast, user=forum.bob, topic=topic)
    assert services.vote_cast(user=forum.host, topic=topic) == 2
    topic.refresh_from_db()
    assert topic.vote_count == 2 and topic.hot > hot
    assert services.vote_withdraw(user=forum.bob, topic=topic) == 1
    refused("post_not_voted", services.vote_withdraw, user=forum.bob, topic=topic)
    reply = services.reply_create(user=forum.bob, topic=topic, body="A")
    assert services.vote_cast(user=forum.ann, reply=reply) == 1
    refused("own_post_vote", services.vote_cast, user=forum.bob, reply=reply)
    assert Reply.objects.get(pk=reply.pk).vote_count == 1


def test_moderators_pin_hide_and_unhide_and_only_they(forum):
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title="Q", body="?"
    )
    reply = services.reply_create(user=forum.bob, topic=topic, body="spam")
    for call in (services.topic_pin, services.post_hide):
        refused("not_a_moderator", call, user=forum.bob, topic=topic)
    assert services.topic_pin(user=forum.host, topic=topic).pinned
    hidden = services.post_hide(user=forum.host, reply=reply)
    assert hidden.hidden_at and hidden.hidden_by == forum.host
    assert services.post_unhide(user=forum.host, reply=reply).hidden_at is None
    # an organizer of another competition moderates nothing here
    from tests.podium.factories import organizer

    other = organizer(CompetitionFactory())
    refused("not_a_moderator", services.post_hide, user=other, topic=topic)
    # the site forum: the staff
    site = services.topic_create(user=forum.ann, title="S", body="s")
    refused(
        "not_a_moderator", services.topic_pin, user=forum.host, topic=site
    ) if not forum.host.is_staff else None
    assert services.post_hide(user=other, topic=site).hidden_at  # organizers are staff


def test_reports_once_per_post_with_a_reason(forum):
    topic = services.topic_create(
        user=forum.ann, competition=forum.competition, title="Q", body="?"
    )
    refused(
        "post_report_reason_invalid", services.post_report, user=forum.bob, topic=topic, reason=" "
    )
    report = services.post_report(user=forum.bob, topic=topic, reason="Off topic")
    assert (report.reason, report.reply_id) == ("Off topic", None)
    refused("post_already_reported", services.post_report, user=forum.bob, topic=topic, reason="x")
    reply = services.reply_create(user=forum.ann, topic=topic, body="r")
    assert services.post_report(user=forum.bob, reply=reply, reason="Rude").reply_id == reply.pk
    assert Report.objects.count() == 2


def test_announcements_are_the_organizers_and_tell_every_participant(forum):
    refused(
        "not_a_moderator",
        services.announcement_create,
        user=forum.ann,
        competition=forum.competition,
        title="A",
        body="b",
    )
    topic = services.announcement_create(
        user=forum.host, competition=forum.competition, title="New data", body="v2 is out"
    )
    assert topic.kind == "announcement" and topic.pinned
    for user in (forum.ann, forum.bob):
        [note] = told(user, Kind.ANNOUNCEMENT)
        assert note.title == "Titanic: New data" and note.url.endswith(f"/discussion/{topic.pk}/")
    assert not told(forum.host, Kind.ANNOUNCEMENT)


def test_a_writeup_waits_for_the_reveal():
    world = finished(reveal=False)
    refused(
        "writeup_before_reveal",
        services.writeup_create,
        user=world.ann,
        competition=world.competition,
        title="1st place",
        body="GBMs",
    )


def test_a_team_posts_one_writeup_with_its_final_rank():
    world = finished()
    topic = services.writeup_create(
        user=world.ann, competition=world.competition, title="1st place", body="GBMs"
    )
    team = team_for_user(user=world.ann, competition=world.competition)
    assert (topic.kind, topic.writeup_team, topic.writeup_rank) == ("writeup", team, 1)
    refused(
        "writeup_exists",
        services.writeup_create,
        user=world.ann,
        competition=world.competition,
        title="again",
        body="x",
    )
    bob = services.writeup_create(
        user=world.bob, competition=world.competition, title="2", body="x"
    )
    assert bob.writeup_rank == 2
    outsider = get_user_model().objects.get(username="cal")  # joined, never on the board
    refused(
        "writeup_team_not_on_board",
        services.writeup_create,
        user=outsider,
        competition=world.competition,
        title="t",
        body="b",
    )


def test_the_team_thread_is_its_members_only(forum):
    team = team_for_user(user=forum.ann, competition=forum.competition)
    refused("not_team_member", services.team_thread_post, user=forum.bob, team=team, body="hi")
    refused("not_team_member", services.team_thread_post, user=forum.host, team=team, body="hi")
    first = services.team_thread_post(user=forum.ann, team=team, body="note to self")
    second = services.team_thread_post(user=forum.ann, team=team, body="again")
    assert first.topic_id == second.topic_id
    thread = Topic.objects.get(team=team)
    assert (thread.kind, thread.reply_count) == ("team", 2)
    # a mention of someone outside the team tells nobody
    services.team_thread_post(user=forum.ann, team=team, body="@bob look")
    assert not told(forum.bob, Kind.MENTION)
