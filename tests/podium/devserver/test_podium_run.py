"""``manage.py podium_run`` for real: three processes, a page and its CSS served, a process
that dies restarted, and nothing left running after Ctrl-C.

Each run uses its own data folder, whose path is in every child's environment: a process is ours
(and a leftover) when /proc/<pid>/environ names that folder.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc"),
]

# The embedded defaults are what is tested: nothing of the CI's PostgreSQL or Redis.
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "PODIUM_MEDIA_ROOT",
    "PODIUM_SOLUTIONS_ROOT",
    "PODIUM_STATIC_ROOT",
    "CELERY_TASK_ALWAYS_EAGER",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_using(data_dir: Path) -> list[int]:
    marker = f"PODIUM_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":  # a zombie has exited already; its parent just has not reaped it
                    found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def get(url: str, wait: float = 60) -> tuple[int, bytes]:
    """The first answer within ``wait`` seconds: gunicorn's workers may still be booting when the
    banner is printed, and on a busy machine that takes seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if time.monotonic() > deadline:
                return 0, b""
            time.sleep(0.5)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated data folder with the static files collected; its environment. As `make run`
    makes it: no DJANGO_SECRET_KEY, the install's key file made first, every process reading it."""
    data_dir = tmp_path_factory.mktemp("run") / f"podium-run-{uuid.uuid4().hex}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SERVICE_VARIABLES and k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")
    }
    env.update(PODIUM_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="podium.config.settings")
    subprocess.run(
        [sys.executable, "-m", "podium.config.secret_key"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=180,
        )
    return data_dir, env


class Run:
    def __init__(self, site, tmp_path: Path, *args: str, **env_extra: str) -> None:
        self.data_dir, env = site
        env = {**env, **env_extra}
        self.port = free_port()
        self.log = tmp_path / "podium_run.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "podium_run",
                    "--port",
                    str(self.port),
                    *args,
                ],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_banner(self, timeout: float = 150) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"Processes: web=(\d+) worker=(\d+) beat=(\d+)", self.output())
            if found:
                return dict(zip(("web", "worker", "beat"), map(int, found.groups()), strict=True))
            assert self.process.poll() is None, self.output()
            time.sleep(0.3)
        pytest.fail(f"no banner within {timeout} s:\n{self.output()}")

    def cleanup(self) -> None:
        """Whatever the test's outcome, leave no process of this run behind."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in processes_using(self.data_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def wait_until_gone(data_dir: Path, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := processes_using(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_run_serves_the_demo_and_stops_everything_on_ctrl_c(site, tmp_path):
    run = Run(site, tmp_path)
    try:
        pids = run.wait_for_banner()
        status, body = get(run.url("/"))
        assert status == 200 and b"Breast Cancer Diagnosis" in body  # seeded by default
        status, css = get(run.url("/static/podium/podium.css"))
        assert status == 200 and b".cards" in css
        banner = run.output()
        assert f"Podium is running at  http://127.0.0.1:{run.port}/" in banner
        assert "alice      /  demo-alice" in banner and "organizer  /  demo-organizer" in banner
        assert "  Sandbox: " in banner  # ready, or what is missing for kernels and metrics
        assert set(pids.values()) <= set(processes_using(run.data_dir))
        assert oct((run.data_dir / "secret_key").stat().st_mode & 0o777) == "0o600"

        started = time.monotonic()
        run.process.send_signal(signal.SIGINT)
        assert run.process.wait(timeout=20) == 0
        assert time.monotonic() - started < 15
        assert wait_until_gone(run.data_dir, timeout=3) == []
        assert "Podium stopped." in run.output()
    finally:
        run.cleanup()


def test_a_process_that_dies_is_restarted_and_the_site_keeps_answering(site, tmp_path):
    """The OOM killer takes the worker's main process: its pool is killed with it, a new worker
    starts, the site answers throughout, and Ctrl-C still stops everything."""
    run = Run(site, tmp_path, "--no-seed")
    try:
        pids = run.wait_for_banner()
        os.kill(pids["worker"], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while "worker restarted (pid" not in run.output() and time.monotonic() < deadline:
            assert run.process.poll() is None, run.output()
            time.sleep(0.2)
        found = re.search(r"worker restarted \(pid (\d+)\)", run.output())
        assert found, run.output()
        assert f"worker (pid {pids['worker']}) exited with code -9: restarting it." in run.output()
        assert int(found.group(1)) in processes_using(run.data_dir)
        assert pids["worker"] not in processes_using(run.data_dir)
        assert get(run.url("/"))[0] == 200 and run.process.poll() is None

        run.process.send_signal(signal.SIGINT)
        assert run.process.wait(timeout=20) == 0
        assert wait_until_gone(run.data_dir, timeout=3) == []
    finally:
        run.cleanup()


def test_a_worker_that_is_stuck_with_work_waiting_is_restarted(site, tmp_path):
    """A wedged worker still has its process (and may answer ping): here it is SIGSTOPped while
    beat keeps queuing the reconciler every second. Work waits, nothing gets done: the
    supervisor sees it within the stall time and restarts the worker."""
    run = Run(
        site,
        tmp_path,
        "--no-seed",
        PODIUM_WORKER_STALL_SECONDS="4",
        PODIUM_RECONCILE_EVERY_SECONDS="1",
    )
    try:
        pids = run.wait_for_banner()
        time.sleep(2)  # the worker has started consuming
        os.kill(pids["worker"], signal.SIGSTOP)
        deadline = time.monotonic() + 60
        while "worker restarted (pid" not in run.output() and time.monotonic() < deadline:
            assert run.process.poll() is None, run.output()
            time.sleep(0.3)
        output = run.output()
        assert f"worker (pid {pids['worker']}) is stuck: " in output, output
        assert "messages wait in " in output and "got nothing done for " in output
        assert pids["worker"] not in processes_using(run.data_dir)
        assert get(run.url("/healthz"))[0] == 200 and run.process.poll() is None
        run.process.send_signal(signal.SIGINT)
        assert run.process.wait(timeout=20) == 0
    finally:
        run.cleanup()
