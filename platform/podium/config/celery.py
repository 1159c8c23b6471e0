"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podium.config.settings")

app = Celery("podium")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
