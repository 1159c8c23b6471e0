"""Running a metric so that whatever it does ends as a score or a ScoringError.

Kaggle's rule: only a ``ParticipantVisibleError``'s words reach the participant; any other failure
is "Submission Scoring Error" for them and a traceback for the organizer. A result that is not one
finite number is a scoring error too.

A metric runs on one board's rows, so whether it fails can depend on the public/private split: a
``ScoringError`` from here is a failure after the split (the server counts it as it counts a
scored submission), unlike a ``SubmissionError``, which the reader raises before the split is
looked at. Built-in metrics cannot fail on what the reader accepts (see the registry's bounds);
the finite check below is the backstop, and what catches an organizer's metric.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from scoring.errors import ScoringError


def run_metric(call: Callable[..., Any], y_true: Any, y_pred: Any, params: dict[str, Any]) -> float:
    try:
        value = call(y_true, y_pred, **params)
    except Exception as exc:
        raise as_scoring_error(exc) from exc
    return finite_score(value)


def as_scoring_error(exc: BaseException) -> ScoringError:
    detail = "".join(traceback.format_exception(exc))
    if any(cls.__name__ == "ParticipantVisibleError" for cls in type(exc).__mro__):
        return ScoringError(str(exc), detail=detail, participant_visible=True)
    return ScoringError(detail=detail)


def finite_score(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ScoringError(detail=f"The metric returned {value!r}, not a single number.")
    value = float(value)
    if not math.isfinite(value):
        raise ScoringError(detail=f"The metric returned {value}, not a finite number.")
    return value
