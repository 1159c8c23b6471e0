"""A small process supervisor for ``manage.py podium_run``: start the web server, the worker and
the scheduler, and stop them together.

Each child runs in its own session, so a Ctrl-C in the terminal reaches only this process, which
then stops every child once, gracefully (SIGTERM: gunicorn finishes its requests, the Celery
worker its tasks), and kills what is left after a grace period. A child that dies (the OOM killer,
a crash) is restarted, after what is left of its process group is killed; one that keeps dying
at start-up (more than ``MAX_RESTARTS`` times within ``RESTART_WINDOW`` seconds, each after less
than ``MIN_UPTIME`` seconds of life) stops everything, and the supervisor exits non-zero. A child
that lived longer is always restarted: the OOM killer taking the worker again and again during a
rush is not a crash loop. A child may also have a liveness ``check`` (the worker's: work waits
and it gets nothing done, see ``core/progress.py``): one found stuck is killed and restarted.
On Linux each child also gets SIGTERM if the supervisor itself dies
(PR_SET_PDEATHSIG), so nothing outlives a ``kill -9`` of it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PR_SET_PDEATHSIG = 1
MAX_RESTARTS = 5  # a child dying young this often within RESTART_WINDOW is crash-looping
RESTART_WINDOW = 60.0
MIN_UPTIME = 10.0  # a child that dies before this many seconds died young
CHECK_EVERY = 10.0  # seconds between two liveness checks of a child


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: Ctrl-C handling still stops the children
        pass


@dataclass
class Child:
    name: str
    argv: list[str]
    # Liveness: given the Unix time the child started, why it is stuck, or None.
    check: Callable[[float], str | None] | None = field(default=None, repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)
    restarts: list[float] = field(default_factory=list, repr=False)  # monotonic times
    started: float = field(default=0.0, repr=False)  # monotonic
    started_wall: float = field(default=0.0, repr=False)  # Unix time
    checked: float = field(default=0.0, repr=False)  # monotonic

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def exited(self) -> int | None:
        return self.process.poll() if self.process else 0


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        *,
        env: dict[str, str],
        cwd: str,
        log: Callable[[str], None] = print,
        stop_timeout: float = 10.0,
    ) -> None:
        self.children, self.env, self.cwd, self.log = children, env, cwd, log
        self.stop_timeout = stop_timeout
        self.stop_requested: int | None = None

    def _on_signal(self, signum: int, frame) -> None:
        if self.stop_requested is None:
            self.log(f"\n{signal.Signals(signum).name} received: stopping Podium ...")
        self.stop_requested = signum

    def start(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        for child in self.children:
            self._spawn(child)

    def add(self, child: Child) -> None:
        """Start one more child, supervised from now on like the first ones."""
        self.children.append(child)
        self._spawn(child)

    def _spawn(self, child: Child) -> None:
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        child.process = subprocess.Popen(
            child.argv,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
            preexec_fn=preexec,
        )
        child.started = child.checked = time.monotonic()
        child.started_wall = time.time()

    def dead_child(self) -> Child | None:
        return next((c for c in self.children if c.exited() is not None), None)

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Poll ``ready`` until it holds; False on timeout, a stop request or a dead child."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stop_requested is not None or self.dead_child() is not None:
                return False
            if ready():
                return True
            time.sleep(0.2)
        return False

    def run(self) -> int:
        """Block until a stop is requested (exit 0), restarting a child that dies; a child that
        keeps dying stops everything (exit 1)."""
        while self.stop_requested is None:
            dead = self.dead_child()
            if dead is not None and not self._restart(dead):
                self.stop()
                return 1
            self._check_liveness()
            time.sleep(0.2)
        self.stop()
        return 0

    def _check_liveness(self) -> None:
        moment = time.monotonic()
        for child in self.children:
            if child.check is None or moment - child.checked < CHECK_EVERY:
                continue
            child.checked = moment
            try:
                stuck = child.check(child.started_wall)
            except Exception as exc:  # noqa: BLE001 - a check that fails says nothing
                self.log(f"Could not check whether {child.name} is stuck: {exc}")
                continue
            if stuck and child.exited() is None:
                self.log(f"\n{child.name} (pid {child.pid}) is stuck: {stuck}. Restarting it.")
                _signal_group(child.pid, signal.SIGKILL)
                child.process.wait()
                self._spawn(child)
                self.log(f"{child.name} restarted (pid {child.pid}).")

    def _restart(self, child: Child) -> bool:
        """Start ``child`` again; False when it is crash-looping (the caller stops all)."""
        moment = time.monotonic()
        if moment - child.started < MIN_UPTIME:  # died young: count it
            child.restarts = [t for t in child.restarts if moment - t < RESTART_WINDOW]
            child.restarts.append(moment)
        else:
            child.restarts = []
        code = child.exited()
        if len(child.restarts) > MAX_RESTARTS:
            self.log(
                f"\n{child.name} (pid {child.pid}) exited with code {code}, "
                f"{len(child.restarts)} times in {RESTART_WINDOW:.0f} s: stopping the others."
            )
            return False
        self.log(f"\n{child.name} (pid {child.pid}) exited with code {code}: restarting it.")
        _signal_group(child.pid, signal.SIGKILL)  # a worker's pool processes, if any are left
        self._spawn(child)
        self.log(f"{child.name} restarted (pid {child.pid}).")
        return True

    def stop(self) -> None:
        for child in self.children:
            if child.exited() is None:
                _signal_group(child.pid, signal.SIGTERM, leader_only=True)
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline and any(c.exited() is None for c in self.children):
            time.sleep(0.1)
        for child in self.children:
            if child.exited() is None:
                self.log(
                    f"{child.name} (pid {child.pid}) did not stop in "
                    f"{self.stop_timeout:.0f} s: killing it."
                )
            # The whole group: a worker's pool processes or gunicorn's workers, if any are left.
            _signal_group(child.pid, signal.SIGKILL)
            if child.process:
                child.process.wait()


def _signal_group(pid: int, signum: int, *, leader_only: bool = False) -> None:
    try:
        if leader_only:
            os.kill(pid, signum)
        else:
            os.killpg(pid, signum)  # each child leads its own session, so its group id is its pid
    except (ProcessLookupError, PermissionError):
        pass
