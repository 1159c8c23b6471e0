"""How the worker ends a run while it goes: the team's hours charged by the heartbeat stop a
participant's kernel as soon as they run out, and a cancel stops it too (the real sandbox)."""

import pytest
from django.core.files.base import ContentFile

from podium.kernels import services
from podium.kernels.error_codes import KernelFailure
from podium.kernels.models import KernelRun, KernelSettings
from podium.kernels.selectors import run_log_text
from tests.podium.factories import participant
from tests.podium.kernels.helpers import demo_competition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_ready")]

SLEEPER = b"import time\nprint('working', flush=True)\ntime.sleep(120)\n"


def test_a_kernel_is_stopped_when_its_team_s_hours_run_out(eager, settings):
    settings.KERNEL_LEASE_SECONDS = 3  # a heartbeat, and a charge, every second
    competition, _organizer = demo_competition("breast_cancer")
    KernelSettings.objects.update_or_create(
        competition=competition, defaults={"participants_may_run": True, "team_cpu_hours": 2 / 3600}
    )  # two seconds
    run = services.kernel_launch(
        user=participant(competition),
        competition=competition,
        script=ContentFile(SLEEPER, name="kernel.py"),
        wall_seconds=60,
    )
    run.refresh_from_db()
    assert (run.status, run.failure) == (KernelRun.Status.FAILED, KernelFailure.QUOTA_EXCEEDED)
    assert "compute hours" in run.error_message and "working" in run_log_text(run=run)
    assert 2 <= run.charged_seconds < 10  # stopped within a heartbeat or two, not at 60 s


def test_a_cancel_stops_a_running_kernel(eager, settings):
    import threading
    import time

    from django.db import connection

    settings.KERNEL_LEASE_SECONDS = 3
    competition, organizer = demo_competition("breast_cancer")

    def cancel_when_running() -> None:
        try:
            for _ in range(100):
                run = KernelRun.objects.filter(competition=competition).first()
                if run is not None and run.status == KernelRun.Status.RUNNING:
                    services.kernel_cancel(user=organizer, run=run)
                    return
                time.sleep(0.2)
        finally:
            connection.close()

    canceller = threading.Thread(target=cancel_when_running)
    canceller.start()
    run = services.kernel_launch(
        user=organizer,
        competition=competition,
        script=ContentFile(SLEEPER, name="kernel.py"),
        wall_seconds=60,
    )
    canceller.join()
    run.refresh_from_db()
    assert (run.status, run.failure) == (KernelRun.Status.CANCELLED, KernelFailure.CANCELLED)


def test_nul_characters_in_its_log_and_its_error_are_stored(eager):
    """PostgreSQL's text cannot hold NUL: a kernel that prints them, or dies with them in its
    message, still ends as a plain failed run, its text kept with a replacement character."""
    competition, organizer = demo_competition("breast_cancer")
    code = b"print('a\\x00b', flush=True)\nraise ValueError('c\\x00d')\n"
    run = services.kernel_launch(
        user=organizer, competition=competition, script=ContentFile(code, name="kernel.py")
    )
    run.refresh_from_db()
    assert (run.status, run.failure) == (KernelRun.Status.FAILED, KernelFailure.EXCEPTION)
    assert "a\ufffdb" in run_log_text(run=run) and "c\ufffdd" in run.error_message
