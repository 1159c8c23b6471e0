"""Podium under load over HTTP: ``python -m benchmarks.load`` (or ``make bench-load``).

A real gunicorn (``podium.config.gunicorn``) and a real Celery worker on 127.0.0.1, against a
throwaway PostgreSQL database on DATABASE_URL's server and a leased Redis database on
CELERY_BROKER_URL's (the production stack); without them, SQLite and the filesystem broker in a
temporary folder, and the result says it is not the production stack. 32 participants with API
keys are made through Podium's services. Then:

1. ``burst``: 2,000 uploads of a ``--rows``-row CSV through the REST API (the podium CLI's
   endpoint) from 32 threads, one key each, while 4 threads read the board page and the API board;
   accepted/s, wall time, 4xx/5xx, board p50/p95 during the burst, then the wait until every
   submission is final (scoring throughput). Run on sync workers (``PODIUM_WEB_THREADS=1``, the
   baseline: what compose ran) and on the configuration's threaded workers, same worker count.
2. ``board``: a board of 10,000 bulk-created teams; the API board's first page fetched from
   ``--hammer-threads`` threads for ``--seconds`` on 2 threaded workers, against ``/healthz`` (a
   plain Django view, no database) on the same server.

Every count and time is bounded. Prints one JSON line on stdout (the last line), a report on
stderr. Targets (issue 15): burst within 60 s with no 5xx; board p95 < 150 ms during it; the
cached API board >= 500 req/s on 2 workers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchmarks import load_stack, load_traffic, load_world
from benchmarks import platform_common as common

UPLOADS = 2_000
CLIENTS = 32
READERS = 4
ROWS = 1_000
TEAMS = 10_000
WORKERS = 4
THREADS = 8
BOARD_WORKERS = 2
HAMMER_THREADS = 4  # 2 workers on 2 cores: 4 keep both busy; more only add client CPU there
SECONDS = 5.0
SCORING_TIMEOUT_S = 900.0
BURST_LIMIT_S = 600.0  # no upload starts later than this into a burst
DISTINCT_FILES = 50  # uploads reuse these (the checks do not refuse a repeated file)

BURST_TARGET_S = 60.0
READ_P95_TARGET_MS = 150.0
BOARD_TARGET_PER_S = 500.0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--uploads", type=int, default=UPLOADS, help="0: the board part only")
    parser.add_argument(
        "--clients", type=int, default=CLIENTS, help="upload threads (one key each)"
    )
    parser.add_argument("--readers", type=int, default=READERS)
    parser.add_argument("--rows", type=int, default=ROWS, help="rows per uploaded CSV")
    parser.add_argument("--teams", type=int, default=TEAMS, help="teams on the big board")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers (burst)")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per worker")
    parser.add_argument("--board-workers", type=int, default=BOARD_WORKERS)
    parser.add_argument("--hammer-threads", type=int, default=HAMMER_THREADS)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per hammered path")
    parser.add_argument("--scoring-timeout", type=float, default=SCORING_TIMEOUT_S)
    parser.add_argument("--burst-limit", type=float, default=BURST_LIMIT_S)
    parser.add_argument("--no-baseline", action="store_true", help="skip the sync-worker burst")
    return parser.parse_args(argv)


def _wait_final(competition, accepted: int, started: float, timeout: float) -> dict:
    """Poll until ``accepted`` submissions of ``competition`` are scored or failed."""
    from django.db.models import Max, Min

    from podium.submissions.models import Submission

    rows = Submission.objects.filter(competition=competition)
    final = [Submission.Status.SCORED, Submission.Status.FAILED]
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = rows.filter(status__in=final).count()
        if done >= accepted:
            break
        time.sleep(0.5)
    span = rows.aggregate(first=Min("created_at"), last=Max("scored_at"))
    seconds = (
        (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0.0
    )
    return {
        "final": done,
        "scored": rows.filter(status=Submission.Status.SCORED).count(),
        "failed": rows.filter(status=Submission.Status.FAILED).count(),
        "all_final": done >= accepted,
        "until_final_s": time.perf_counter() - started,
        "per_s": done / seconds if seconds > 0 else 0.0,
    }


def _burst(env, folder, people, files, args, *, name: str, threads: int) -> dict:
    from django.db import connections

    competition = load_world.competition(f"load-{name}", args.rows, 10 * args.uploads)
    load_world.join(competition, people)
    connections.close_all()
    common.progress(f"load: {name}: {args.uploads} uploads, {args.workers}x{threads} gunicorn")
    server = load_stack.Server(env, folder, workers=args.workers, threads=threads)
    try:
        started = time.perf_counter()
        client_cpu = time.process_time()
        result = load_traffic.burst(
            server.port,
            competition.slug,
            [p.key for p in people],
            files,
            args.uploads,
            readers=args.readers,
            reader_key=people[0].key,
            limit_s=args.burst_limit,
        )
        result["client_cpu_s"] = time.process_time() - client_cpu
        result["server_cpu_s"] = server.cpu_seconds()
    finally:
        server.stop()
    common.progress(
        f"load: {name}: {result['upload']['ok']} accepted in {result['wall_s']:.1f} s; "
        "waiting for scoring"
    )
    result["scoring"] = _wait_final(
        competition, result["upload"]["ok"], started, args.scoring_timeout
    )
    result.update(workers=args.workers, threads=threads, loadavg=os.getloadavg()[0])
    return result


def _board(env, folder, people, args) -> dict:
    from django.db import connections

    competition = load_world.competition("load-board", args.rows, 10)
    common.progress(f"load: board: {args.teams:,} teams, bulk-created")
    load_world.big_board(competition, args.teams)
    connections.close_all()
    server = load_stack.Server(env, folder, workers=args.board_workers, threads=args.threads)
    try:
        auth = {"Authorization": f"Token {people[0].key}"}
        out = {}
        board_path = f"/api/v1/competitions/{competition.slug}/leaderboard/"
        for key, path, headers, keep_alive in (
            ("api_board", board_path, auth, True),
            ("api_board_new_connections", board_path, auth, False),
            ("ping", "/healthz", {}, True),
        ):
            common.progress(f"load: board: {path} from {args.hammer_threads} threads")
            out[key] = load_traffic.hammer(
                server.port,
                path,
                headers,
                threads=args.hammer_threads,
                seconds=args.seconds,
                keep_alive=keep_alive,
            )
    finally:
        server.stop()
    return {
        "teams": args.teams,
        "workers": args.board_workers,
        "threads": args.threads,
        "loadavg": os.getloadavg()[0],
        **out,
    }


def run(args: argparse.Namespace, env: dict, folder: Path, *, broker_is_redis: bool) -> dict:
    people = load_world.participants(args.clients)
    files = load_world.predictions(args.rows, min(args.uploads, DISTINCT_FILES))
    worker = load_stack.Worker(env, folder, broker_is_redis=broker_is_redis)
    try:
        bursts = {}
        if args.uploads and not args.no_baseline:
            bursts["sync"] = _burst(env, folder, people, files, args, name="sync", threads=1)
        if args.uploads:
            bursts["threaded"] = _burst(
                env, folder, people, files, args, name="threaded", threads=args.threads
            )
        board = _board(env, folder, people, args)
    finally:
        worker.stop()
    return {"rows": args.rows, "bursts": bursts, "board": board, "pids": load_stack.STARTED}


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    server_url, redis = common.postgres_url(), common.redis_url()
    with common.temp_dir("podium-bench-load-") as tmp:
        folder = Path(tmp)
        with _database(server_url, folder) as database_url, _redis(redis) as redis_db:
            env = common.configure(database_url=database_url, broker_url=redis_db, data_dir=tmp)
            extra = {
                "PODIUM_API_RATE_USER": "100000000/minute",
                "PODIUM_API_RATE_ADDRESS": "100000000/minute",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PODIUM_LOG_LEVEL": "WARNING",
            }
            if redis_db:
                extra["REDIS_URL"] = redis_db  # the shared cache, as compose runs it
            os.environ.update(extra)
            env.update(extra)
            common.django_setup()
            result = run(args, env, folder, broker_is_redis=bool(redis_db))
    result["stack"] = (
        "PostgreSQL + Redis"
        if server_url and redis
        else "NOT the production stack: "
        + ("PostgreSQL" if server_url else "SQLite")
        + " + "
        + ("Redis" if redis else "the filesystem broker")
    )
    print("\n".join(render(result)), file=sys.stderr, flush=True)
    common.emit(result)
    return 0


def _database(server_url: str | None, folder: Path):
    if server_url:
        return _throwaway(server_url)
    return _plain(f"sqlite:///{folder}/podium.sqlite3")


class _plain:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return None


class _throwaway:
    def __init__(self, server_url: str) -> None:
        self.db = common.ThrowawayDatabase(server_url, f"podium_bench_load_{os.getpid()}")

    def __enter__(self) -> str:
        return self.db.__enter__().url

    def __exit__(self, *exc) -> None:
        self.db.__exit__(*exc)


def _redis(url: str | None):
    return load_stack.redis_db(url) if url else _plain(None)


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def targets(result: dict) -> list[tuple[str, str, bool]]:
    """(what, measured, met) for issue 15's targets, on the threaded burst and the board."""
    return _burst_targets(result["bursts"].get("threaded")) + [_board_target(result["board"])]


def _burst_targets(burst: dict | None) -> list[tuple[str, str, bool]]:
    if burst is None:  # --uploads 0
        return []
    found = [
        (
            f"{burst['uploads']:,} uploads accepted within {BURST_TARGET_S:g} s",
            f"{burst['wall_s']:.1f} s",
            burst["upload"]["ok"] == burst["uploads"] and burst["wall_s"] <= BURST_TARGET_S,
        ),
    ]
    errors = burst["upload"]["5xx"] + burst["reads"]["5xx"]
    found.append(("no 5xx during the burst", str(errors), errors == 0))
    for key, what in (("board_page", "board page"), ("board_api", "API board")):
        p95 = burst[key]["p95_ms"]
        found.append(
            (
                f"{what} p95 < {READ_P95_TARGET_MS:g} ms during the burst",
                f"{p95:.0f} ms",
                p95 < READ_P95_TARGET_MS,
            )
        )
    return found


def _board_target(board: dict) -> tuple[str, str, bool]:
    api = board["api_board"]
    return (
        f"API board, {board['teams']:,} teams, {board['workers']} workers"
        f" >= {BOARD_TARGET_PER_S:g} req/s",
        f"{api['per_s']:.0f} req/s",
        api["per_s"] >= BOARD_TARGET_PER_S and api["5xx"] == 0 and api["failed"] == 0,
    )


def render(result: dict) -> list[str]:
    out = [
        "",
        f"load: {result['stack']}; uploads of {result['rows']:,} rows; {os.cpu_count()} cores "
        "shared with the client threads and the worker (load average: 1 minute, after each)",
        "",
    ]
    head = ("workers", "accepted/s", "wall s", "4xx", "5xx", "page p50/p95 ms", "API p50/p95 ms")
    out.append("  ".join(f"{h:>16}" for h in head) + "  scoring")
    for name, b in result["bursts"].items():
        s = b["scoring"]
        cells = (
            f"{b['workers']}x{b['threads']} {name}",
            f"{b['accepted_per_s']:.1f}",
            f"{b['wall_s']:.1f}",
            str(b["upload"]["4xx"]),
            str(b["upload"]["5xx"] + b["reads"]["5xx"]),
            f"{b['board_page']['p50_ms']:.0f}/{b['board_page']['p95_ms']:.0f}",
            f"{b['board_api']['p50_ms']:.0f}/{b['board_api']['p95_ms']:.0f}",
        )
        out.append(
            "  ".join(f"{c:>16}" for c in cells)
            + f"  {s['final']}/{b['upload']['ok']} final in {s['until_final_s']:.0f} s"
            f" ({s['per_s']:.1f}/s; {s['failed']} failed); load average {b['loadavg']:.1f}"
        )
        out.append(
            f"{'':>18}CPU during the burst: gunicorn {b['server_cpu_s']:.0f} s "
            f"({b['server_cpu_s'] * 1000 / max(1, b['upload']['ok']):.0f} ms per accepted "
            f"upload, reads included), the client threads {b['client_cpu_s']:.0f} s, "
            f"of {b['wall_s'] * (os.cpu_count() or 1):.0f} s on {os.cpu_count()} cores"
        )
    if "sync" in result["bursts"]:
        sync, threaded = result["bursts"]["sync"], result["bursts"]["threaded"]
        rate = threaded["accepted_per_s"] / sync["accepted_per_s"]
        page = threaded["board_page"]["p95_ms"] / sync["board_page"]["p95_ms"]
        api = threaded["board_api"]["p95_ms"] / sync["board_api"]["p95_ms"]
        out.append(
            f"  threaded vs sync: accepted/s x{rate:.2f}, board page p95 x{page:.2f}, "
            f"API board p95 x{api:.2f}"
        )
    board = result["board"]
    api, ping = board["api_board"], board["ping"]
    fresh = board["api_board_new_connections"]
    out += [
        "",
        f"board: {board['teams']:,} teams, {board['workers']}x{board['threads']} threaded "
        "(reads and writes split), "
        f"{api['threads']} client threads on the same cores; load average {board['loadavg']:.1f}",
        f"  API board page 1, kept-alive connections: {api['per_s']:.0f} req/s, "
        f"p50 {api['p50_ms']:.1f} ms, p99 {api['p99_ms']:.1f} ms, "
        f"errors {api['4xx'] + api['5xx'] + api['failed']}",
        f"  API board page 1, a connection per request: {fresh['per_s']:.0f} req/s, "
        f"p50 {fresh['p50_ms']:.1f} ms, p99 {fresh['p99_ms']:.1f} ms, "
        f"errors {fresh['4xx'] + fresh['5xx'] + fresh['failed']}",
        f"  /healthz (plain view): {ping['per_s']:.0f} req/s; API board / plain = "
        f"{api['per_s'] / ping['per_s']:.2f}",
        "",
    ]
    out += [f"  {_mark(ok)}  {what}: {measured}" for what, measured, ok in targets(result)]
    return out


if __name__ == "__main__":
    raise SystemExit(main())
