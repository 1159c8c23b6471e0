"""Deadline day with an OOM killer: 300 uploads while the worker is SIGKILLed 15 times (issue 15).

The worker runs the pool ``make run`` gives it on each backend (``podium_run.worker_pool``):
threads on the embedded broker, where a killed prefork pool process wedged the pool for good, so
there the kill takes the whole worker and the test starts it again as make run's supervisor
does; prefork on Redis, where the kill takes a pool process and Celery replaces it. A real beat
runs the reconciler. Every submission must be final within 2 minutes of the last kill, and none
scored twice (each team's board entry counts exactly its scored submissions).
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time

import pytest
from django.db.models import Count, Q

from podium.devserver.management.commands.podium_run import worker_pool
from podium.leaderboards.models import LeaderboardEntry
from podium.submissions.models import Submission
from tests.podium.e2e.live import EMBEDDED, children_of
from tests.podium.factories import competition_with_solution, participant, predictions_file, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

UPLOADS, KILLS, TEAMS = 300, 15, 10
FINAL_WITHIN = 120.0  # seconds after the last kill
FINAL = [Submission.Status.SCORED, Submission.Status.FAILED]


def test_every_upload_is_scored_once_while_the_worker_is_killed_again_and_again(e2e, backend):
    broker = "filesystem://" if backend.name == EMBEDDED else "redis://"
    _, pool, _, concurrency = worker_pool(broker)
    competition = competition_with_solution(daily_submission_limit=UPLOADS)
    users = [participant(competition) for _ in range(TEAMS)]
    worker = e2e.start_worker(concurrency=int(concurrency), pool=pool)
    e2e.start_beat()  # the reconciler, every second here
    kills: list[str] = []
    killed_at: list[float] = []  # monotonic
    killer_failed: list[BaseException] = []

    def killer() -> None:
        nonlocal worker
        chance = random.Random(15)
        try:
            while len(kills) < KILLS:
                time.sleep(chance.uniform(1.0, 2.5))
                if pool == "threads":  # no pool processes: the OOM killer takes the worker
                    worker.kill(signal.SIGKILL)
                    kills.append("worker")
                    killed_at.append(time.monotonic())
                    worker = e2e.start_worker(concurrency=int(concurrency), pool=pool)
                    continue
                children = children_of(worker.pid)
                if children:
                    os.kill(chance.choice(children), signal.SIGKILL)
                    kills.append("pool process")
                    killed_at.append(time.monotonic())
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            killer_failed.append(exc)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    files = [predictions_file(competition, quality=0.3, seed=n % 7) for n in range(7)]
    subs = [submit(users[n % TEAMS], competition, file=files[n % 7]) for n in range(UPLOADS)]
    thread.join(timeout=300)
    assert not killer_failed, killer_failed
    assert len(kills) == KILLS
    uploaded = time.monotonic()
    last_kill = killed_at[-1]

    ids = [s.pk for s in subs]
    deadline = last_kill + FINAL_WITHIN
    while time.monotonic() < deadline:
        if not Submission.objects.filter(pk__in=ids).exclude(status__in=FINAL).exists():
            break
        time.sleep(0.5)
    waiting = list(
        Submission.objects.filter(pk__in=ids)
        .exclude(status__in=FINAL)
        .values_list("pk", "status", "attempts")
    )
    assert not waiting, f"not final {FINAL_WITHIN:.0f} s after the last kill: {waiting[:10]}\n" + (
        e2e.logs()
    )
    took = time.monotonic() - last_kill

    counts = Submission.objects.filter(pk__in=ids).aggregate(
        scored=Count("pk", filter=Q(status=Submission.Status.SCORED)),
        failed=Count("pk", filter=Q(status=Submission.Status.FAILED)),
    )
    # A submission fails only when all its attempts died with the worker (abandoned, free).
    failed = Submission.objects.filter(pk__in=ids, status=Submission.Status.FAILED)
    assert set(failed.values_list("error_code", flat=True)) <= {"scoring_abandoned"}
    assert counts["scored"] >= UPLOADS - KILLS * int(concurrency), counts
    scored_per_team = dict(
        Submission.objects.filter(pk__in=ids, status=Submission.Status.SCORED)
        .values_list("team_id")
        .annotate(n=Count("pk"))
    )
    entries = dict(
        LeaderboardEntry.objects.filter(competition=competition).values_list("team_id", "entries")
    )
    assert entries == scored_per_team  # each scored submission counted once on its board
    print(
        f"\n{backend.name} ({pool} pool): {UPLOADS} uploads, {len(kills)} kills ({kills[0]}); "
        f"{counts['scored']} scored, {counts['failed']} abandoned; the last upload "
        f"{uploaded - last_kill:+.1f} s after the last kill; all final {took:.1f} s after it"
    )
