"""``manage.py podium_run``: Podium on one machine, in one command (what ``make run`` ends with).

Checks the port first (a taken one is said in one line, with a free one to use instead), then
brings this install up to date in this one process, each step skipped when there is nothing to do:
migrations, the static files (collected again only when a source file changed), the demo (a
seeded demo is one quick check). Then starts gunicorn, a Celery worker and Celery beat on the
embedded defaults (SQLite, the filesystem broker, files in PODIUM_DATA_DIR), prints where to go
and how to log in, and stops all three on Ctrl-C.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from podium.core import mail
from podium.core.progress import worker_stall
from podium.core.sandbox import probe
from podium.demo.seed import USERS, demo_is_seeded
from podium.devserver.ports import port_taken
from podium.devserver.static_files import collect_if_changed
from podium.devserver.supervisor import Child, Supervisor

DEFAULT_PORT = 8000
WEB_BOOT_SECONDS = 120  # a loaded two-core machine: gunicorn's workers import Django first


def _answers(host: str, port: int) -> bool:
    """Whether a web worker answers HTTP (any status): gunicorn's master accepts connections
    as soon as it binds, seconds before a worker has imported Django and can serve."""
    connection = http.client.HTTPConnection(host.strip("[]"), port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


WORKER_NAME = "podium"


def _env_port() -> int:
    value = os.environ.get("PODIUM_PORT", "").strip()
    if not value:
        return DEFAULT_PORT
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"PODIUM_PORT must be a port number, not {value!r}.") from None


@contextmanager
def _timed(what: str, say: Callable[[str], None]) -> Iterator[list[str]]:
    """Say ``what`` was done, with what the block noted and how long it took."""
    notes: list[str] = []
    started = time.monotonic()
    yield notes
    say(f"{what}: {', '.join(notes) or 'done'} ({time.monotonic() - started:.1f} s)")


def worker_pool(broker_url: str) -> list[str]:
    """The worker's pool. On the embedded broker, threads: Celery runs a broker it cannot watch
    asynchronously with billiard's classic prefork pool, whose processes share one job pipe
    under a lock, and a pool process killed while holding it (the OOM killer) wedges the pool
    for good (issue 15: 3 trials of 3). Threads share no such lock, and what could hang a thread
    runs in processes of its own anyway (organizer metrics, kernels: the sandbox). Redis gets
    the prefork pool, which gives each process its own pipe and survived 30 of 30 kills."""
    if broker_url.startswith("filesystem://"):
        return ["-P", "threads", "-c", "4"]
    return ["-P", "prefork", "-c", "2"]


def worker_stuck(started_at: float) -> str | None:
    """The supervisor's liveness check of the worker: the reason it is stuck, or None."""
    stall = worker_stall(
        f"{WORKER_NAME}@{socket.gethostname()}",
        settings.WORKER_QUEUES,
        stall_seconds=settings.WORKER_STALL_SECONDS,
        started_at=started_at,
    )
    return stall.reason if stall.stuck else None


class Command(BaseCommand):
    help = "Run Podium (web, worker, scheduler) on this machine until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help=f"Default: PODIUM_PORT, else {DEFAULT_PORT} (`make run PORT=8001` sets it).",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-seed", action="store_true", help="Do not create the demo.")

    def handle(self, *args, port: int | None, host: str, no_seed: bool, **options):
        port = port or _env_port()
        taken = port_taken(host, port)
        if taken:  # before anything slow, and in one line: no traceback
            self.stderr.write(taken)
            sys.exit(1)
        self._prepare(seed=not no_seed)
        connection.close()  # the children open their own

        # The web server first, alone: on two cores it answers seconds sooner than with the
        # worker and beat importing Django beside it; they start as soon as it answers.
        web, *others = self._children(host, port)
        supervisor = Supervisor([web], env=self._env(), cwd=str(settings.DATA_DIR), log=self._say)
        supervisor.start()
        dial = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host
        if supervisor.wait_until(lambda: _answers(dial, port), timeout=WEB_BOOT_SECONDS):
            for child in others:
                supervisor.add(child)
            self._banner(supervisor, dial, port)
        elif supervisor.stop_requested is None and supervisor.dead_child() is None:
            self._say(f"The web server did not answer on port {port} within {WEB_BOOT_SECONDS} s.")
            supervisor.stop()
            sys.exit(1)
        code = supervisor.run()
        self._say("Podium stopped." if code == 0 else "Podium stopped after a failure.")
        if code:
            sys.exit(code)

    def _prepare(self, *, seed: bool) -> None:
        """Migrate, collect the static files and seed the demo, each only when needed: a warm
        start does none of them (a few queries and a walk of the static folders)."""
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            with _timed("Database", self._say) as said:
                call_command("migrate", interactive=False, verbosity=0)
                said.append("migrated")
        with _timed("Static files", self._say) as said:
            said.append("collected" if collect_if_changed() else "unchanged")
        if seed:
            call_command("podium_seed_demo", stdout=self.stdout)

    def _children(self, host: str, port: int) -> list[Child]:
        python = sys.executable
        bind = f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"
        return [
            Child(
                "web",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "-c",
                    "python:podium.config.gunicorn",  # threaded workers: reads beside uploads
                    "--bind",
                    bind,
                    "--workers",
                    "2",
                    "--graceful-timeout",
                    "5",
                    "--log-level",
                    "warning",
                    "--access-logfile",
                    "/dev/null",  # the terminal is for the banner and the workers' lines
                ],
            ),
            # One worker for every queue: scoring, kernels on the cpu queue (or gpu, where
            # PODIUM_KERNEL_QUEUE says so: embedded, GPU work runs on the CPU, DESIGN.md) and the
            # periodic maintenance. --quiet drops Celery's start-up banners, which would bury
            # ours; logs stay. Restarted when it is stuck (work waits, nothing gets done).
            Child(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "--quiet",
                    "-A",
                    "podium.config",
                    "worker",
                    "-l",
                    "info",
                    *worker_pool(settings.CELERY_BROKER_URL),
                    "-Q",
                    ",".join(settings.WORKER_QUEUES),
                    "-n",
                    f"{WORKER_NAME}@%h",
                ],
                check=worker_stuck,
            ),
            Child(
                "beat",
                [python, "-m", "celery", "--quiet", "-A", "podium.config", "beat", "-l", "info"],
            ),
        ]

    def _env(self) -> dict[str, str]:
        paths = [settings.PLATFORM_DIR, settings.ROOT_DIR, os.environ.get("PYTHONPATH", "")]
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(str(p) for p in paths if p),
            # absolute, so that every child uses the same folder whatever its working directory
            "PODIUM_DATA_DIR": str(settings.DATA_DIR),
            # the key file the settings read where DJANGO_SECRET_KEY is not set: the same one
            "PODIUM_SECRET_KEY_FILE": str(settings.SECRET_KEY_FILE),
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "podium.config.settings"
            ),
            "PYTHONUNBUFFERED": "1",
            # /metrics merges gunicorn's workers' request counts here (emptied by gunicorn's
            # master at each start, podium.ops.multiproc); Celery's processes write none.
            "PROMETHEUS_MULTIPROC_DIR": os.environ.get(
                "PROMETHEUS_MULTIPROC_DIR", str(settings.DATA_DIR / "prometheus")
            ),
        }

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _banner(self, supervisor: Supervisor, host: str, port: int) -> None:
        url = f"http://{host}:{port}/"
        rule = "=" * 72
        lines = [
            "",
            rule,
            f"  Podium is running at  {url}",
            f"  Admin:                {url}admin/",
        ]
        if demo_is_seeded():
            width = max(len(u.username) for u in USERS)
            lines.append("  Demo logins (user / password):")
            lines += [f"    {u.username:<{width}}  /  {u.password:<16} {u.role}" for u in USERS]
        if not (settings.STATIC_ROOT / "podium" / "podium.css").exists():
            lines.append("  No static files collected: run `python manage.py collectstatic`.")
        sandbox = probe(settings.SANDBOX_ROOT)
        lines.append(
            f"  Sandbox: {sandbox.message}"
            if sandbox.ok
            else f"  Sandbox: NOT AVAILABLE: kernels and custom metrics will fail until it "
            f"is fixed: {sandbox.message}"
        )
        if settings.EMAIL_BACKEND == mail.FOLDER:
            lines.append(
                f"  Mail (no SMTP server set): one file per message in {settings.EMAIL_FILE_PATH}"
            )
        lines += [
            f"  Data folder: {settings.DATA_DIR}",
            "  Processes: " + " ".join(f"{c.name}={c.pid}" for c in supervisor.children),
            "  Press Ctrl-C to stop.",
            rule,
            "",
        ]
        self._say("\n".join(lines))
