"""The demo's kernel votes and comments (demo/kernels_community.py): on each open demo
competition's published baseline kernel, launched where there is none; idempotent."""

import pytest

from podium.demo.kernels_community import kernels_community_demo
from podium.kernels.models import KernelComment, KernelRun, KernelVote
from podium.notifications.models import Kind, Notification
from tests.podium.factories import CompetitionFactory, UserFactory, organizer
from tests.podium.kernels.community_helpers import finished_run

pytestmark = pytest.mark.django_db


def test_nothing_without_the_demo_users():
    CompetitionFactory(slug="breast-cancer-diagnosis")
    assert kernels_community_demo() == 0
    assert not KernelRun.objects.exists()


def test_votes_and_comments_on_the_published_baselines_once():
    host = organizer(username="organizer")
    for name in ("alice", "bob", "carol"):
        UserFactory(username=name)
    cancer = CompetitionFactory(slug="breast-cancer-diagnosis")
    digits = CompetitionFactory(slug="handwritten-digits")
    for competition in (cancer, digits):
        competition.organizers.add(host)
    existing = finished_run(host, cancer, title="MLP baseline", baseline="breast_cancer_mlp")
    KernelRun.objects.filter(pk=existing.pk).update(is_baseline=True)

    lines = []
    assert kernels_community_demo(log=lines.append) == 2 * (3 + 2)
    launched = KernelRun.objects.get(competition=digits)
    assert launched.published and launched.is_baseline and launched.baseline == "digits_cnn"
    assert KernelRun.objects.filter(competition=cancer).count() == 1  # its own was used
    for run in (existing, launched):
        voters = set(KernelVote.objects.filter(run=run).values_list("user__username", flat=True))
        assert voters == {"alice", "bob", "carol"}
        assert KernelComment.objects.filter(run=run).count() == 2
    assert Notification.objects.filter(recipient=host, kind=Kind.REPLY).count() == 4
    assert f"handwritten-digits: baseline kernel {launched.pk} launched and published" in lines

    assert kernels_community_demo() == 0  # idempotent
    assert KernelVote.objects.count() == 6 and KernelComment.objects.count() == 4
    assert KernelRun.objects.count() == 2
