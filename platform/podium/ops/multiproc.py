"""prometheus_client's multiprocess mode for gunicorn: what the master does with
``PROMETHEUS_MULTIPROC_DIR`` (``podium.config.gunicorn``'s hooks). No Django here: the master
runs these before any worker has set Django up.

Each worker process writes its samples (request latency, ``podium.ops.metrics``) to memory-mapped
files in the folder and a scrape, in whichever worker answers it, merges them all. The folder
must start empty: files left by an earlier run would be merged in as if they were this run's
(their pids may even be reused). A worker that exits keeps its counters (they count what it
answered) and loses its live gauges (``mark_process_dead``).
"""

from __future__ import annotations

import os
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def folder() -> Path | None:
    value = os.environ.get(VARIABLE)
    return Path(value) if value else None


def folder_ensure() -> None:
    """Any other process (``runserver``, a shell) that finds the variable set: the folder must
    exist before a sample is written."""
    path = folder()
    if path is not None:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)


def folder_reset() -> Path | None:
    """Create the folder (0700) or empty it of an earlier run's sample files."""
    path = folder()
    if path is None:
        return None
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
    return path


def process_dead(pid: int) -> None:
    """A worker exited: drop its live gauges' files (counters and histograms stay)."""
    if folder() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
