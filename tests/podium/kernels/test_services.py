"""Kernels at unit level: launching, the lease, cancelling, the reconciler, visibility; the run
itself in-process (Celery's eager mode) with tiny scripts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from podium.core.errors import DomainError, LimitReached, NotFound, PermissionDenied
from podium.core.timeutils import now
from podium.kernels import selectors, services
from podium.kernels.error_codes import KernelFailure
from podium.kernels.models import KernelRun
from podium.submissions.models import Submission
from tests.podium.factories import participant
from tests.podium.kernels.helpers import demo_competition

pytestmark = pytest.mark.django_db(transaction=True)

COPY_SAMPLE = b"""
import shutil
print("copying the sample submission", flush=True)
shutil.copy("input/sample_submission.csv", "output/submission.csv")
"""


def script(code: bytes) -> ContentFile:
    return ContentFile(code, name="kernel.py")


@pytest.fixture
def demo():
    return demo_competition("breast_cancer")


def test_an_organizer_s_script_submits_under_the_baseline_team(demo, eager, settings):
    competition, organizer = demo
    run = services.kernel_launch(user=organizer, competition=competition,
                                 script=script(COPY_SAMPLE), title="copy")
    run.refresh_from_db()
    assert run.status == KernelRun.Status.SUCCEEDED, selectors.run_log_text(run=run)
    assert run.is_baseline and run.team.is_baseline and run.team.name == "Baseline"
    submission = Submission.objects.get(pk=run.submission_id)
    assert submission.team_id == run.team_id and submission.status == Submission.Status.SCORED
    assert "copying the sample submission" in selectors.run_log_text(run=run)
    assert run.output.read().startswith(b"id,malignant")
    # a second baseline goes to the same team
    again = services.kernel_launch(user=organizer, competition=competition,
                                   script=script(COPY_SAMPLE))
    assert again.team_id == run.team_id


@pytest.mark.parametrize(
    "code, failure",
    [
        (b"raise ValueError('bad column')\n", KernelFailure.EXCEPTION),
        (b"print('nothing written')\n", KernelFailure.OUTPUT_NOT_FOUND),
        (b"x = bytearray(8 * 1024**3)\n", KernelFailure.MEMORY),
        (b"open('output/submission.csv', 'w').write('id,malignant\\n1,0.5\\n')\n",
         KernelFailure.SCORING_ERROR),
        (b"open('output/big', 'wb').write(b'0' * 3 * 1024 * 1024)\n",
         KernelFailure.OUTPUT_TOO_LARGE),
    ],
)
def test_a_failed_run_says_why(demo, eager, settings, code, failure):
    settings.KERNEL_OUTPUT_MB = 2
    competition, organizer = demo
    run = services.kernel_launch(user=organizer, competition=competition, script=script(code))
    run.refresh_from_db()
    assert run.status == KernelRun.Status.FAILED
    assert run.failure == failure, (run.failure, run.error_message, run.error_detail)
    if failure == KernelFailure.EXCEPTION:
        assert "ValueError: bad column" in run.error_detail and "bad column" in run.error_message
    assert run.submission_id is None


def test_participants_need_the_setting_and_stay_within_their_quota(demo, eager):
    competition, organizer = demo
    user = participant(competition)
    with pytest.raises(PermissionDenied):
        services.kernel_launch(user=user, competition=competition, script=script(COPY_SAMPLE))
    services.kernel_settings_update(competition=competition, participants_may_run=True,
                                    team_gpu_hours=0, team_cpu_hours=0.5)
    run = services.kernel_launch(user=user, competition=competition, script=script(COPY_SAMPLE))
    run.refresh_from_db()
    assert run.status == KernelRun.Status.SUCCEEDED and not run.is_baseline
    assert Submission.objects.get(pk=run.submission_id).team.memberships.filter(user=user).exists()
    KernelRun.objects.filter(pk=run.pk).update(started_at=now() - timedelta(hours=1))
    with pytest.raises(LimitReached) as refused:
        services.kernel_launch(user=user, competition=competition, script=script(COPY_SAMPLE))
    assert refused.value.code == "kernel_quota_reached"


def test_a_bad_config_or_unknown_baseline_is_refused(demo):
    competition, organizer = demo
    with pytest.raises(DomainError, match="unknown key"):
        services.kernel_launch(user=organizer, competition=competition,
                               baseline="breast_cancer_mlp", config="name: x\nmetric: rmse\nep: 1")
    with pytest.raises(DomainError) as unknown:
        services.kernel_launch(user=organizer, competition=competition, baseline="nope")
    assert unknown.value.code == "kernel_unknown_baseline"


def test_visibility_published_runs_only_for_participants(demo):
    competition, organizer = demo
    run = services.kernel_launch(user=organizer, competition=competition,
                                 baseline="breast_cancer_mlp")
    user = participant(competition)
    with pytest.raises(NotFound):
        selectors.run_get(run_id=run.pk, viewer=user)
    assert not selectors.runs_for(competition=competition, viewer=AnonymousUser()).exists()
    services.kernel_publish(user=organizer, run=run)
    assert selectors.run_get(run_id=run.pk, viewer=user) == run
    with pytest.raises(PermissionDenied):
        services.kernel_publish(user=user, run=run, published=False)


def test_a_second_delivery_finds_the_run_leased_and_does_nothing(demo):
    competition, organizer = demo
    run = services.kernel_launch(user=organizer, competition=competition,
                                 script=script(COPY_SAMPLE))
    assert services.kernel_claim(run_id=run.pk, worker="w1") is not None
    assert services.kernel_claim(run_id=run.pk, worker="w2") is None
    assert services.kernel_heartbeat(run_id=run.pk, worker="w1") == (True, False)
    assert services.kernel_heartbeat(run_id=run.pk, worker="w2")[0] is False


def test_the_reconciler_retries_then_fails_a_run_whose_worker_died(demo, settings):
    settings.KERNEL_MAX_ATTEMPTS = 2
    competition, organizer = demo
    run = services.kernel_launch(user=organizer, competition=competition,
                                 script=script(COPY_SAMPLE))
    later = now() + timedelta(seconds=settings.KERNEL_LEASE_SECONDS + 1)
    services.kernel_claim(run_id=run.pk, worker="dead")
    assert services.kernels_reconcile(moment=later)["requeued"] == [run.pk]
    run.refresh_from_db()
    assert run.status == KernelRun.Status.QUEUED and run.lease_owner == ""
    services.kernel_claim(run_id=run.pk, worker="dead-again")
    assert services.kernels_reconcile(moment=later)["failed"] == [run.pk]
    run.refresh_from_db()
    assert run.status == KernelRun.Status.FAILED and run.failure == KernelFailure.ABANDONED
    # the dead worker's late result is not written
    assert not services.kernel_mark_succeeded(run_id=run.pk, worker="dead-again", submission_id=1,
                                              exit_code=0, cpu_seconds=1, sandbox="x")


def test_cancel_a_queued_run(demo):
    competition, organizer = demo
    run = services.kernel_launch(user=organizer, competition=competition,
                                 script=script(COPY_SAMPLE))
    run = services.kernel_cancel(user=organizer, run=run)
    assert run.status == KernelRun.Status.CANCELLED
    assert services.kernel_claim(run_id=run.pk, worker="w") is None
