"""Organizer metrics written in Kaggle's own interface.

A Python file defines::

    def score(solution: pd.DataFrame, submission: pd.DataFrame, row_id_column_name: str,
              **kwargs) -> float

and may raise ``ParticipantVisibleError`` (its own class of that name, as in Kaggle's template, or
``scoring.ParticipantVisibleError``) for a message the participant sees word for word. As on
Kaggle, each board is scored by its own call with both frames sorted by id and aligned row for
row; the solution frame never holds the Usage column. Organizers are trusted: the file runs in the
scoring process (it could read the solution anyway).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scoring.errors import MetricFileError
from scoring.metrics import Metric, PredictionKind
from scoring.safe_call import run_metric
from scoring.solution import PRIVATE, PUBLIC, PreparedSolution
from scoring.submission import Submission


def load_metric_file(
    path: str | os.PathLike, *, name: str | None = None, greater_is_better: bool | None = None
) -> Metric:
    """Load ``score`` from an organizer's file as a Metric of kind ``custom``.

    Direction: the argument, else the file's ``HIGHER_IS_BETTER``, else higher is better.
    """
    path = Path(path)
    module_name = "podium_metric_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{path} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - a broken file of any kind is reported, not raised
        sys.modules.pop(module_name, None)
        raise MetricFileError(
            f"The metric file {path.name} could not be loaded:\n"
            + "".join(traceback.format_exception_only(exc))
        ) from exc
    func = getattr(module, "score", None)
    if not callable(func):
        raise MetricFileError(f"The metric file {path.name} must define a function named 'score'.")
    if len(inspect.signature(func).parameters) < 3:
        raise MetricFileError(
            "score must take (solution, submission, row_id_column_name, **kwargs), as on Kaggle."
        )
    if greater_is_better is None:
        greater_is_better = bool(getattr(module, "HIGHER_IS_BETTER", True))
    doc = (module.__doc__ or func.__doc__ or "").strip().splitlines()
    return Metric(
        name=name or path.stem,
        func=func,
        greater_is_better=greater_is_better,
        kind=PredictionKind.CUSTOM,
        description=doc[0] if doc else f"Organizer metric from {path.name}",
    )


def score_boards(
    metric: Metric, solution: PreparedSolution, submission: Submission, params: dict[str, Any]
) -> tuple[float, float]:
    id_col = solution.id_column

    def kaggle_score(sol_df, sub_df, **kwargs):
        return metric.func(sol_df, sub_df, id_col, **kwargs)

    by_id = pc.sort_indices(solution.ids).to_numpy()
    usage = solution.usage[by_id]
    sub_row_of = np.empty(solution.n_rows, dtype=np.int64)
    sub_row_of[submission.positions] = np.arange(submission.n_rows)
    visible = solution.table.select([id_col, *solution.target_columns])
    scores = []
    for board in (PUBLIC, PRIVATE):
        rows = by_id[usage == board]
        sol_df = visible.take(pa.array(rows)).to_pandas()
        sub_df = submission.table.take(pa.array(sub_row_of[rows])).to_pandas()
        scores.append(run_metric(kaggle_score, sol_df, sub_df, params))
    return scores[0], scores[1]
