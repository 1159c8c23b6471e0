"""Kernel runs made as a finished run leaves them (no worker, no broker): for the community
tests of services, pages and the API."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.files.base import ContentFile

from podium.core.timeutils import now
from podium.kernels.models import KernelRun
from podium.kernels.selectors import baseline_config_text
from podium.teams.selectors import team_for_user

SCRIPT = b"import shutil\nshutil.copy('input/sample_submission.csv', 'output/submission.csv')\n"


def finished_run(
    author,
    competition,
    *,
    title: str = "starter",
    published: bool = True,
    baseline: str = "",
    submission=None,
    days_ago: float = 0,
    team=None,
) -> KernelRun:
    """A succeeded run of ``author`` (a script, or a bundled ``baseline`` with its config),
    for ``author``'s team (an organizer's: none) unless ``team`` is given."""
    started = now() - timedelta(days=days_ago, minutes=2)
    run = KernelRun(
        uuid=uuid.uuid4(),
        competition=competition,
        created_by=author,
        team=team or team_for_user(user=author, competition=competition),
        title=title,
        source=KernelRun.Source.BASELINE if baseline else KernelRun.Source.SCRIPT,
        baseline=baseline,
        config=baseline_config_text(baseline) if baseline else "",
        published=published,
        wall_seconds=60,
        cpu_seconds=60,
        memory_mb=512,
        output_mb=10,
        status=KernelRun.Status.SUCCEEDED,
        queued_at=started,
        started_at=started,
        finished_at=started + timedelta(minutes=1),
        submission=submission,
    )
    if not baseline:
        run.script.save("kernel.py", ContentFile(SCRIPT), save=False)
    run.save()
    if days_ago:
        KernelRun.objects.filter(pk=run.pk).update(created_at=started)
        run.refresh_from_db()
    return run
