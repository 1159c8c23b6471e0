"""Podium's scoring library: read, validate, align, split public/private, and score.

A pure library: it never imports Django or the server (see DESIGN.md), and keeps scikit-learn out
of the scoring path. The public surface::

    prepare_solution(path, metric=...)   -> PreparedSolution  (stored beside the CSV)
    load_solution(path)                  -> PreparedSolution  (memory-mapped, cached)
    score_submission(solution, csv_path) -> ScoreResult       (public and private together)
    read_submission(solution, csv_path)  -> Submission        (validation only)
    get_metric / list_metrics / register_metric / load_metric_file
    sandboxed_metric(name=..., greater_is_better=...) -> Metric (an organizer file run elsewhere)
"""

from scoring.custom import load_metric_file, sandboxed_metric
from scoring.errors import (
    MetricFileError,
    ParticipantVisibleError,
    Problem,
    ScoringError,
    SolutionError,
    SubmissionError,
    UnknownMetricError,
)
from scoring.inputs import DEFAULT_MAX_BYTES
from scoring.metrics import Metric, PredictionKind, get_metric, list_metrics, register_metric
from scoring.score import ScoreResult, score_submission
from scoring.solution import PreparedSolution, load_solution, prepare_solution
from scoring.submission import Submission, read_submission

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Metric",
    "MetricFileError",
    "ParticipantVisibleError",
    "PredictionKind",
    "PreparedSolution",
    "Problem",
    "ScoreResult",
    "ScoringError",
    "SolutionError",
    "Submission",
    "SubmissionError",
    "UnknownMetricError",
    "get_metric",
    "list_metrics",
    "load_metric_file",
    "load_solution",
    "prepare_solution",
    "read_submission",
    "register_metric",
    "sandboxed_metric",
    "score_submission",
]
