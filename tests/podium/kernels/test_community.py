"""Kernels as a community, at service and selector level: votes (one per user, never on one's
own, withdrawable), comments (notify the author, edits marked), "Copy & edit" (a new run in the
caller's name under the launch rules, crediting the source), the Kernels tab's list (All and
Mine, sorted by votes, recency or public score) and the reads other apps use."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from podium.core.errors import Conflict, DomainError, LimitReached, NotFound, PermissionDenied
from podium.kernels import selectors, services
from podium.kernels.models import KernelComment, KernelRun, KernelVote
from podium.kernels.services import kernel_settings_update
from podium.notifications.models import Kind, Notification
from podium.submissions.models import Submission
from tests.podium.factories import (
    CompetitionFactory,
    UserFactory,
    competition_with_solution,
    organizer,
    participant,
    scored,
)
from tests.podium.kernels.community_helpers import SCRIPT, finished_run
from tests.podium.kernels.helpers import small_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    return competition_with_solution(title="Community Cup")


@pytest.fixture
def alice(competition):
    return participant(competition, "alice")


@pytest.fixture
def bob(competition):
    return participant(competition, "bob")


def allow_participants(competition, **limits) -> None:
    kernel_settings_update(
        competition=competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=2,
        **limits,
    )


# -- votes ---------------------------------------------------------------------------------------


def test_one_vote_per_user_withdrawable_and_never_on_one_s_own(competition, alice, bob):
    run = finished_run(alice, competition)
    carol = participant(competition, "carol")
    assert services.kernel_vote(user=bob, run=run) == 1
    assert services.kernel_vote(user=bob, run=run) == 1  # again: still one
    assert services.kernel_vote(user=carol, run=run) == 2
    with pytest.raises(PermissionDenied) as refused:
        services.kernel_vote(user=alice, run=run)
    assert refused.value.code == "kernel_own_vote"
    assert refused.value.message == "You cannot vote for your own kernel."
    assert services.kernel_unvote(user=bob, run=run) == 1
    assert services.kernel_unvote(user=bob, run=run) == 1  # none left to withdraw
    assert list(KernelVote.objects.values_list("user__username", flat=True)) == ["carol"]


def test_an_unpublished_or_unseen_run_takes_no_vote(competition, alice, bob):
    hidden = finished_run(alice, competition, published=False)
    with pytest.raises(NotFound):  # not bob's to see: as if absent
        services.kernel_vote(user=bob, run=hidden)
    own_team = finished_run(bob, competition, published=False, title="bob's draft")
    with pytest.raises(NotFound):  # a signed-in stranger: as if absent
        services.kernel_vote(user=UserFactory(username="stranger"), run=own_team)
    with pytest.raises(PermissionDenied):
        services.kernel_vote(user=AnonymousUser(), run=finished_run(alice, competition))
    private = CompetitionFactory(visibility="invite_only")
    with pytest.raises(NotFound):
        services.kernel_vote(user=bob, run=finished_run(organizer(private), private))
    assert not KernelVote.objects.exists()


def test_an_unpublished_run_is_refused_as_such_to_those_who_see_it(competition):
    host = organizer(competition, "host")
    draft = finished_run(host, competition, published=False)
    with pytest.raises(Conflict) as refused:  # the organizers see it: refused as unpublished
        services.kernel_comment_create(user=organizer(competition, "cohost"), run=draft, body="x")
    assert refused.value.code == "kernel_not_published"


# -- comments ------------------------------------------------------------------------------------


def test_a_comment_notifies_the_author_and_an_edit_is_marked(competition, alice, bob):
    run = finished_run(alice, competition, title="LightGBM starter")
    comment = services.kernel_comment_create(user=bob, run=run, body="  Nice **work**  ")
    assert comment.body == "Nice **work**" and comment.edited_at is None
    told = Notification.objects.get()
    assert (told.recipient, told.actor, told.kind) == (alice, bob, Kind.REPLY)
    assert told.title == "bob commented on your kernel “LightGBM starter”"
    assert told.url == f"/competitions/{competition.slug}/kernels/{run.pk}/#comment-{comment.pk}"

    services.kernel_comment_create(user=alice, run=run, body="thanks")  # her own: no notice
    assert Notification.objects.count() == 1

    same = services.kernel_comment_edit(user=bob, comment=comment, body="Nice **work**")
    assert same.edited_at is None  # unchanged: no edit
    edited = services.kernel_comment_edit(user=bob, comment=comment, body="Nice work, thanks")
    assert edited.body == "Nice work, thanks" and edited.edited_at is not None
    with pytest.raises(PermissionDenied) as refused:
        services.kernel_comment_edit(user=alice, comment=comment, body="mine now")
    assert refused.value.code == "kernel_comment_not_yours"
    assert KernelComment.objects.get(pk=comment.pk).body == "Nice work, thanks"


@pytest.mark.parametrize(
    ("body", "code"),
    [("   ", "kernel_comment_empty"), ("x" * 10_001, "kernel_comment_too_long")],
)
def test_an_empty_or_too_long_comment_is_refused(competition, alice, bob, body, code):
    run = finished_run(alice, competition)
    with pytest.raises(DomainError) as refused:
        services.kernel_comment_create(user=bob, run=run, body=body)
    assert refused.value.code == code
    assert not KernelComment.objects.exists() and not Notification.objects.exists()


def test_comments_list_oldest_first_and_comment_get_hides_unseen_runs(competition, alice, bob):
    run = finished_run(alice, competition)
    first = services.kernel_comment_create(user=bob, run=run, body="first")
    second = services.kernel_comment_create(user=alice, run=run, body="second")
    assert list(selectors.kernel_comments(run=run)) == [first, second]
    assert selectors.comment_get(comment_id=first.pk, viewer=bob) == first
    KernelRun.objects.filter(pk=run.pk).update(published=False)
    assert selectors.comment_get(comment_id=first.pk, viewer=bob) is None  # alice's team's now
    assert selectors.comment_get(comment_id=first.pk, viewer=alice) == first
    assert selectors.comment_get(comment_id=10**19, viewer=alice) is None


# -- copy & edit ---------------------------------------------------------------------------------


def test_copy_a_script_in_the_caller_s_name_crediting_the_source(competition, alice, bob):
    allow_participants(competition)
    source = finished_run(alice, competition, title="copy the sample")
    copy = services.kernel_copy(user=bob, source=source)
    assert copy.pk != source.pk and copy.forked_from_id == source.pk
    assert copy.created_by == bob and copy.team.name == "bob" and not copy.is_baseline
    assert copy.status == KernelRun.Status.QUEUED and not copy.published
    assert copy.title == "copy the sample" and copy.script.read() == SCRIPT

    edited = services.kernel_copy(
        user=alice, source=source, title="mine, edited", script_text="print('hi')\n"
    )
    assert edited.script.read() == b"print('hi')\n" and edited.title == "mine, edited"
    credit = selectors.copy_credit(run=copy, viewer=bob)
    assert (credit.author, credit.title, credit.run) == ("alice", "copy the sample", source)
    assert selectors.copy_credit(run=source, viewer=bob) is None


def test_copy_a_baseline_with_its_config_or_an_edit(competition, bob):
    allow_participants(competition, max_concurrent_runs=5)
    host = organizer(competition, "host")
    source = finished_run(host, competition, title="MLP", baseline="breast_cancer_mlp")
    copy = services.kernel_copy(user=bob, source=source)
    assert (copy.source, copy.baseline) == ("baseline", "breast_cancer_mlp")
    assert copy.config == source.config.strip() and copy.forked_from == source
    edit = small_config("breast_cancer_mlp")
    edited = services.kernel_copy(user=bob, source=source, config=edit, title="fewer epochs")
    assert edited.config == edit.strip() and edited.title == "fewer epochs"
    with pytest.raises(DomainError) as refused:  # the edit is checked as a launch checks it
        services.kernel_copy(user=bob, source=source, config="name: x\nep: 1")
    assert refused.value.code == "kernel_bad_config"
    assert KernelRun.objects.filter(created_by=bob).count() == 2


def test_copy_follows_the_launch_rules_and_quotas(competition, alice, bob):
    source = finished_run(alice, competition)
    with pytest.raises(PermissionDenied) as refused:  # participants may not run kernels here
        services.kernel_copy(user=bob, source=source)
    assert refused.value.message == "Only the organizers run kernels in this competition."
    allow_participants(competition, max_daily_runs=1)
    services.kernel_copy(user=bob, source=source)
    KernelRun.objects.filter(created_by=bob).update(status=KernelRun.Status.SUCCEEDED)
    with pytest.raises(LimitReached) as refused:
        services.kernel_copy(user=bob, source=source)
    assert refused.value.code == "kernel_too_many_runs"
    hidden = finished_run(alice, competition, published=False)
    with pytest.raises(NotFound):
        services.kernel_copy(user=bob, source=hidden)
    assert KernelRun.objects.filter(created_by=bob).count() == 1


def test_an_organizer_s_copy_runs_for_the_baseline_team(competition, alice):
    host = organizer(competition, "host")
    copy = services.kernel_copy(user=host, source=finished_run(alice, competition))
    assert copy.is_baseline and copy.team.name == "Baseline" and copy.created_by == host


# -- the Kernels tab's list -------------------------------------------------------------------


def test_all_lists_published_kernels_by_votes_recency_or_public_score(competition, alice, bob):
    host = organizer(competition, "host")
    carol = participant(competition, "carol")
    good = scored(alice, competition, 0.91, 0.55)
    fair = scored(bob, competition, 0.80, 0.95)
    old = finished_run(alice, competition, title="old", submission=good, days_ago=3)
    new = finished_run(bob, competition, title="new", submission=fair, days_ago=1)
    plain = finished_run(host, competition, title="plain")
    draft = finished_run(host, competition, title="draft", published=False)
    for voter in (bob, carol):
        services.kernel_vote(user=voter, run=old)
    services.kernel_vote(user=carol, run=plain)
    services.kernel_comment_create(user=carol, run=new, body="hello")

    def titles(viewer, **kwargs):
        cards = selectors.kernel_cards(competition=competition, viewer=viewer, **kwargs)
        return [card.run.title for card in cards]

    assert titles(carol) == ["old", "plain", "new"]  # votes, then the newest
    assert titles(carol, sort="recent") == ["plain", "new", "old"]
    assert titles(carol, sort="score") == ["old", "new", "plain"]  # higher AUC first
    assert titles(AnonymousUser()) == ["old", "plain", "new"]
    assert titles(host) == ["old", "plain", "draft", "new"]  # its organizers see every run
    cards = {c.run.title: c for c in selectors.kernel_cards(competition=competition, viewer=carol)}
    assert (cards["old"].vote_count, cards["old"].comment_count, cards["old"].voted) == (2, 0, True)
    assert (cards["new"].vote_count, cards["new"].comment_count, cards["new"].voted) == (
        0,
        1,
        False,
    )
    assert cards["old"].author == "alice" and cards["old"].public_score == 0.91
    assert cards["plain"].public_score is None
    for card in cards.values():  # a private score is nowhere on a card
        assert 0.55 not in vars(card).values() and 0.95 not in vars(card).values()
    assert draft.pk not in [c.run.pk for c in cards.values()]


def test_score_sort_follows_the_metric_and_leaves_off_board_scores_out():
    competition = competition_with_solution(metric="rmse")
    ann, ben = participant(competition, "ann"), participant(competition, "ben")
    low = finished_run(ann, competition, title="low", submission=scored(ann, competition, 0.2, 0.3))
    finished_run(ben, competition, title="high", submission=scored(ben, competition, 0.4, 0.1))
    cards = selectors.kernel_cards(competition=competition, viewer=ann, sort="score")
    assert [c.run.title for c in cards] == ["low", "high"]  # lower RMSE first
    Submission.objects.filter(pk=low.submission_id).update(is_late=True)  # off the board
    cards = selectors.kernel_cards(competition=competition, viewer=ann, sort="score")
    assert [(c.run.title, c.public_score) for c in cards] == [("high", 0.4), ("low", None)]
    Submission.objects.filter(pk=low.submission_id).update(is_late=False, is_test=True)
    cards = selectors.kernel_cards(competition=competition, viewer=ann, sort="score")
    assert [(c.run.title, c.public_score) for c in cards] == [("high", 0.4), ("low", None)]


def test_mine_lists_the_viewer_s_and_their_team_s_runs(competition, alice, bob):
    host = organizer(competition, "host")
    finished_run(host, competition, title="theirs")
    finished_run(alice, competition, title="hers, published")
    finished_run(alice, competition, title="hers, draft", published=False)
    assert [
        c.run.title
        for c in selectors.kernel_cards(
            competition=competition, viewer=alice, tab="mine", sort="recent"
        )
    ] == [
        "hers, draft",
        "hers, published",
    ]
    assert selectors.kernel_cards(competition=competition, viewer=bob, tab="mine") == []
    assert selectors.kernel_cards(competition=competition, viewer=AnonymousUser(), tab="mine") == []
    assert [
        c.run.title
        for c in selectors.kernel_cards(competition=competition, viewer=host, tab="mine")
    ] == ["theirs"]


# -- what other apps read ----------------------------------------------------------------------


def test_author_kernel_votes_counts_each_published_kernel(competition, alice, bob):
    carol = participant(competition, "carol")
    first = finished_run(alice, competition)
    second = finished_run(alice, competition)
    finished_run(alice, competition, published=False)
    services.kernel_vote(user=bob, run=first)
    services.kernel_vote(user=carol, run=first)
    services.kernel_vote(user=bob, run=second)
    finished_run(bob, competition)
    found = selectors.author_kernel_votes(user_ids=[alice.pk, bob.pk, carol.pk])
    assert found == {alice.pk: [2, 1], bob.pk: [0]}
    assert selectors.author_kernel_votes(user_ids=[]) == {}


def test_published_kernels_by_author_only_where_the_viewer_may_look(competition, alice, bob):
    private = CompetitionFactory(visibility="invite_only")
    private.invited_users.add(alice)
    shown = finished_run(alice, competition, title="shown")
    finished_run(alice, competition, title="draft", published=False)
    finished_run(alice, private, title="invite only", team=None)
    services.kernel_vote(user=bob, run=shown)
    cards = selectors.published_kernels_by_author(author=alice, viewer=bob)
    assert [(c.run.title, c.vote_count, c.voted) for c in cards] == [("shown", 1, True)]
    mine = selectors.published_kernels_by_author(author=alice, viewer=alice)
    assert sorted(c.run.title for c in mine) == ["invite only", "shown"]
    assert [
        c.run.title
        for c in selectors.published_kernels_by_author(author=alice, viewer=AnonymousUser())
    ] == ["shown"]
