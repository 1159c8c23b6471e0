"""Real Celery processes for end-to-end tests: a worker and a beat, started as `celery` commands.

Each process runs the production settings (``podium.config.settings``), configured only through
environment variables, against the test's own database and folders, in its own process group
(so that a test can SIGKILL the worker together with its pool children, as an OOM killer or a
lost host would).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[3]
PLATFORM_DIR = REPO_ROOT / "platform"

# Short timings, so that lost work is noticed in seconds (production: 60 s, 120 s, 30 s).
FAST_TIMINGS = {
    "PODIUM_SCORING_LEASE_SECONDS": "3",
    "PODIUM_SCORING_PENDING_GRACE_SECONDS": "2",
    "PODIUM_RECONCILE_EVERY_SECONDS": "1",
    "PODIUM_KERNEL_LEASE_SECONDS": "3",
    "PODIUM_KERNEL_PENDING_GRACE_SECONDS": "30",
}

EMBEDDED = "embedded"  # SQLite (WAL) + the filesystem broker: the one-command defaults
SERVICES = "services"  # PostgreSQL + Redis: production
BACKENDS = (EMBEDDED, SERVICES)
SERVICES_MISSING = (
    "needs PostgreSQL and Redis: set DATABASE_URL and CELERY_BROKER_URL (.ci/run does)"
)


def run_backend(database_engine: str, broker_url: str) -> str | None:
    """The backend this test run is configured with, or None for a mix of the two."""
    if database_engine.endswith("sqlite3") and broker_url.startswith("filesystem://"):
        return EMBEDDED
    if database_engine.endswith("postgresql") and broker_url.startswith("redis://"):
        return SERVICES
    return None


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (the test database)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


def filesystem_transport_options(broker_dir: Path) -> dict:
    """What podium.config.settings derives from PODIUM_DATA_DIR for the filesystem broker."""
    return {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "processed_folder": str(broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(broker_dir / "control"),
    }


def redis_db_url(broker_url: str, db: int) -> str:
    """The same Redis server, another database number."""
    base = broker_url.split("://", 1)[1].split("/", 1)[0]
    return f"redis://{base}/{db}"


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it if this test process dies without a teardown."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):  # not Linux: teardown still kills it
        pass


class LiveProcess:
    """One ``celery`` command in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.args, self.env, self.folder = name, args, env, folder
        self.log_path = folder / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, ready: str, timeout: float = 60) -> LiveProcess:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "podium.config", *self.args],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the pool too
                preexec_fn=_die_with_parent,
            )
        self.wait_for_log(ready, timeout)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} before {text!r}:\n"
                    + self.log()[-4000:]
                )
            time.sleep(0.1)
        raise TimeoutError(f"{self.name}: no {text!r} in {timeout} s:\n" + self.log()[-4000:])

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group and wait for the leader (idempotent)."""
        if self.proc is None or self.proc.returncode is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        # Pool children left behind by a leader that died first: same group, kill them too.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def children_of(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc), e.g. a prefork worker's pool processes."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces or parentheses, so split after ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def worker_args(
    concurrency: int = 1, queues: str = "default,cpu,maintenance", pool: str = "prefork"
) -> list[str]:
    """A worker on the scoring queue, the kernels' CPU queue and the periodic maintenance (as
    ``make run``'s). Prefork by default: the lease tests kill pool processes; ``make run`` on the
    embedded broker uses threads (``podium_run.worker_pool``), which the fault tests use."""
    return [
        "worker",
        "-P",
        pool,
        "-c",
        str(concurrency),
        "-Q",
        queues,
        "-l",
        "INFO",
        "-n",
        f"e2e-{uuid.uuid4().hex[:8]}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]


def beat_args(folder: Path) -> list[str]:
    return [
        "beat",
        "-l",
        "INFO",
        "--pidfile=",
        "-s",
        str(folder / "celerybeat-schedule"),
    ]


WORKER_READY = " ready."
BEAT_READY = "beat: Starting..."


def wait_until(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    every: float = 0.1,
    log: Callable[[], str] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(
        f"not within {timeout} s: {what}" + (f"\n--- logs ---\n{log()[-6000:]}" if log else "")
    )
