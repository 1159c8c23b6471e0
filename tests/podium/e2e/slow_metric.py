"""A custom metric that sleeps on its first armed call and logs each call's process id: the
e2e tests kill the worker while it sleeps."""

from __future__ import annotations

from pathlib import Path

from django.core.files.base import ContentFile

from tests.podium.factories import competition_with_solution

SLEEP_S = 4

SLOW_METRIC = '''"""Accuracy at 0.5; sleeps once when armed, and logs each call's process id."""
import os
import time
from pathlib import Path

CALLS = Path({calls!r})
ARMED = Path({armed!r})


def score(solution, submission, row_id_column_name, **kwargs):
    with CALLS.open("a") as log:
        log.write(f"{{os.getpid()}}\\n")
    try:
        ARMED.unlink()  # the first armed call only
    except FileNotFoundError:
        pass
    else:
        time.sleep({sleep})
    y = solution["target"].to_numpy()
    p = submission["target"].to_numpy()
    return float(((p >= 0.5) == (y == 1)).mean())
'''


def calls(path: Path) -> list[int]:
    """The process id of each call so far."""
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def slow_metric_competition(folder: Path):
    """A competition scored by the slow metric; its call log and arming file are in ``folder``."""
    calls_log, armed = folder / "metric-calls.log", folder / "metric-armed"
    source = SLOW_METRIC.format(calls=str(calls_log), armed=str(armed), sleep=SLEEP_S)
    competition = competition_with_solution(
        metric="custom", custom_metric_file=ContentFile(source.encode(), name="slow_metric.py")
    )
    return competition, calls_log, armed
