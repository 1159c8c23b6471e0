"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import logging
import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    celeryd_init,
    task_postrun,
    task_prerun,
    worker_ready,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podium.config.settings")

app = Celery("podium")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def _name_this_worker(sender=None, **_kwargs) -> None:
    """Progress notes (core/progress.py) carry the worker's node name; pool processes inherit it."""
    from podium.core import progress

    progress.set_node(str(sender or ""))


@celeryd_init.connect
def _yield_the_cpu_to_the_web(**_kwargs) -> None:
    """settings.WORKER_NICE, before the pool starts (its processes inherit it)."""
    from django.conf import settings

    if settings.WORKER_NICE > 0:
        os.nice(settings.WORKER_NICE)


@after_setup_logger.connect
@after_setup_task_logger.connect
def _log_like_the_web(logger=None, **_kwargs) -> None:
    """Celery installs its own handlers (root and task loggers): give them the log context, and
    with PODIUM_LOG_FORMAT=json the JSON lines of the web's LOGGING (podium/ops/logs.py)."""
    from django.conf import settings

    from podium.ops.logs import adopt

    if logger is not None:
        adopt(logger, settings.LOG_FORMAT)


@worker_ready.connect
def _note_the_start(**_kwargs) -> None:
    from podium.core import progress

    progress.progress_note(force=True)


@task_prerun.connect
def _database_connections_as_for_a_request(task=None, **_kwargs) -> None:
    """Connections are kept between tasks (CELERY_DB_REUSE_MAX): close the ones a request would
    not reuse (past CONN_MAX_AGE, or errored); a reused one is health-checked at first use. Not
    for a task run eagerly, in its caller's connection and transaction (as Celery's fixup)."""
    from django.db import close_old_connections

    if task is None or not getattr(task.request, "is_eager", False):
        close_old_connections()


@task_postrun.connect
def _note_a_finished_task(**_kwargs) -> None:
    from podium.core import progress

    progress.progress_note()


@worker_ready.connect
def _say_whether_the_sandbox_works(**_kwargs) -> None:
    """Untrusted code (kernels, organizer metrics) runs only in the sandbox: say at start whether
    it can here, and if not what is missing, rather than at the first run."""
    from django.conf import settings

    from podium.core.sandbox import probe

    found = probe(settings.SANDBOX_ROOT)
    log = logging.getLogger("podium.sandbox")
    if found.ok:
        log.info("Sandbox: %s", found.message)
    else:
        log.error("Sandbox: NOT AVAILABLE, kernels and custom metrics will fail: %s", found.message)
