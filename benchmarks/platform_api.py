"""API throughput: ``python -m benchmarks.platform_api``.

The board benchmark's world (a throwaway PostgreSQL database on DATABASE_URL's server: 10,000
teams, 100 submissions each by default, COPY-filled; skipped without PostgreSQL) is served by
gunicorn with 2 sync workers, as ``make run`` serves it. Throttle counts go to Redis when
CELERY_BROKER_URL names one (database 14), else to the file cache. A participant's API key
then drives, for a fixed time each, ``CONCURRENCY`` client threads with no think time against:

* ``ping``: /healthz, a plain Django view (the ceiling of this server on this machine);
* ``leaderboard``: GET /api/v1/competitions/<slug>/leaderboard/ (first page, 100 rows);
* ``leaderboard-deep``: the same, a page in the middle (page 50 of 100);
* ``submissions``: GET /api/v1/competitions/<slug>/submissions/ (a team's 100 submissions).

Each is reported as requests per second and p50/p99 latency; the ratio to ``ping`` says what
the endpoint costs above the server's floor. The load generator runs on the same 2 cores.
Prints one JSON line (the parent reads the last stdout line).
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import threading
import time

from benchmarks import platform_board
from benchmarks import platform_common as common

TEAMS = 10_000
SUBMISSIONS = 1_000_000
SECONDS = 8.0
CONCURRENCY = 4
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def load(port: int, path: str, headers: dict, seconds: float, concurrency: int) -> dict:
    """``concurrency`` threads request ``path`` back to back for ``seconds``."""
    for _ in range(5):  # warm-up: imports, connections, caches
        status = _get(port, path, headers)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status = _get(port, path, headers)
            mine.append(time.perf_counter() - start)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    summary = common.summary_ms(latencies)
    return {
        "path": path,
        "requests": len(latencies),
        "errors": errors[0],
        "per_s": len(latencies) / elapsed,
        "p50_ms": summary["p50_ms"],
        "p99_ms": common.percentile(latencies, 0.99) * 1000,
    }


def _serve(env: dict, port: int, folder: str) -> subprocess.Popen:
    log = open(os.path.join(folder, "gunicorn.log"), "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "podium.config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(common.PLATFORM_DIR),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(port, "/healthz", {}) == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer; see {log.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_api")
    parser.add_argument("--teams", type=int, default=TEAMS)
    parser.add_argument("--submissions", type=int, default=SUBMISSIONS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    args = parser.parse_args(argv)
    server_url = common.postgres_url()
    if server_url is None:
        common.emit({"skipped": common.NEEDS_POSTGRES})
        return 0
    redis = common.redis_url()
    with common.temp_dir("podium-bench-api-") as tmp:
        with common.ThrowawayDatabase(server_url, "podium_bench_api") as db:
            env = common.configure(database_url=db.url, data_dir=tmp)
            env.update(
                {
                    "PODIUM_API_RATE_USER": "100000000/minute",
                    "PODIUM_API_RATE_ADDRESS": "100000000/minute",
                    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                }
            )
            if redis:
                env["REDIS_URL"] = common.with_redis_db(redis, 14)
            common.django_setup()
            competition, teams = platform_board.fill(args.teams, args.submissions)
            from django.db import connections

            from podium.accounts.services import api_token_create
            from podium.teams.models import Membership

            connections.close_all()  # fill() leaves its raw connection outside autocommit

            member = Membership.objects.filter(team=teams[0]).select_related("user").first()
            _, key = api_token_create(user=member.user, name="bench")
            team_submissions = teams[0].submissions.count()
            connections.close_all()
            port = _free_port()
            common.progress(f"api: filled; gunicorn ({WORKERS} workers) on port {port}")
            server = _serve(env, port, tmp)
            try:
                auth = {"Authorization": f"Token {key}", "Host": "127.0.0.1"}
                base = f"/api/v1/competitions/{competition.slug}"
                deep = max(1, args.teams // 100 // 2)  # a page in the middle of the board
                paths = {
                    "ping": ("/healthz", {"Host": "127.0.0.1"}),
                    "leaderboard": (f"{base}/leaderboard/", auth),
                    "leaderboard-deep": (f"{base}/leaderboard/?page={deep}", auth),
                    "submissions": (f"{base}/submissions/", auth),
                }
                results = {}
                for name, (path, headers) in paths.items():
                    common.progress(f"api: {name} for {args.seconds:g} s")
                    results[name] = load(port, path, headers, args.seconds, args.concurrency)
            finally:
                server.terminate()
                server.wait(timeout=30)
    common.emit(
        {
            "teams": args.teams,
            "submissions": args.submissions,
            "team_submissions": team_submissions,
            "workers": WORKERS,
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "cache": "redis" if redis else "file",
            "endpoints": results,
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
