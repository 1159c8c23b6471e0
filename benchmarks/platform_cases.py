"""The platform's benchmark cases, run after the scoring ones, each in its own child process.

* ``board``: leaderboard reads with 10,000 teams and 1,000,000 submissions in PostgreSQL
  (``platform_board``); needs DATABASE_URL=postgres://... (a role that may CREATE DATABASE).
* ``worker-embedded``: one worker process scoring 1,000 queued 10,000-row submissions on the
  embedded defaults, SQLite + the filesystem broker (``platform_worker embedded``).
* ``worker-services``: the same on PostgreSQL + Redis (DATABASE_URL and CELERY_BROKER_URL).

A case whose services are missing prints "skipped: ..." and the run goes on.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.cases import REPO_ROOT
from benchmarks.report import Target, _table
from benchmarks.runner import BenchmarkFailure

BOARD = "board"
WORKER_EMBEDDED = "worker-embedded"
WORKER_SERVICES = "worker-services"
PLATFORM_NAMES = [BOARD, WORKER_EMBEDDED, WORKER_SERVICES]

BOARD_TARGET_MS = 20.0  # p50 of a leaderboard read
_TIMEOUT_S = 1200
_CHILDREN = {
    BOARD: ["benchmarks.platform_board"],
    WORKER_EMBEDDED: ["benchmarks.platform_worker", "embedded"],
    WORKER_SERVICES: ["benchmarks.platform_worker", "services"],
}
_BOARD_READS = [
    ("public_board_first", "public_board, first page (100 rows)"),
    ("public_board_middle", "public_board, middle page"),
    ("team_entry", "team_entry (row + rank_of), random team"),
    ("public_board_page", "public_board_page, page 1 (size + page)"),
    ("board_size", "board_size"),
]


def _child(name: str) -> dict:
    module, *args = _CHILDREN[name]
    command = [sys.executable, "-m", module, *args]
    print(f"{name}: running {' '.join(command[1:])}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, timeout=_TIMEOUT_S,
            check=False,  # stderr is not captured: the child's progress shows as it goes
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkFailure(f"{name}: no result within {_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise BenchmarkFailure(f"{name}: {' '.join(command[1:])} exited with {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(names: list[str]) -> dict[str, dict]:
    results = {}
    for name in names:
        results[name] = result = _child(name)
        if "skipped" in result:
            print(f"{name}: {result['skipped']}", file=sys.stderr, flush=True)
    return results


def targets(results: dict[str, dict]) -> list[Target]:
    found = []
    board = results.get(BOARD)
    if board and "skipped" not in board:
        for key, what in _BOARD_READS[:3]:
            s = board[key]
            found.append(
                Target(
                    BOARD, f"{what.split(',')[0]} p50 <= {BOARD_TARGET_MS:g} ms"
                    + (" (middle page)" if key.endswith("middle") else ""),
                    f"{s['p50_ms']:.1f} ms", s["p50_ms"] <= BOARD_TARGET_MS,
                    f"p95 {s['p95_ms']:.1f} ms",
                )
            )
    for name in (WORKER_EMBEDDED, WORKER_SERVICES):
        worker = results.get(name)
        if worker and "skipped" not in worker:
            # The child fails unless every one ended scored after one attempt and was counted
            # once on the board; reaching here means it held.
            found.append(
                Target(
                    name, f"{worker['submissions']:,} scored, each exactly once",
                    f"{worker['per_s']:.1f}/s", True,
                    "1 attempt each; board entries = submissions",
                )
            )
    return found


def render(results: dict[str, dict]) -> list[str]:
    if not results:
        return []
    out = ["", "Platform:"]
    board = results.get(BOARD)
    if board is not None:
        if "skipped" in board:
            out += [f"{BOARD}: {board['skipped']}"]
        else:
            out += [
                f"{BOARD}: PostgreSQL, {board['teams']:,} teams ({board['board_rows']:,} ranked), "
                f"{board['submissions']:,} submissions; {board_calls(board)} calls each after "
                f"warm-up (filled in {board['fill_s']:.0f} s, not timed)",
                "",
            ]
            out += _table(
                ["selector", "p50 ms", "p95 ms", "max ms", f"target p50 <= {BOARD_TARGET_MS:g} ms"],
                [
                    [
                        what + (f" (offset {board['middle_offset']:,})" if k.endswith("middle")
                                else ""),
                        f"{board[k]['p50_ms']:.1f}", f"{board[k]['p95_ms']:.1f}",
                        f"{board[k]['max_ms']:.1f}",
                        "PASS" if board[k]["p50_ms"] <= BOARD_TARGET_MS else "MISS",
                    ]
                    for k, what in _BOARD_READS
                ],
            )
    workers = [(n, results[n]) for n in (WORKER_EMBEDDED, WORKER_SERVICES) if n in results]
    if workers:
        out += [""]
        for name, w in workers:
            if "skipped" in w:
                out += [f"{name}: {w['skipped']}"]
        ran = [(n, w) for n, w in workers if "skipped" not in w]
        if ran:
            first = ran[0][1]
            out += [
                f"worker: one process (prefork -c 1); {first['submissions']:,} submissions of "
                f"{first['rows']:,} rows (binary ROC AUC) uploaded back to back; latency = "
                "scored_at - created_at",
                "",
            ]
            out += _table(
                ["case", "scored/s per process", "uploads/s", "burst latency p50 s", "p95 s",
                 "idle latency p50 ms", "p95 ms", "scoring p50 ms"],
                [
                    [
                        name, f"{w['per_s']:.1f}", f"{w['upload_per_s']:.0f}",
                        f"{w['latency']['p50_ms'] / 1000:.1f}",
                        f"{w['latency']['p95_ms'] / 1000:.1f}",
                        f"{w['idle_latency']['p50_ms']:.0f}", f"{w['idle_latency']['p95_ms']:.0f}",
                        f"{w['scoring_ms_p50']:.0f}",
                    ]
                    for name, w in ran
                ],
            )
            out += [
                "",
                "  * scored/s: (n - 1) / (last scored_at - first scored_at) while the queue drains."
                " Burst latency includes the wait behind the earlier uploads; idle latency is one"
                " submission at a time on an idle worker. scoring = the library's duration_ms.",
            ]
    return out


def board_calls(board: dict) -> int:
    return board["public_board_first"]["n"]
