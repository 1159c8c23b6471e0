"""Scoring throughput of one worker process: ``python -m benchmarks.platform_worker BACKEND``.

BACKEND is ``embedded`` (SQLite + the filesystem broker, in a temporary folder) or ``services``
(a throwaway PostgreSQL database on DATABASE_URL's server + a Redis database number of its own on
CELERY_BROKER_URL's server; skipped without them). One real ``celery worker -P prefork -c 1``.

1. Idle: submissions uploaded one at a time, each waited for: upload -> scored when nothing is
   queued (what a participant sees on a quiet day).
2. Burst: 1,000 submissions of 10,000 rows (binary ROC AUC) uploaded back to back through
   ``submission_create`` while the worker runs; the worker drains them. Throughput is the scored
   count over the time between the first and the last ``scored_at`` (submissions per second per
   worker process); latency is ``scored_at - created_at`` of each, queue wait included.

Every submission must end scored after exactly one attempt, and the team's board row must count
every one. Prints one JSON line (the parent reads the last stdout line).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

from benchmarks import platform_common as common

ROWS = 10_000
SUBMISSIONS = 1_000
IDLE_SUBMISSIONS = 30
SEED = 20_240_602
REDIS_DB = 14  # a database number of the benchmark's own on the Redis server


def _csv(header: str, columns: list[np.ndarray], formats: list[str]) -> bytes:
    fmt = ",".join(formats)
    lines = [header, *(fmt % row for row in zip(*columns, strict=True))]
    return ("\n".join(lines) + "\n").encode()


def _answer_key(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, bytes, bytes]:
    ids = np.arange(1, ROWS + 1)
    target = (rng.random(ROWS) < 0.3).astype(int)
    usage = rng.choice(np.array(["Public", "Private", "Ignored"]), ROWS, p=[0.3, 0.6, 0.1])
    solution = _csv("id,target,Usage", [ids, target, usage], ["%d", "%d", "%s"])
    sample = _csv("id,target", [ids, np.full(ROWS, 0.5)], ["%d", "%.1f"])
    return ids, target, solution, sample


def _prediction(rng: np.random.Generator, ids: np.ndarray, target: np.ndarray) -> bytes:
    p = 1 / (1 + np.exp(-(1.5 * target + rng.normal(size=ROWS) - 0.75)))
    order = rng.permutation(ROWS)
    return _csv("id,target", [ids[order], p[order]], ["%d", "%.6f"])


class Worker:
    def __init__(self, env: dict, folder: Path) -> None:
        self.log_path = folder / "worker.log"
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "podium.config",
                    "worker",
                    "-P",
                    "prefork",
                    "-c",
                    "1",
                    "-l",
                    "INFO",
                    "-n",
                    "bench@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while " ready." not in self.log_path.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the worker did not start:\n" + self.log()[-4000:])
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def _wait_scored(ids: list[int], timeout: float, worker: Worker) -> None:
    from podium.submissions.models import Submission

    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = Submission.objects.filter(
            pk__in=ids, status__in=[Submission.Status.SCORED, Submission.Status.FAILED]
        ).count()
        if done == len(ids):
            return
        time.sleep(0.005 if len(ids) == 1 else 0.25)
    raise RuntimeError(
        f"only {done} of {len(ids)} submissions finished in {timeout} s; worker log tail:\n"
        + worker.log()[-4000:]
    )


def run(backend: str, submissions: int, idle: int) -> dict:
    from django.core.files.base import ContentFile

    from podium.competitions.models import Competition
    from podium.competitions.services import data_file_create, solution_version_create
    from podium.core.timeutils import now
    from podium.leaderboards.models import LeaderboardEntry
    from podium.submissions.models import Submission
    from podium.submissions.services import submission_create
    from podium.teams.services import competition_join

    rng = np.random.default_rng(SEED)
    ids, target, solution, sample = _answer_key(rng)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench", "bench@example.com", "x")
    moment = now()
    competition = Competition.objects.create(
        status=Competition.Status.PUBLISHED,
        slug="bench",
        title="Bench",
        metric="roc_auc",
        start_at=moment - timedelta(days=1),
        end_at=moment + timedelta(days=30),
        daily_submission_limit=10 * submissions,
    )
    data_file_create(
        competition=competition,
        kind="sample_submission",
        name="sample_submission.csv",
        file=ContentFile(sample, name="sample_submission.csv"),
    )
    solution_version_create(
        competition=competition, file=ContentFile(solution, name="solution.csv")
    )
    competition_join(user=user, competition=competition)
    common.progress(f"worker/{backend}: generating {submissions} files of {ROWS:,} rows")
    files = [_prediction(rng, ids, target) for _ in range(submissions + idle)]

    folder = Path(os.environ["PODIUM_DATA_DIR"])
    worker = Worker({**os.environ}, folder)
    try:
        common.progress(f"worker/{backend}: {idle} submissions one at a time")
        for i in range(idle):
            sub = submission_create(
                user=user, competition=competition, file=ContentFile(files[i], name=f"idle{i}.csv")
            )
            _wait_scored([sub.pk], 60, worker)
        idle_rows = list(Submission.objects.order_by("pk").values_list("created_at", "scored_at"))
        common.progress(f"worker/{backend}: {submissions} submissions uploaded back to back")
        upload_start = time.perf_counter()
        burst_ids = [
            submission_create(
                user=user,
                competition=competition,
                file=ContentFile(files[idle + i], name=f"burst{i}.csv"),
            ).pk
            for i in range(submissions)
        ]
        upload_s = time.perf_counter() - upload_start
        _wait_scored(burst_ids, 1200, worker)
    finally:
        worker.stop()

    burst = Submission.objects.filter(pk__in=burst_ids)
    statuses = set(burst.values_list("status", flat=True))
    attempts = set(burst.values_list("attempts", flat=True))
    if statuses != {Submission.Status.SCORED} or attempts != {1}:
        raise RuntimeError(f"burst ended with statuses {statuses} and attempts {attempts}")
    entry = LeaderboardEntry.objects.get(competition=competition)
    if entry.entries != submissions + idle:
        raise RuntimeError(f"the board row counts {entry.entries}, expected {submissions + idle}")
    rows = list(burst.values_list("created_at", "scored_at", "duration_ms"))
    scored = sorted(r[1] for r in rows)
    span = (scored[-1] - scored[0]).total_seconds()
    latency = [(s - c).total_seconds() for c, s, _ in rows]
    idle_latency = [(s - c).total_seconds() for c, s in idle_rows]
    return {
        "backend": backend,
        "rows": ROWS,
        "submissions": submissions,
        "upload_per_s": submissions / upload_s,
        "per_s": (len(scored) - 1) / span if span > 0 else float("inf"),
        "drain_s": span,
        "latency": common.summary_ms(latency),
        "idle_latency": common.summary_ms(idle_latency),
        "scoring_ms_p50": common.percentile([r[2] for r in rows], 0.5),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_worker")
    parser.add_argument("backend", choices=["embedded", "services"])
    parser.add_argument("--submissions", type=int, default=SUBMISSIONS)
    parser.add_argument("--idle", type=int, default=IDLE_SUBMISSIONS)
    args = parser.parse_args(argv)
    with common.temp_dir("podium-bench-worker-") as tmp:
        if args.backend == "embedded":
            common.configure(database_url=f"sqlite:///{tmp}/podium.sqlite3", data_dir=tmp)
            common.django_setup()
            common.emit(run("embedded", args.submissions, args.idle))
            return 0
        server, redis = common.postgres_url(), common.redis_url()
        if not server or not redis:
            common.emit({"backend": "services", "skipped": common.NEEDS_SERVICES})
            return 0
        broker = common.with_redis_db(redis, REDIS_DB)
        common.flush_redis(broker)
        try:
            with common.ThrowawayDatabase(server, "podium_bench_worker") as db:
                common.configure(database_url=db.url, broker_url=broker, data_dir=tmp)
                common.django_setup()
                common.emit(run("services", args.submissions, args.idle))
        finally:
            common.flush_redis(broker)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
