"""``python -m benchmarks [--quick | --only CASE ...] [--reps N] [--json PATH]``.

Exit status: 0 when every case ran and every score matched scikit-learn's (a MISSed target is
reported, not an error: timings on a shared machine are noisy); 1 when a case failed.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import platform_cases, report, runner, summaries, targets
from benchmarks.cases import (
    ALL_NAMES,
    BOMB,
    BOMB_SOLUTION,
    CASES,
    DEFAULT_RUN,
    INFLATE,
    QUICK_RUN,
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--quick", action="store_true", help=f"only {' and '.join(QUICK_RUN)}")
    which.add_argument(
        "--only",
        action="append",
        choices=ALL_NAMES + platform_cases.ALL_PLATFORM_NAMES,
        metavar="CASE",
        help="run this case (repeatable): "
        + ", ".join(ALL_NAMES + platform_cases.ALL_PLATFORM_NAMES),
    )
    parser.add_argument("--reps", type=int, default=3, help="runs per measurement (best kept)")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    names = QUICK_RUN if args.quick else args.only or DEFAULT_RUN + platform_cases.PLATFORM_NAMES
    names = list(dict.fromkeys(names))
    platform_names = [n for n in names if n in platform_cases.ALL_PLATFORM_NAMES]
    names = [n for n in names if n not in platform_cases.ALL_PLATFORM_NAMES]
    try:
        manifests = runner.generate(names) if names else {}
        cases, raw = {}, {}
        bomb = inflate = None
        for name in names:
            if name == INFLATE:
                raw[name] = inflate_runs = runner.measure_inflate(args.reps)
                runner.verify_inflate(inflate_runs, "decompressed_too_large")
                inflate = summaries.summarize_inflate(manifests[name], inflate_runs)
                continue
            if name == BOMB:
                raw[name] = runs = runner.measure_bomb(args.reps)
                runner.verify_bomb(runs, "decompressed_too_large")
                bomb = summaries.summarize_bomb(manifests[name], runs)
                continue
            raw[name] = runs = runner.measure_case(CASES[name], args.reps)
            runner.verify_case(CASES[name], manifests[name], runs)
            cases[name] = summaries.summarize_case(name, manifests[name], runs)
        platform = platform_cases.run(platform_names)
    except runner.BenchmarkFailure as exc:
        print(f"\nBENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    found = targets.targets(cases, bomb, inflate) + platform_cases.targets(platform)
    print(report.render(cases, bomb, found, args.reps, platform_cases.render(platform), inflate))
    if args.json:
        report.write_json(
            args.json,
            {
                "reps": args.reps,
                "bomb_solution": BOMB_SOLUTION,
                "manifests": manifests,
                "summary": {
                    **cases,
                    **({BOMB: bomb} if bomb else {}),
                    **({INFLATE: inflate} if inflate else {}),
                },
                "runs": raw,
                "platform": platform,
                "targets": found,
            },
        )
    return 0
