"""One call scores a submission on the public and the private rows together.

The file is read and checked once, predictions are aligned to the solution's rows, Ignored rows
are dropped, and the metric runs on each board. A metric that fails is a ``ScoringError``: its
own words reach the participant only through ``ParticipantVisibleError``; anything else is
"Submission Scoring Error" for them and a traceback for the organizer.
"""

from __future__ import annotations

import inspect
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from scoring.errors import ScoringError
from scoring.inputs import DEFAULT_MAX_BYTES
from scoring.metrics import Metric, PredictionKind, get_metric
from scoring.safe_call import run_metric
from scoring.solution import PRIVATE, PUBLIC, PreparedSolution, load_solution
from scoring.submission import Submission, read_submission


@dataclass(frozen=True)
class ScoreResult:
    public_score: float
    private_score: float
    public_rows: int
    private_rows: int
    ignored_rows: int
    duration_s: float
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_submission(
    solution: PreparedSolution | str | os.PathLike,
    submission_path: str | os.PathLike,
    *,
    metric: Metric | str | None = None,
    params: dict[str, Any] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ScoreResult:
    """Read and check the submission at ``submission_path``, then score both boards.

    ``metric``: a registered metric's name or a Metric; by default the one the solution was
    prepared for. A solution prepared with an organizer's ``.py`` metric file must be given that
    file's Metric again (``metric=load_metric_file(path)``): it is not registered by name, and
    without it ``UnknownMetricError`` says so.
    """
    started = time.perf_counter()
    if not isinstance(solution, PreparedSolution):
        solution = load_solution(solution)
    metric = get_metric(metric) if isinstance(metric, str) else metric or solution.metric
    submission = read_submission(solution, submission_path, metric=metric, max_bytes=max_bytes)
    metric_started = time.perf_counter()
    if metric.kind == PredictionKind.CUSTOM:
        from scoring.custom import score_boards  # pandas only for organizer metrics

        public, private = score_boards(metric, solution, submission, params or {})
    else:
        public, private = _score_builtin(metric, solution, submission, params or {})
    rows = solution.meta["rows"]
    timings = {**submission.timings, "metric_s": time.perf_counter() - metric_started}
    return ScoreResult(
        public_score=public,
        private_score=private,
        public_rows=rows["public"],
        private_rows=rows["private"],
        ignored_rows=rows["ignored"],
        duration_s=time.perf_counter() - started,
        timings=timings,
    )


def _score_builtin(
    metric: Metric, solution: PreparedSolution, submission: Submission, params: dict[str, Any]
) -> tuple[float, float]:
    # y_pred is in the solution's storage order (read_submission scattered it once): each
    # board's rows of both sides are taken with the solution's own Usage, so the metric sees the
    # same rows in the same order whatever the submission's row order (bit-identical sums).
    usage = solution.usage
    y_true_all = solution.y_true
    extra: dict[str, Any] = {}
    if metric.kind == PredictionKind.LABEL:
        classes = solution.meta["classes"]
        extra["n_classes"] = len(classes)
        if "pos_label" in params:  # a class label; the metric wants its code
            if params["pos_label"] not in classes:
                raise ScoringError(
                    detail=f"pos_label {params['pos_label']!r} is not one of the classes {classes}"
                )
            extra["pos_label"] = classes.index(params["pos_label"])
        elif "pos_label" in inspect.signature(metric.func).parameters:
            # As scikit-learn: the class 1 when there is one, else the last class in order.
            extra["pos_label"] = classes.index(1) if 1 in classes else len(classes) - 1
    y_pred = submission.y_pred
    listy = isinstance(y_pred, list)  # ranked lists, RLE masks: Python objects
    scores = []
    for board in (PUBLIC, PRIVATE):
        mask = usage == board
        if listy:
            keep = np.flatnonzero(mask).tolist()
            t = [y_true_all[i] for i in keep]
            p = [y_pred[i] for i in keep]
        else:
            t, p = np.asarray(y_true_all)[mask], y_pred[mask]
        scores.append(run_metric(metric, t, p, {**params, **extra}))
    return scores[0], scores[1]
