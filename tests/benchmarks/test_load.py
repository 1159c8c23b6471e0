"""The load benchmark at a tiny size (40 uploads, 200 teams), so it cannot rot: it runs as
``python -m benchmarks.load`` would, in a child process with a real gunicorn, a real Celery
worker and real HTTP, on the embedded defaults and on PostgreSQL + Redis (skipped without them,
a failure under PODIUM_REQUIRE_SERVICES=1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")
TINY = ["--uploads", "40", "--clients", "8", "--readers", "2", "--teams", "200"]
TINY += ["--seconds", "1", "--hammer-threads", "4", "--scoring-timeout", "180"]

pytestmark = pytest.mark.slow


def _run(env: dict) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", *TINY],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-6000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _check(result: dict, report: str) -> None:
    for name in ("sync", "threaded"):
        burst = result["bursts"][name]
        assert burst["upload"] == {**burst["upload"], "ok": 40, "4xx": 0, "5xx": 0, "failed": 0}
        assert burst["reads"]["ok"] > 0
        assert burst["reads"]["5xx"] == burst["reads"]["failed"] == 0
        assert burst["board_page"]["n"] > 0 and burst["board_api"]["n"] > 0
        # Every accepted upload was scored by the real worker: the wait ends on the rows.
        assert burst["scoring"] == {**burst["scoring"], "all_final": True, "scored": 40}
        assert burst["scoring"]["per_s"] > 0
    assert result["bursts"]["sync"]["threads"] == 1
    assert result["bursts"]["threaded"]["threads"] > 1
    board = result["board"]
    assert board["teams"] == 200
    for key in ("api_board", "api_board_new_connections", "ping"):
        assert board[key]["ok"] == board[key]["requests"] > 0
    assert "threaded vs sync" in report and "API board / plain" in report
    # Everything it started was stopped, by process group.
    assert result["pids"] and all(_gone(pid) for pid in result["pids"])


def test_load_benchmark_embedded():
    env = {k: v for k, v in os.environ.items() if k not in SERVICES}
    result, report = _run(env)
    assert result["stack"].startswith("NOT the production stack: SQLite")
    _check(result, report)


def test_load_benchmark_services():
    url, broker = os.environ.get("DATABASE_URL", ""), os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("postgres") or not broker.startswith("redis://"):
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)")
    result, report = _run({**os.environ})
    assert result["stack"] == "PostgreSQL + Redis"
    _check(result, report)
