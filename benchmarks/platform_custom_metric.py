"""What running an organizer's metric in the sandbox costs, per submission:
``python -m benchmarks.platform_custom_metric``.

One 100,000-row binary competition (the ``100k-int`` case's data), one submission, scored per
submission as the worker scores it, best of REPS:

* built-in: ``scoring.score_submission`` with the registry's ``roc_auc``, in-process;
* sandbox: ``competitions.metric_sandbox.sandbox_score`` with an organizer file computing the
  same ROC AUC the same way (numpy, exact with ties), in the sandbox: the submission read and
  aligned in-process, each board's frames written as Parquet, one sandbox start (bubblewrap,
  Python, pandas, pyarrow), ``score`` per board, ``result.json`` read back;
* sandbox, Kaggle style: the file most organizers upload, ``kaggle_metric_utilities`` around
  ``sklearn.metrics.roc_auc_score`` (scikit-learn's import inside the sandbox included).

The overhead is sandbox minus built-in, per submission. Every way must give the built-in's
scores (within 1e-9). Skipped, saying why, where the sandbox cannot start. Prints one JSON line.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from benchmarks import platform_common as common
from benchmarks.cases import CASES

CASE = "100k-int"
REPS = 5
KAGGLE_REPS = 3
TOLERANCE = 1e-9

SAME_AUC = '''"""ROC AUC, exact with ties (the built-in's way): numpy only."""
import numpy as np


def score(solution, submission, row_id_column_name):
    y = solution["target"].to_numpy()
    p = submission["target"].to_numpy(dtype=float)
    pos, neg = np.sort(p[y == 1]), np.sort(p[y != 1])
    twice_u = int(np.searchsorted(neg, pos, "left").sum())
    twice_u += int(np.searchsorted(neg, pos, "right").sum())
    return twice_u / (2 * len(pos) * len(neg))
'''

KAGGLE_AUC = '''"""ROC AUC, Kaggle style: the helper module around scikit-learn."""
import kaggle_metric_utilities
import sklearn.metrics


def score(solution, submission, row_id_column_name):
    del solution[row_id_column_name]
    del submission[row_id_column_name]
    return kaggle_metric_utilities.safe_call_score(
        sklearn.metrics.roc_auc_score, solution["target"].values, submission["target"].values
    )
'''


def _best(call, reps: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(reps):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    from benchmarks.generate import ensure_case

    case = CASES[CASE]
    ensure_case(case)
    with (
        common.temp_dir("podium-bench-custom-") as data,
        common.temp_dir("podium-bench-sandbox-") as sandbox_root,
    ):
        common.configure(database_url=f"sqlite:///{data}/db.sqlite3", data_dir=data)
        # Beside the data folder, not in it (0700): the sandbox's uid must reach its staging.
        os.environ["PODIUM_SANDBOX_ROOT"] = sandbox_root
        import django

        django.setup()
        from django.conf import settings

        import scoring
        from podium.competitions import metric_sandbox
        from podium.core.sandbox import probe

        found = probe(Path(settings.SANDBOX_ROOT))
        if not found.ok:
            common.emit({"skipped": f"skipped: the sandbox is not available here: {found.message}"})
            return 0
        builtin_solution = scoring.load_solution(case.solution)
        custom_csv = Path(data) / "solution.csv"
        shutil.copyfile(case.solution, custom_csv)
        metric = scoring.sandboxed_metric(name="custom:bench", greater_is_better=True)
        custom_solution = scoring.prepare_solution(custom_csv, metric=metric)

        def builtin():
            return scoring.score_submission(builtin_solution, case.submission, metric="roc_auc")

        def sandboxed(source: str):
            code = metric_sandbox.MetricSource(source.encode(), "metric.py")
            return lambda: metric_sandbox.sandbox_score(
                solution=custom_solution,
                path=str(case.submission),
                metric=metric,
                source=code,
                params={},
                max_bytes=scoring.DEFAULT_MAX_BYTES,
            )

        builtin()  # imports and caches, as in a worker that has scored before
        common.progress(f"custom-metric: {CASE}, best of {REPS}: built-in roc_auc in-process...")
        builtin_s, reference = _best(builtin, REPS)
        common.progress("custom-metric: the same AUC as an organizer file, in the sandbox...")
        sandbox_s, same = _best(sandboxed(SAME_AUC), REPS)
        common.progress(f"custom-metric: Kaggle style (sklearn), best of {KAGGLE_REPS}...")
        kaggle_s, kaggle = _best(sandboxed(KAGGLE_AUC), KAGGLE_REPS)
        for name, result in (("sandbox", same), ("kaggle", kaggle)):
            for board in ("public_score", "private_score"):
                if abs(getattr(result, board) - getattr(reference, board)) > TOLERANCE:
                    raise SystemExit(
                        f"custom-metric: {name}'s {board} {getattr(result, board)!r} differs "
                        f"from the built-in's {getattr(reference, board)!r}"
                    )
        # The sandbox alone: bubblewrap and an empty Python program, start to end.
        start_ms = min(probe(Path(settings.SANDBOX_ROOT)).start_ms for _ in range(3))
        common.emit(
            {
                "case": CASE,
                "rows": case.rows,
                "reps": REPS,
                "builtin_ms": builtin_s * 1000,
                "sandbox_ms": sandbox_s * 1000,
                "kaggle_ms": kaggle_s * 1000,
                "overhead_ms": (sandbox_s - builtin_s) * 1000,
                "ratio": sandbox_s / builtin_s,
                "empty_start_ms": start_ms,
                "public": reference.public_score,
                "private": reference.private_score,
            }
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
