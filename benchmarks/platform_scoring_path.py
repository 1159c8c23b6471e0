"""What scoring a submission costs besides its metric: ``python -m benchmarks.platform_scoring_path
BACKEND [--submissions N] [--teams T]``.

BACKEND is ``embedded`` (SQLite, in a temporary folder) or ``services`` (a throwaway PostgreSQL
database on DATABASE_URL's server, Redis on CELERY_BROKER_URL's as the broker and the cache;
skipped without them). N submissions of 1,000 rows (binary ROC AUC) from T teams, uploaded
first, then scored one after the other in this process as a worker's task is: Celery's
``task_prerun`` signal (its Django fixup, which closes or keeps the database connections, and
Podium's own handlers), ``workflows.scoring.submission_score`` (claim, read, score, board update,
result), ``task_postrun``. Per submission: the SQL statements it ran (SAVEPOINTs left out, as
``tests/podium/workflows/test_statement_counts.py`` counts) and its time outside the metric:
``outside_metric``, the task's wall time less the scorer's own (``scoring.score_submission``:
reading the file and the metric), ``outside_metric_call`` the same for the call alone (no
signals), and ``outside_metric_cpu`` this process's CPU time outside the scorer (what the
worker itself spends, without the waits for the database: steadier on a busy machine). Targets
(issue 15): at most 8 statements and 10 ms. Every submission must end scored and every team's
board row must count its submissions. Prints one JSON line, with the load average.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

import numpy as np

from benchmarks import platform_common as common

ROWS = 1_000
SUBMISSIONS = 300
TEAMS = 50
SEED = 20_261_203
REDIS_DB = 13  # a Redis database number of this benchmark's own
STATEMENTS_TARGET = 8
OUTSIDE_TARGET_MS = 10.0


def _csv(header: str, columns: list, formats: list[str]) -> bytes:
    fmt = ",".join(formats)
    return ("\n".join([header, *(fmt % row for row in zip(*columns, strict=True))]) + "\n").encode()


def run(backend: str, submissions: int, teams: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    import podium.workflows.scoring as _scoring
    from podium.competitions.models import Competition
    from podium.competitions.services import data_file_create, solution_version_create
    from podium.core.timeutils import now
    from podium.leaderboards.models import LeaderboardEntry
    from podium.submissions.models import Submission
    from podium.submissions.services import submission_create
    from podium.teams.services import competition_join

    rng = np.random.default_rng(SEED)
    ids = np.arange(1, ROWS + 1)
    target = (rng.random(ROWS) < 0.3).astype(int)
    usage = rng.choice(np.array(["Public", "Private"]), ROWS, p=[0.4, 0.6])
    moment = now()
    competition = Competition.objects.create(
        status=Competition.Status.PUBLISHED,
        slug="bench-scoring",
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
        file=ContentFile(
            _csv("id,target", [ids, np.full(ROWS, 0.5)], ["%d", "%.1f"]), name="sample.csv"
        ),
    )
    solution_version_create(
        competition=competition,
        file=ContentFile(
            _csv("id,target,Usage", [ids, target, usage], ["%d", "%d", "%s"]), name="solution.csv"
        ),
    )
    users = [
        get_user_model().objects.create_user(f"bench{i}", f"bench{i}@example.com", "x")
        for i in range(teams)
    ]
    for user in users:
        competition_join(user=user, competition=competition)
    common.progress(f"scoring-path/{backend}: uploading {submissions} submissions")
    pks = []
    for i in range(submissions):
        p = 1 / (1 + np.exp(-(rng.uniform(0, 3) * target + rng.normal(size=ROWS) - 0.75)))
        data = _csv("id,target", [ids, p], ["%d", "%.6f"])
        pks.append(
            submission_create(
                user=users[i % teams], competition=competition, file=ContentFile(data, f"{i}.csv")
            ).pk
        )
    common.progress(f"scoring-path/{backend}: scoring them one by one")
    task = _as_a_worker_task()
    inside = _time_the_scorer()
    _scoring.submission_score(submission_id=pks[0], worker="bench")  # warm: imports, the key
    statements, outside, outside_call, outside_cpu, total = [], [], [], [], []
    load_before = os.getloadavg()
    for i, pk in enumerate(pks[1:]):
        hooks = i % 2 == 0  # every other one as a task, the rest as a bare call
        inside.clear()
        with CaptureQueriesContext(connection) as captured:
            cpu, start = time.process_time(), time.perf_counter()
            outcome = task(pk) if hooks else _scoring.submission_score(submission_id=pk, worker="b")
            spent, cpu = time.perf_counter() - start, time.process_time() - cpu
        if outcome != "scored":
            raise RuntimeError(f"submission {pk} ended {outcome}")
        wall_in, cpu_in = inside["wall"], inside["cpu"]
        statements.append(
            sum(
                not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
                for q in captured.captured_queries
            )
        )
        (outside if hooks else outside_call).append(max(0.0, spent - wall_in))
        outside_cpu.append(max(0.0, cpu - cpu_in))
        total.append(spent)
    counted = dict(LeaderboardEntry.objects.values_list("team_id", "entries"))
    per_team = dict(
        Submission.objects.filter(competition=competition, status=Submission.Status.SCORED)
        .values_list("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    )
    if counted != per_team or sum(per_team.values()) != submissions:
        raise RuntimeError(f"board rows {counted} do not count the scored submissions {per_team}")
    outside_ms = common.summary_ms(outside)
    return {
        "backend": backend,
        "vendor": connection.vendor,
        "submissions": submissions,
        "teams": teams,
        "statements_max": max(statements),
        "statements_mean": sum(statements) / len(statements),
        "statements_target": STATEMENTS_TARGET,
        "outside_metric": outside_ms,
        "outside_metric_call": common.summary_ms(outside_call),
        "outside_metric_cpu": common.summary_ms(outside_cpu),
        "outside_target_ms": OUTSIDE_TARGET_MS,
        "call": common.summary_ms(total),
        "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
        "met": max(statements) <= STATEMENTS_TARGET and outside_ms["p50_ms"] <= OUTSIDE_TARGET_MS,
    }


def _as_a_worker_task():
    """Run a scoring as a Celery worker runs the task: its Django fixup installed (as at the
    worker's start) and the task's prerun and postrun signals around the call."""
    from celery import signals
    from celery.fixups.django import DjangoWorkerFixup

    from podium.config.celery import app
    from podium.workflows.tasks import score_submission

    fixup = DjangoWorkerFixup(app).install()  # its handlers are weak references: keep it

    def run(pk: int, _fixup=fixup) -> str:
        kwargs = {"submission_id": pk}
        signals.task_prerun.send(
            sender=score_submission, task_id=str(pk), task=score_submission, args=(), kwargs=kwargs
        )
        outcome = score_submission.run(**kwargs)
        signals.task_postrun.send(
            sender=score_submission,
            task_id=str(pk),
            task=score_submission,
            args=(),
            kwargs=kwargs,
            retval=outcome,
            state="SUCCESS",
        )
        return outcome

    return run


def _time_the_scorer() -> dict:
    """Wrap ``scoring.score_submission`` (reading the file and the metric, as the
    submission's ``duration_ms`` counts it, unrounded): its wall and CPU time, per call."""
    import scoring

    real, spent = scoring.score_submission, {}

    def timed(*args, **kwargs):
        cpu, start = time.process_time(), time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent["wall"] = time.perf_counter() - start
            spent["cpu"] = time.process_time() - cpu

    scoring.score_submission = timed
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_scoring_path")
    parser.add_argument("backend", choices=["embedded", "services"])
    parser.add_argument("--submissions", type=int, default=SUBMISSIONS)
    parser.add_argument("--teams", type=int, default=TEAMS)
    args = parser.parse_args(argv)
    with common.temp_dir("podium-bench-scoring-") as tmp:
        if args.backend == "embedded":
            common.configure(database_url=f"sqlite:///{tmp}/podium.sqlite3", data_dir=tmp)
            common.django_setup()
            common.emit(run("embedded", args.submissions, args.teams))
            return 0
        server, redis = common.postgres_url(), common.redis_url()
        if not server or not redis:
            common.emit({"backend": "services", "skipped": common.NEEDS_SERVICES})
            return 0
        broker = common.with_redis_db(redis, REDIS_DB)
        try:
            with common.ThrowawayDatabase(server, "podium_bench_scoring") as db:
                common.configure(database_url=db.url, broker_url=broker, data_dir=tmp)
                os.environ["REDIS_URL"] = broker  # the cache too, as in production
                common.django_setup()
                common.emit(run("services", args.submissions, args.teams))
        finally:
            common.flush_redis(broker)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
