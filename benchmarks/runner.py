"""Running the children: data generation, then each measurement in its own fresh process.

Repetitions are interleaved (podium, naive, floor, podium, ...) so that a burst of load from
elsewhere on the machine spreads over the three ways instead of landing on one.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.cases import BOMB, INFLATE, REPO_ROOT, Case

WAYS = ("podium", "naive", "floor")
SCORE_TOLERANCE = 1e-9
_TIMEOUT_S = 900


class BenchmarkFailure(Exception):
    """A child crashed, or a result is wrong (scores differ, the bomb was not refused)."""


def _child(module: str, *args: str) -> dict:
    command = [sys.executable, "-m", module, *args]
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise BenchmarkFailure(
            f"{' '.join(command[1:])} exited with {done.returncode}:\n{done.stderr.strip()}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(names: list[str]) -> dict:
    """Make whatever data is missing (one child process); return the manifests."""
    _progress(f"data: checking {', '.join(names)} (generated once, under benchmarks/.data/)")
    return _child("benchmarks.generate", *names)


def measure_case(case: Case, reps: int) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {way: [] for way in WAYS}
    for rep in range(1, reps + 1):
        for way in WAYS:
            result = _child("benchmarks.timed_runs", way, case.name)
            runs[way].append(result)
            _progress(
                f"{case.name}: {way} {rep}/{reps}: {result['seconds']:.3f} s, "
                f"peak {result['peak_rss_mib']:.0f} MiB"
            )
    return runs


def measure_bomb(reps: int) -> list[dict]:
    runs = []
    for rep in range(1, reps + 1):
        result = _child("benchmarks.timed_runs", "bomb", BOMB)
        runs.append(result)
        _progress(f"{BOMB}: {rep}/{reps}: {result['code']} in {result['seconds']:.3f} s")
    return runs


def measure_inflate(reps: int) -> dict[str, list[dict]]:
    """Podium and naive pandas interleaved, ``reps`` times each; the flat cap (as before the
    cap followed the answer key: seconds to tens of seconds) once."""
    runs: dict[str, list[dict]] = {"podium": [], "naive": [], "flat": []}
    for rep in range(1, reps + 1):
        for way in ("podium", "naive") if rep > 1 else ("podium", "naive", "flat"):
            result = _child("benchmarks.timed_runs", way, INFLATE)
            runs[way].append(result)
            _progress(
                f"{INFLATE}: {way} {rep}/{reps}: {result['outcome']} in "
                f"{result['seconds']:.3f} s, peak {result['peak_rss_mib']:.0f} MiB"
            )
    return runs


def verify_inflate(runs: dict[str, list[dict]], expected_code: str) -> None:
    for run in runs["podium"]:
        if run["code"] != expected_code:
            raise BenchmarkFailure(
                f"{INFLATE}: expected SubmissionError {expected_code!r}, got {run['outcome']} "
                f"{run['code']!r}"
            )


def verify_case(case: Case, manifest: dict, runs: dict[str, list[dict]]) -> None:
    """Every run's scores equal the naive ones (scikit-learn's) within SCORE_TOLERANCE."""
    reference = runs["naive"][0]
    rows = manifest["rows"]
    expected_rows = [rows["public"], rows["private"], rows["ignored"]]
    for way in WAYS:
        for run in runs[way]:
            for board in ("public", "private"):
                if abs(run[board] - reference[board]) > SCORE_TOLERANCE:
                    raise BenchmarkFailure(
                        f"{case.name}: {way}'s {board} score {run[board]!r} differs from "
                        f"scikit-learn's {reference[board]!r} by more than {SCORE_TOLERANCE}"
                    )
            if way == "podium" and run["rows"] != expected_rows:
                raise BenchmarkFailure(
                    f"{case.name}: podium counted rows {run['rows']}, expected {expected_rows}"
                )


def verify_bomb(runs: list[dict], expected_code: str) -> None:
    for run in runs:
        if run["code"] != expected_code:
            raise BenchmarkFailure(
                f"{BOMB}: expected SubmissionError {expected_code!r}, got {run['code']!r}"
            )
