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


@pytest.fixture(autouse=True)
def _no_signal_handlers():
    """run.start() installs SIGINT/SIGTERM/SIGHUP handlers: give pytest its own back."""
    import signal

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)
