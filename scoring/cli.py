"""``python -m scoring``: try a metric, a solution and a submission offline, before launching.

    python -m scoring metrics
    python -m scoring prepare solution.csv --metric roc_auc
    python -m scoring score --solution solution.csv --submission sub.csv --metric roc_auc

``--metric`` also takes a path to a Kaggle-interface ``.py`` file. Every command has ``--json``.
Exit codes: 0 ok, 2 the submission (or the command line) is refused, 3 the solution is refused,
4 the metric failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scoring.custom import load_metric_file
from scoring.errors import (
    MetricFileError,
    ScoringError,
    SolutionError,
    SubmissionError,
    UnknownMetricError,
)
from scoring.inputs import DEFAULT_MAX_BYTES
from scoring.metrics import Metric, get_metric, list_metrics
from scoring.score import score_submission
from scoring.solution import (
    PreparedSolution,
    load_solution,
    prepare_solution,
    prepared_folder,
    sha256_of,
)

EXIT_REFUSED, EXIT_SOLUTION, EXIT_METRIC = 2, 3, 4


def _metric(spec: str, lower_is_better: bool) -> Metric:
    if spec.endswith(".py"):
        return load_metric_file(spec, greater_is_better=False if lower_is_better else None)
    return get_metric(spec)


def _prepared(solution: str, metric: Metric, sample: str | None) -> PreparedSolution:
    """Reuse the prepared folder when it was made from this file for this metric."""
    folder = prepared_folder(solution)
    if (folder / "meta.json").exists() and sample is None:
        prepared = load_solution(folder)
        same_file = prepared.meta["source_sha256"] == sha256_of(Path(solution))
        if prepared.meta["metric"] == metric.name and same_file:
            return prepared
    return prepare_solution(solution, metric=metric, sample_submission_path=sample)


def cmd_metrics(args: argparse.Namespace) -> dict[str, Any]:
    rows = [
        {
            "name": m.name,
            "direction": m.direction,
            "kind": m.kind.value,
            "description": m.description,
            "params": dict(m.default_params),
        }
        for m in list_metrics()
    ]
    if not args.json:
        width = max(len(r["name"]) for r in rows)
        print(f"{'metric':<{width}}  {'direction':<9}  {'kind':<19}  description")
        for r in rows:
            print(f"{r['name']:<{width}}  {r['direction']:<9}  {r['kind']:<19}  {r['description']}")
    return {"metrics": rows}


def cmd_prepare(args: argparse.Namespace) -> dict[str, Any]:
    metric = _metric(args.metric, args.lower_is_better)
    prepared = prepare_solution(
        args.solution, metric=metric, sample_submission_path=args.sample_submission
    )
    meta = {k: v for k, v in prepared.meta.items() if k != "index"}
    if not args.json:
        rows = meta["rows"]
        print(f"Solution OK for {metric.name} ({metric.direction}).")
        print(f"  header a submission must have: {', '.join(prepared.columns)}")
        print(
            f"  ids: {meta['id_type']}; rows: {rows['total']} (public {rows['public']}, "
            f"private {rows['private']}, ignored {rows['ignored']})"
        )
        if meta["classes"]:
            print(f"  classes: {', '.join(map(str, meta['classes'][:20]))}")
        print(f"  prepared form: {prepared.folder}")
    return {"prepared": str(prepared.folder), "meta": meta}


def cmd_score(args: argparse.Namespace) -> dict[str, Any]:
    metric = _metric(args.metric, args.lower_is_better)
    params = json.loads(args.params) if args.params else {}
    prepared = _prepared(args.solution, metric, args.sample_submission)
    result = score_submission(
        prepared,
        args.submission,
        metric=metric,
        params=params,
        max_bytes=int(args.max_mb * 1024 * 1024),
    )
    if not args.json:
        digits = args.precision
        print(f"Public score:  {result.public_score:.{digits}f} ({result.public_rows} rows)")
        print(f"Private score: {result.private_score:.{digits}f} ({result.private_rows} rows)")
        print(f"Ignored rows:  {result.ignored_rows}")
        print(f"Scored in {result.duration_s:.3f} s with {metric.name} ({metric.direction}).")
    return {"score": result.as_dict(), "metric": metric.name}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scoring", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("metrics", help="list the metrics")
    common(p)
    p.set_defaults(func=cmd_metrics)
    for name, func in (("prepare", cmd_prepare), ("score", cmd_score)):
        what = "prepare a solution" if name == "prepare" else "score a submission"
        p = sub.add_parser(name, help=what)
        common(p)
        if name == "prepare":
            p.add_argument("solution", help="the solution CSV (id, target(s), Usage)")
        else:
            p.add_argument("--solution", required=True, help="the solution CSV")
            p.add_argument("--submission", required=True, help="the submission CSV (.gz/.zip too)")
            p.add_argument("--params", help="metric parameters as JSON, e.g. '{\"k\": 5}'")
            p.add_argument("--precision", type=int, default=5, help="decimals shown")
            p.add_argument(
                "--max-mb",
                type=float,
                default=DEFAULT_MAX_BYTES / 1024 / 1024,
                help="size cap of the submission file as uploaded, in MB (what it "
                "inflates to is capped by the answer key)",
            )
        p.add_argument("--metric", required=True, help="a metric name, or a Kaggle-style .py file")
        p.add_argument("--lower-is-better", action="store_true", help="for a .py metric")
        p.add_argument("--sample-submission", help="check the solution against this header")
        p.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        payload = args.func(args)
    except (
        SubmissionError,
        SolutionError,
        ScoringError,
        UnknownMetricError,
        MetricFileError,
        json.JSONDecodeError,
        FileNotFoundError,
    ) as exc:
        return _fail(args, exc)
    if args.json:
        print(json.dumps({"ok": True, **payload}, indent=2))
    return 0


def _fail(args: argparse.Namespace, exc: Exception) -> int:
    if isinstance(exc, SubmissionError):
        error, code, title = exc.as_dict(), EXIT_REFUSED, "Submission refused"
    elif isinstance(exc, SolutionError):
        error = {"code": exc.code, "message": exc.message}
        code, title = EXIT_SOLUTION, "Solution refused"
    elif isinstance(exc, ScoringError):
        error = {"code": exc.code, "message": exc.message, "detail": exc.detail}
        code, title = EXIT_METRIC, "Scoring failed"
    elif isinstance(exc, (UnknownMetricError, MetricFileError)):
        error, code, title = {"code": exc.code, "message": exc.message}, EXIT_REFUSED, "Metric"
    else:
        error, code, title = {"code": "bad_input", "message": str(exc)}, EXIT_REFUSED, "Error"
    if args.json:
        print(json.dumps({"ok": False, "error": error}, indent=2))
    else:
        print(f"{title}:", file=sys.stderr)
        for problem in error.get("problems") or [error]:
            print(f"  [{problem['code']}] {problem['message']}", file=sys.stderr)
        if error.get("detail"):
            print("\nDetail (for the organizer):\n" + error["detail"], file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
