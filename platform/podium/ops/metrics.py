"""Prometheus metrics (``/metrics``), with the standard client library.

Two kinds, chosen so that several gunicorn and Celery processes give one true answer:

* **Read at scrape time** (:class:`DatabaseCollector`): submissions by state, failures by code,
  kernel runs by state, the scoring-time histogram (from each row's ``duration_ms``), queue
  depths (``core.broker_queues``) and the age of the last worker progress. The database and the
  broker are the truth whichever process did the work, so nothing is counted per process and a
  restart loses nothing; the histogram is cumulative because rows are.
* **Counted as it happens**: request latency by route name, method and status class
  (``podium.ops.middleware``). Only the process that answered knows it, so under gunicorn set
  ``PROMETHEUS_MULTIPROC_DIR`` (the Dockerfile and ``podium_run`` do; gunicorn's master empties
  it at each start and marks exited workers dead, ``ops/multiproc.py``): every process then
  writes its samples there and a scrape merges them (prometheus_client's multiprocess mode).
  Without it, one process's own counts are shown. A gauge counted in a process would need a
  ``multiprocess_mode``; there is none: the gauges are read at scrape time.

Labels are closed sets: states, registered error codes, queue names, route names, methods.
Never a score, a user, a team or a competition.
"""

from __future__ import annotations

import time

from django.conf import settings
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from podium.core import progress
from podium.core.broker_queues import queue_depths
from podium.ops import multiproc, selectors

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Scoring takes from a few hundred ms (a small CSV) to the soft time limit (minutes).
SCORING_BUCKETS_SECONDS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

multiproc.folder_ensure()  # before the first sample (gunicorn's master made it already)
REQUEST_SECONDS = Histogram(
    "podium_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status"],
    registry=None,  # shown by render(): merged across processes, or this process's own
)


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route=route, method=method, status=f"{status // 100}xx").observe(seconds)


class DatabaseCollector:
    """What the rows and the broker say now (see the module's docstring)."""

    def collect(self):
        states = GaugeMetricFamily("podium_submissions", "Submissions by state.", labels=["state"])
        for state, n in selectors.submissions_by_state().items():
            states.add_metric([state], n)
        yield states

        failures = GaugeMetricFamily(
            "podium_submission_failures",
            "Failed submissions by error code (a code outside the registry: other).",
            labels=["code"],
        )
        for code, n in sorted(selectors.failures_by_code().items()):
            failures.add_metric([code], n)
        yield failures

        bounds_ms = [round(b * 1000) for b in SCORING_BUCKETS_SECONDS]
        cumulative, count, total_ms = selectors.scoring_durations(bounds_ms)
        buckets = [(str(b), n) for b, n in zip(SCORING_BUCKETS_SECONDS, cumulative, strict=True)]
        yield HistogramMetricFamily(
            "podium_scoring_duration_seconds",
            "Time to score a submission, over every submission that recorded it.",
            buckets=[*buckets, ("+Inf", count)],
            sum_value=total_ms / 1000,
        )

        runs = GaugeMetricFamily("podium_kernel_runs", "Kernel runs by state.", labels=["state"])
        for state, n in selectors.kernel_runs_by_state().items():
            runs.add_metric([state], n)
        yield runs

        depths = queue_depths(settings.WORKER_QUEUES)
        yield GaugeMetricFamily(
            "podium_broker_up",
            "1 when the broker's queues could be read.",
            value=int(depths is not None),
        )
        depth = GaugeMetricFamily(
            "podium_queue_depth", "Messages waiting in each queue.", labels=["queue"]
        )
        for queue, n in (depths or {}).items():
            depth.add_metric([queue], n)
        yield depth

        last = progress.last_progress(progress.ANY)
        if last is not None:
            yield GaugeMetricFamily(
                "podium_worker_progress_age_seconds",
                "Seconds since any worker last got something done (a task ended, a lease renewed).",
                value=max(0.0, time.time() - last),
            )


def render() -> bytes:
    """The text a scrape gets."""
    registry = CollectorRegistry(auto_describe=False)
    if multiproc.folder() is not None:
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
