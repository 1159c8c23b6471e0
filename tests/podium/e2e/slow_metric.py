"""A custom metric that sleeps while it scores a marked submission, once armed: the e2e tests kill
the worker during that sleep.

An organizer's metric runs only in the sandbox, which shares nothing with the host: it cannot
log its calls to a file of the test, nor see one that arms it. So it is armed by the
competition's parameters (``{"sleep": SLEEP_S}``; ``{}`` keeps it fast) and slows down only on a
submission holding the MARK value (``marked``); the test sees it run from outside, as the
host's processes (``sandbox_runs``): the trusted ``runner.py`` in the sandbox, under the worker's
pool process that started it.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files.base import ContentFile

import scoring
from podium.core.files import materialize
from tests.podium.factories import competition_with_solution

SLEEP_S = 4
MARK = 0.1234567  # a prediction no generated submission holds (they are rounded to 6 places)
ARMED = {"sleep": SLEEP_S}

SLOW_METRIC = f'''"""Accuracy at 0.5; sleeps once per run on a marked submission when armed."""
import time

SLEPT = []


def score(solution, submission, row_id_column_name, sleep=0, **kwargs):
    if sleep and not SLEPT and (submission["target"] == {MARK!r}).any():
        SLEPT.append(True)
        time.sleep(sleep)
    y = solution["target"].to_numpy()
    p = submission["target"].to_numpy()
    return float(((p >= 0.5) == (y == 1)).mean())
'''


def slow_metric_competition(*, armed: bool):
    """A competition scored by the slow metric (armed or not: ``arm`` switches it later)."""
    return competition_with_solution(
        metric="custom",
        metric_params=ARMED if armed else {},
        custom_metric_file=ContentFile(SLOW_METRIC.encode(), name="slow_metric.py"),
    )


def arm(competition) -> None:
    type(competition).objects.filter(pk=competition.pk).update(metric_params=ARMED)
    competition.refresh_from_db()


def marked(file: ContentFile) -> ContentFile:
    """The submission with its first prediction replaced by MARK: the metric sleeps on it."""
    header, first, *rest = file.read().decode().splitlines()
    row_id = first.split(",", 1)[0]
    lines = [header, f"{row_id},{MARK}", *rest]
    return ContentFile(("\n".join(lines) + "\n").encode(), name=file.name)


def offline_metric(competition) -> scoring.Metric:
    """The same file loaded in this process (the test's, never a worker's), for expected scores;
    scored with params {} it does not sleep."""
    with materialize(competition.custom_metric_file) as path:
        return scoring.load_metric_file(path)


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def sandbox_runs(worker_pid: int) -> dict[int, int]:
    """The metric runs in progress under a worker: {runner.py's host pid: the worker's pool
    process that started its sandbox}."""
    runs = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # runner.py itself: not bubblewrap nor the sandbox's supervisor, whose argv hold it too
        if b"/sandbox/code/runner.py" not in argv or b"/podium/supervisor.py" in argv:
            continue
        pid = child = int(entry.name)
        while pid not in (None, 0, 1, worker_pid):
            child, pid = pid, _parent(pid)
        if pid == worker_pid:
            runs[int(entry.name)] = child
    return runs


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"
