"""podium.devserver.supervisor with small real processes: a child that dies is restarted, one
that keeps dying stops everything with a non-zero exit, and a stop leaves nothing running."""

from __future__ import annotations

import sys
import threading

import pytest

from podium.devserver import supervisor
from podium.devserver.supervisor import Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def make(children: list[Child], lines: list[str]) -> Supervisor:
    return Supervisor(children, env={}, cwd=".", log=lines.append, stop_timeout=5)


def test_a_child_that_keeps_dying_stops_everything(monkeypatch):
    monkeypatch.setattr(supervisor, "MAX_RESTARTS", 2)
    lines: list[str] = []
    steady, flaky = Child("steady", SLEEPER), Child("flaky", CRASHER)
    run = make([steady, flaky], lines)
    run.start()
    assert run.run() == 1
    text = "\n".join(lines)
    assert text.count("flaky restarted (pid") == 2
    assert "exited with code 3, 3 times in 60 s: stopping the others." in text
    assert steady.exited() is not None  # stopped with the rest


def test_a_dead_child_is_restarted_and_a_stop_ends_it(monkeypatch):
    lines: list[str] = []
    child = Child("once", SLEEPER)
    run = make([child], lines)
    run.start()
    first = child.pid
    child.process.kill()
    child.process.wait()
    stopper = threading.Timer(1.5, lambda: setattr(run, "stop_requested", 15))
    stopper.start()
    try:
        assert run.run() == 0
    finally:
        stopper.cancel()
    text = "\n".join(lines)
    assert f"once (pid {first}) exited with code -9: restarting it." in text
    assert child.pid != first and child.exited() is not None


def test_a_child_that_lived_a_while_is_always_restarted(monkeypatch):
    """Killed again and again during a rush, but after a life each time: not a crash loop."""
    monkeypatch.setattr(supervisor, "MAX_RESTARTS", 2)
    monkeypatch.setattr(supervisor, "MIN_UPTIME", 0.2)
    lines: list[str] = []
    child = Child("worker", [sys.executable, "-c", "import time; time.sleep(0.4)"])
    run = make([child], lines)
    run.start()
    stopper = threading.Timer(3.0, lambda: setattr(run, "stop_requested", 15))
    stopper.start()
    try:
        assert run.run() == 0
    finally:
        stopper.cancel()
    assert "\n".join(lines).count("worker restarted (pid") > 2


def test_a_stuck_child_is_killed_and_restarted(monkeypatch):
    """The liveness check says stuck (as the worker's does when work waits and nothing gets
    done): the child is killed, group and all, and started again; a fresh one is given time."""
    monkeypatch.setattr(supervisor, "CHECK_EVERY", 0.1)
    lines: list[str] = []
    starts: list[float] = []

    def check(started_at: float) -> str | None:
        starts.append(started_at)
        return "3 messages wait and nothing got done" if len(set(starts)) == 1 else None

    child = Child("worker", SLEEPER, check=check)
    run = make([child], lines)
    run.start()
    first = child.process
    stopper = threading.Timer(1.5, lambda: setattr(run, "stop_requested", 15))
    stopper.start()
    try:
        assert run.run() == 0
    finally:
        stopper.cancel()
    text = "\n".join(lines)
    assert f"worker (pid {first.pid}) is stuck: 3 messages wait and nothing got done." in text
    assert first.returncode == -9 and text.count("worker restarted (pid") == 1
    assert len(set(starts)) == 2  # checked again with the new start time, found well


@pytest.fixture(autouse=True)
def _no_signal_handlers():
    """run.start() installs SIGINT/SIGTERM/SIGHUP handlers: give pytest its own back."""
    import signal

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)
