"""Kernels at unit level: launching, the lease, cancelling, the reconciler, visibility; the run
itself in-process (Celery's eager mode) with tiny scripts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from podium.core.errors import DomainError, LimitReached, NotFound, PermissionDenied
from podium.core.queue import RUN_KERNEL
from podium.core.timeutils import now
from podium.kernels import selectors, services
from podium.kernels.error_codes import KernelFailure
from podium.kernels.models import KernelRun
from podium.submissions.models import Submission
from podium.teams.models import Membership
from podium.teams.selectors import team_for_user
from tests.podium.factories import CompetitionFactory, UserFactory, organizer, participant
from tests.podium.kernels.helpers import demo_competition
from tests.podium.lost_messages import lose_message
from tests.podium.race import race

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


@pytest.mark.usefixtures("sandbox_ready")
def test_an_organizer_s_script_submits_under_the_baseline_team(demo, eager, settings):
    competition, organizer = demo
    run = services.kernel_launch(
        user=organizer, competition=competition, script=script(COPY_SAMPLE), title="copy"
    )
    run.refresh_from_db()
    assert run.status == KernelRun.Status.SUCCEEDED, selectors.run_log_text(run=run)
    assert run.is_baseline and run.team.is_baseline and run.team.name == "Baseline"
    submission = Submission.objects.get(pk=run.submission_id)
    assert submission.team_id == run.team_id and submission.status == Submission.Status.SCORED
    assert "copying the sample submission" in selectors.run_log_text(run=run)
    assert run.output.read().startswith(b"id,malignant")
    # a second baseline goes to the same team
    again = services.kernel_launch(
        user=organizer, competition=competition, script=script(COPY_SAMPLE)
    )
    assert again.team_id == run.team_id


@pytest.mark.parametrize(
    "code, failure",
    [
        (b"raise ValueError('bad column')\n", KernelFailure.EXCEPTION),
        (b"print('nothing written')\n", KernelFailure.OUTPUT_NOT_FOUND),
        (b"x = bytearray(8 * 1024**3)\n", KernelFailure.MEMORY),
        (
            b"open('output/submission.csv', 'w').write('id,malignant\\n1,0.5\\n')\n",
            KernelFailure.OUTPUT_REFUSED,
        ),
        (
            b"open('output/big', 'wb').write(b'0' * 3 * 1024 * 1024)\n",
            KernelFailure.OUTPUT_TOO_LARGE,
        ),
    ],
)
@pytest.mark.usefixtures("sandbox_ready")
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


@pytest.mark.usefixtures("sandbox_ready")
def test_participants_need_the_setting_and_stay_within_their_quota(demo, eager):
    competition, organizer = demo
    user = participant(competition)
    with pytest.raises(PermissionDenied):
        services.kernel_launch(user=user, competition=competition, script=script(COPY_SAMPLE))
    services.kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=0, team_cpu_hours=0.5
    )
    run = services.kernel_launch(user=user, competition=competition, script=script(COPY_SAMPLE))
    run.refresh_from_db()
    assert run.status == KernelRun.Status.SUCCEEDED and not run.is_baseline
    assert Submission.objects.get(pk=run.submission_id).team.memberships.filter(user=user).exists()
    assert 0 < run.charged_seconds < 60  # its wall time, charged when it ended
    KernelRun.objects.filter(pk=run.pk).update(charged_seconds=3600)  # as if it ran an hour
    with pytest.raises(LimitReached) as refused:
        services.kernel_launch(user=user, competition=competition, script=script(COPY_SAMPLE))
    assert refused.value.code == "kernel_quota_reached"


def test_a_bad_config_or_unknown_baseline_is_refused(demo):
    competition, organizer = demo
    with pytest.raises(DomainError, match="unknown key"):
        services.kernel_launch(
            user=organizer,
            competition=competition,
            baseline="breast_cancer_mlp",
            config="name: x\nmetric: rmse\nep: 1",
        )
    with pytest.raises(DomainError) as unknown:
        services.kernel_launch(user=organizer, competition=competition, baseline="nope")
    assert unknown.value.code == "kernel_unknown_baseline"


def test_visibility_published_runs_only_for_participants(demo):
    competition, organizer = demo
    run = services.kernel_launch(
        user=organizer, competition=competition, baseline="breast_cancer_mlp"
    )
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
    run = services.kernel_launch(
        user=organizer, competition=competition, script=script(COPY_SAMPLE)
    )
    assert services.kernel_claim(run_id=run.pk, worker="w1") is not None
    assert services.kernel_claim(run_id=run.pk, worker="w2") is None
    assert services.kernel_heartbeat(run_id=run.pk, worker="w1") == services.Heartbeat(
        held=True, stop=""
    )
    assert services.kernel_heartbeat(run_id=run.pk, worker="w2").held is False


def test_the_reconciler_retries_then_fails_a_run_whose_worker_died(demo, settings):
    settings.KERNEL_MAX_ATTEMPTS = 2
    competition, organizer = demo
    run = services.kernel_launch(
        user=organizer, competition=competition, script=script(COPY_SAMPLE)
    )
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
    assert not services.kernel_mark_succeeded(
        run_id=run.pk, worker="dead-again", submission_id=1, exit_code=0, cpu_seconds=1, sandbox="x"
    )


def test_cancel_a_queued_run(demo):
    competition, organizer = demo
    run = services.kernel_launch(
        user=organizer, competition=competition, script=script(COPY_SAMPLE)
    )
    run = services.kernel_cancel(user=organizer, run=run)
    assert run.status == KernelRun.Status.CANCELLED
    assert services.kernel_claim(run_id=run.pk, worker="w") is None


# -- quotas that hold while code runs (issue 12) ---------------------------------------------


@pytest.fixture
def open_competition():
    """Participants may run kernels: 0.05 CPU hours (180 s) per team, the default limits."""
    competition = CompetitionFactory(title="Quota Cup")
    services.kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=0.05, team_cpu_hours=0.05
    )
    return competition


class Clock:
    """The services' ``now``, moved by hand."""

    def __init__(self) -> None:
        self.moment = now()

    def __call__(self):
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    for module in ("launching", "managing", "run_lease"):  # where the services look up ``now``
        monkeypatch.setattr(f"podium.kernels.services.{module}.now", clock)
    return clock


def launch(user, competition, **kwargs) -> KernelRun:
    kwargs.setdefault("baseline", "breast_cancer_mlp")
    return services.kernel_launch(user=user, competition=competition, **kwargs)


def team_of(user, competition):
    return team_for_user(user=user, competition=competition)


def test_each_heartbeat_charges_the_time_since_the_last_one(open_competition, clock):
    user = participant(open_competition)
    run = launch(user, open_competition)
    assert services.kernel_claim(run_id=run.pk, worker="w") is not None
    for _ in range(3):
        clock.advance(20)
        assert services.kernel_heartbeat(run_id=run.pk, worker="w") == services.Heartbeat(
            held=True, stop=""
        )
    run.refresh_from_db()
    assert run.charged_seconds == pytest.approx(60) and run.charged_at == clock.moment
    quota = selectors.team_quota(competition=open_competition, team=team_of(user, open_competition))
    assert quota.used_hours == pytest.approx(60 / 3600) and not quota.reached
    # another worker's heartbeat charges nothing and says the lease is not its own
    clock.advance(5)
    assert services.kernel_heartbeat(run_id=run.pk, worker="other").held is False
    run.refresh_from_db()
    assert run.charged_seconds == pytest.approx(60)


def test_the_end_of_a_run_charges_its_last_interval_once(open_competition, clock):
    user = participant(open_competition)
    services.kernel_settings_update(
        competition=open_competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=1,
        max_concurrent_runs=2,
    )
    ok, bad = launch(user, open_competition), launch(user, open_competition)
    for run in (ok, bad):
        services.kernel_claim(run_id=run.pk, worker="w")
    clock.advance(20)
    services.kernel_heartbeat(run_id=ok.pk, worker="w")
    services.kernel_heartbeat(run_id=bad.pk, worker="w")
    clock.advance(7)
    services.kernel_charge_final(run_id=ok.pk, worker="w")
    services.kernel_charge_final(run_id=ok.pk, worker="w")  # again: nothing more
    assert services.kernel_mark_succeeded(
        run_id=ok.pk, worker="w", submission_id=None, exit_code=0, cpu_seconds=1, sandbox="x"
    )
    assert services.kernel_mark_failed(
        run_id=bad.pk, worker="w", failure=KernelFailure.EXCEPTION, message="boom"
    )
    clock.advance(20)  # a late heartbeat of an ended run: not ours, nothing charged
    assert services.kernel_heartbeat(run_id=bad.pk, worker="w") == services.Heartbeat(
        held=False, stop=""
    )
    for run in (ok, bad):
        run.refresh_from_db()
        assert run.charged_seconds == pytest.approx(27), run.status
    assert selectors.team_hours_used(team=ok.team, queue=ok.queue) == pytest.approx(54 / 3600)


def test_a_dead_worker_s_run_is_charged_up_to_its_lease_only(open_competition, clock, settings):
    settings.KERNEL_MAX_ATTEMPTS = 1
    user = participant(open_competition)
    run = launch(user, open_competition)
    services.kernel_claim(run_id=run.pk, worker="dead")
    clock.advance(20)
    services.kernel_heartbeat(run_id=run.pk, worker="dead")  # then it dies
    clock.advance(600)
    assert services.kernels_reconcile(moment=clock.moment)["failed"] == [run.pk]
    run.refresh_from_db()
    assert run.failure == KernelFailure.ABANDONED
    assert run.charged_seconds == pytest.approx(20 + settings.KERNEL_LEASE_SECONDS)


def test_concurrent_runs_of_a_team_are_stopped_once_together_they_reach_the_quota(
    open_competition, clock
):
    user = participant(open_competition)  # 180 s of CPU for the team
    services.kernel_settings_update(
        competition=open_competition,
        participants_may_run=True,
        team_gpu_hours=0.05,
        team_cpu_hours=0.05,
        max_concurrent_runs=3,
    )
    runs = [launch(user, open_competition) for _ in range(3)]
    for run in runs:
        services.kernel_claim(run_id=run.pk, worker=f"w{run.pk}")
    beats = []
    for _ in range(4):  # 3 runs x 20 s a round: 60, 120, 180 s
        clock.advance(20)
        beats.append(
            [services.kernel_heartbeat(run_id=run.pk, worker=f"w{run.pk}").stop for run in runs]
        )
    assert beats[0] == beats[1] == ["", "", ""]
    # the quota is reached during the third round: the run that reached it and those after it
    # are asked to stop; the first one at its next heartbeat
    assert beats[2] == ["", "", "quota"] and beats[3] == ["quota", "quota", "quota"]
    used = selectors.team_hours_used(team=runs[0].team, queue=runs[0].queue) * 3600
    assert used == pytest.approx(240)  # at most one interval per run past the 180 s
    # and the next launch is refused: the team's hours are spent
    for run in runs:
        services.kernel_mark_failed(
            run_id=run.pk,
            worker=f"w{run.pk}",
            failure=KernelFailure.QUOTA_EXCEEDED,
            message="quota",
        )
    with pytest.raises(LimitReached) as refused:
        launch(user, open_competition)
    assert refused.value.code == "kernel_quota_reached"
    assert refused.value.message.startswith("Your team has used 0.07 of its 0.05 CPU hours")


def test_a_cancel_is_said_before_a_spent_quota(open_competition, clock):
    user = participant(open_competition)
    run = launch(user, open_competition)
    services.kernel_claim(run_id=run.pk, worker="w")
    clock.advance(50)
    KernelRun.objects.filter(pk=run.pk).update(charged_seconds=170)
    services.kernel_cancel(user=user, run=run)
    assert services.kernel_heartbeat(run_id=run.pk, worker="w") == services.Heartbeat(
        held=True, stop="cancel"
    )


def test_the_organizers_baselines_are_never_charged_to_a_team(open_competition, clock):
    host = organizer(open_competition)
    run = launch(host, open_competition, wall_seconds=7200, memory_mb=99_999)
    assert run.wall_seconds == 7200 and run.memory_mb == 99_999  # no participants' caps
    services.kernel_claim(run_id=run.pk, worker="w")
    for _ in range(20):  # 400 s: past any team's 180 s
        clock.advance(20)
        assert services.kernel_heartbeat(run_id=run.pk, worker="w").stop == ""
    run.refresh_from_db()
    assert run.charged_seconds == pytest.approx(400)
    assert selectors.team_hours_used(team=run.team, queue=run.queue) == 0
    with pytest.raises(DomainError) as refused:  # the server's own maximum still holds
        launch(host, open_competition, wall_seconds=10**6)
    assert refused.value.code == "kernel_limit_too_high"


def test_a_disqualified_team_is_refused(open_competition):
    from podium.workflows.disqualification import team_disqualify

    user = participant(open_competition)
    team_disqualify(
        team=team_of(user, open_competition),
        reason="Shared code privately",
        by=organizer(open_competition),
    )
    with pytest.raises(PermissionDenied) as refused:
        launch(user, open_competition)
    assert refused.value.code == "kernel_team_disqualified"
    assert refused.value.message == (
        "Your team was disqualified (Shared code privately); "
        "a disqualified team cannot run kernels."
    )
    assert not KernelRun.objects.exists()


def test_only_members_who_accepted_the_rules_of_an_open_competition_launch(open_competition):
    from podium.competitions.models import RuleAcceptance

    stranger = UserFactory()
    with pytest.raises(PermissionDenied) as refused:
        launch(stranger, open_competition)
    assert refused.value.code == "rules_not_accepted"
    user = participant(open_competition)
    RuleAcceptance.objects.filter(user=user).delete()
    with pytest.raises(PermissionDenied) as refused:
        launch(user, open_competition)
    assert refused.value.code == "rules_not_accepted"
    other = participant(open_competition)
    Competition = type(open_competition)
    Competition.objects.filter(pk=open_competition.pk).update(end_at=now() - timedelta(hours=1))
    open_competition.refresh_from_db()
    with pytest.raises(PermissionDenied) as refused:
        launch(other, open_competition)
    assert refused.value.code == "competition_ended"
    Competition.objects.filter(pk=open_competition.pk).update(
        start_at=now() + timedelta(hours=2), end_at=now() + timedelta(days=2)
    )
    open_competition.refresh_from_db()
    with pytest.raises(PermissionDenied) as refused:
        launch(other, open_competition)
    assert refused.value.code == "competition_not_started"
    assert not KernelRun.objects.exists()


def test_runs_at_once_are_limited_per_team(open_competition):
    user = participant(open_competition)
    first = launch(user, open_competition)
    with pytest.raises(LimitReached) as refused:
        launch(user, open_competition, script=script(COPY_SAMPLE), baseline="")
    assert refused.value.code == "kernel_too_many_runs"
    assert refused.value.message == (
        "Your team has 1 kernel queued or running; this competition allows 1 at a time. Wait "
        "for it to finish, or cancel it, then launch again."
    )
    assert refused.value.details == {"limit": "concurrent_runs", "active": 1, "max": 1}
    assert KernelRun.objects.count() == 1  # the refused script was not kept
    services.kernel_cancel(user=user, run=first)
    assert launch(user, open_competition).status == KernelRun.Status.QUEUED


def test_runs_per_utc_day_are_limited_per_team(open_competition):
    services.kernel_settings_update(
        competition=open_competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=1,
        max_concurrent_runs=5,
        max_daily_runs=2,
    )
    user = participant(open_competition)
    runs = [launch(user, open_competition) for _ in range(2)]
    with pytest.raises(LimitReached) as refused:
        launch(user, open_competition)
    assert refused.value.code == "kernel_too_many_runs"
    assert refused.value.message.startswith(
        "Your team has launched 2 kernels today; this competition allows 2 per UTC day. The "
        "next one may start at 00:00 UTC (in "
    )
    assert refused.value.details["limit"] == "daily_runs"
    # one cancelled before it started used nothing and does not count; yesterday's do not
    services.kernel_cancel(user=user, run=runs[0])
    third = launch(user, open_competition)
    KernelRun.objects.filter(pk__in=[runs[1].pk, third.pk]).update(
        created_at=now() - timedelta(days=1, hours=1)
    )
    assert launch(user, open_competition)


def test_asking_for_more_than_a_cap_is_refused_naming_the_cap(open_competition, settings):
    services.kernel_settings_update(
        competition=open_competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=1,
        max_wall_seconds=600,
        max_memory_mb=1024,
        max_concurrent_runs=5,
    )
    user = participant(open_competition)
    for asked, message in [
        (
            {"wall_seconds": 601},
            "You asked for 601 s of wall-clock time; a run may ask for at "
            "most 600 s in this competition. Ask for 600 s or less.",
        ),
        (
            {"memory_mb": 2048},
            "You asked for 2048 MB of memory; a run may ask for at most "
            "1024 MB in this competition. Ask for 1024 MB or less.",
        ),
        (
            {"output_mb": settings.KERNEL_OUTPUT_MB + 1},
            f"You asked for {settings.KERNEL_OUTPUT_MB + 1} MB of output; a run may ask for at "
            f"most {settings.KERNEL_OUTPUT_MB} MB in this competition.",
        ),
    ]:
        with pytest.raises(DomainError) as refused:
            launch(user, open_competition, **asked)
        assert refused.value.code == "kernel_limit_too_high" and refused.value.status == 400
        assert refused.value.message.startswith(message)
        assert refused.value.details["cap"] == int(message.split("at most ")[1].split()[0])
    assert not KernelRun.objects.exists()
    # nothing asked: the server's default, within the caps; the caps themselves are fine
    default = launch(user, open_competition)
    assert (default.wall_seconds, default.memory_mb, default.output_mb) == (
        600,
        1024,
        settings.KERNEL_OUTPUT_MB,
    )
    exact = launch(user, open_competition, wall_seconds=600, memory_mb=1024, output_mb=1)
    assert (exact.wall_seconds, exact.memory_mb, exact.output_mb) == (600, 1024, 1)


def test_kernel_settings_update_keeps_limits_not_passed_and_checks_the_server_s_maximum(
    open_competition, settings
):
    limits = selectors.kernel_limits(competition=open_competition)
    assert (
        limits.max_concurrent_runs,
        limits.max_daily_runs,
        limits.wall_seconds,
        limits.memory_mb,
        limits.output_mb,
    ) == (1, 10, settings.KERNEL_WALL_SECONDS, settings.KERNEL_MEMORY_MB, settings.KERNEL_OUTPUT_MB)
    services.kernel_settings_update(
        competition=open_competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=1,
        max_daily_runs=3,
        max_wall_seconds=settings.KERNEL_MAX_WALL_SECONDS,
    )
    services.kernel_settings_update(
        competition=open_competition, participants_may_run=True, team_gpu_hours=2, team_cpu_hours=2
    )
    limits = selectors.kernel_limits(competition=open_competition)
    assert limits.max_daily_runs == 3 and limits.wall_seconds == settings.KERNEL_MAX_WALL_SECONDS
    with pytest.raises(DomainError) as refused:
        services.kernel_settings_update(
            competition=open_competition,
            participants_may_run=True,
            team_gpu_hours=1,
            team_cpu_hours=1,
            max_wall_seconds=settings.KERNEL_MAX_WALL_SECONDS + 1,
        )
    assert refused.value.code == "kernel_limit_too_high"
    assert f"at most {settings.KERNEL_MAX_WALL_SECONDS} s" in refused.value.message


@pytest.mark.parametrize("limit", ["concurrent", "daily"])
def test_concurrent_launches_cannot_pass_a_limit(open_competition, limit):
    many = (
        {"max_concurrent_runs": 2, "max_daily_runs": 10}
        if limit == "concurrent"
        else {"max_concurrent_runs": 10, "max_daily_runs": 2}
    )
    services.kernel_settings_update(
        competition=open_competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=1,
        **many,
    )
    users = [participant(open_competition)]
    team = team_of(users[0], open_competition)
    for _ in range(2):
        mate = participant(open_competition)
        Membership.objects.filter(user=mate).update(team=team)
        users.append(mate)
    outcomes = race(*[lambda u=u: launch(u, open_competition) for u in users * 2])
    made = [o for o in outcomes if isinstance(o, KernelRun)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(made) == 2 and len(refused) == 4, outcomes
    assert {r.code for r in refused} == {"kernel_too_many_runs"}
    assert KernelRun.objects.filter(team=team).count() == 2


def test_the_migration_charges_runs_from_before_charging(open_competition):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "podium.kernels.migrations.0002_run_charging_and_team_limits"
    )
    user = participant(open_competition)
    done, running = (
        launch(user, open_competition),
        launch(organizer(open_competition), open_competition),
    )
    start = now() - timedelta(hours=2)
    KernelRun.objects.filter(pk=done.pk).update(
        status="succeeded", started_at=start, finished_at=start + timedelta(minutes=30)
    )
    KernelRun.objects.filter(pk=running.pk).update(status="running", started_at=start)
    migration.charge_existing_runs(apps, None)
    done.refresh_from_db()
    running.refresh_from_db()
    assert done.charged_seconds == 1800 and done.charged_at == start + timedelta(minutes=30)
    assert running.charged_seconds == 0 and running.charged_at == start


def test_the_reconciler_leaves_a_queued_run_whose_message_still_waits(demo, settings):
    """A backlog is not lost work: only a queued run whose message is gone is queued again."""
    competition, organizer = demo
    run = services.kernel_launch(
        user=organizer, competition=competition, script=script(COPY_SAMPLE)
    )
    later = now() + timedelta(seconds=settings.KERNEL_PENDING_GRACE_SECONDS + 1)
    assert services.kernels_reconcile(moment=later)["requeued"] == []
    assert lose_message(run.queue, RUN_KERNEL, (run.pk,)) >= 1
    assert services.kernels_reconcile(moment=later)["requeued"] == [run.pk]
    assert lose_message(run.queue, RUN_KERNEL, (run.pk,)) >= 1  # queued again
