"""Kaggle's ``kaggle_metric_utilities``, for the metric files that import it.

Written from the behaviour Kaggle documents and its published metrics rely on (the messages are
Kaggle's own, word for word, so a metric reads the same here as there):

* ``ParticipantVisibleError``: a message the participant may see, word for word.
* ``HostVisibleError``: a message for the host (the organizer) only.
* ``treat_as_participant_error(error_message, solution)``: whether an error's message is unlikely
  to leak the answer key: the solution is purely numeric (bools count as numbers) and the
  message holds no digit (nor "true"/"false" where the solution has bools).
* ``safe_call_score(metric_function, solution, submission, **metric_func_kwargs)``: calls the
  function; a ``ParticipantVisibleError`` or ``HostVisibleError`` of any module comes out as this
  module's class of that name, another error whose message ``treat_as_participant_error``
  accepts as a ``ParticipantVisibleError`` with that message, anything else as it was raised.
* ``verify_valid_probabilities(df, df_name)``: numeric, within [0, 1], every row summing to one
  (``np.allclose``); a ``ParticipantVisibleError`` naming ``df_name`` otherwise. Infinities
  fail the range checks; a missing value (NaN), which Kaggle's row sums skip, is refused here
  with a message of its own ("... must be finite").

Imports numpy and pandas only: it is copied on its own into the metric's sandbox.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pandas.api.types as ptypes

__all__ = [
    "HostVisibleError",
    "ParticipantVisibleError",
    "safe_call_score",
    "treat_as_participant_error",
    "verify_valid_probabilities",
]


class ParticipantVisibleError(Exception):
    pass


class HostVisibleError(Exception):
    pass


def _kinds(solution: Any) -> tuple[bool, bool] | None:
    """(all numeric, has bools) of a frame's columns or an array; None for anything else."""
    if isinstance(solution, pd.DataFrame):
        dtypes = list(solution.dtypes.values)
        return (
            all(ptypes.is_numeric_dtype(d) for d in dtypes),
            any(ptypes.is_bool_dtype(d) for d in dtypes),
        )
    if isinstance(solution, np.ndarray):
        return ptypes.is_numeric_dtype(solution), ptypes.is_bool_dtype(solution)
    return None


def treat_as_participant_error(error_message: str, solution: pd.DataFrame | np.ndarray) -> bool:
    """True when ``error_message`` may be shown to the participant: conservative, it refuses
    many messages that would have been safe (a human decides for those)."""
    kinds = _kinds(solution)
    if kinds is None:
        return False
    all_numeric, has_bools = kinds
    if not all_numeric:
        return False
    if any(char.isnumeric() for char in error_message):
        return False
    lowered = error_message.lower()
    return not (has_bools and ("true" in lowered or "false" in lowered))


def safe_call_score(metric_function, solution, submission, **metric_func_kwargs):
    """``metric_function(solution, submission, **metric_func_kwargs)``, its errors sorted into
    what the participant may read and what only the host may."""
    try:
        return metric_function(solution, submission, **metric_func_kwargs)
    except Exception as err:
        message = str(err)
        name = type(err).__name__
        if name == "ParticipantVisibleError":
            raise ParticipantVisibleError(message) from err
        if name == "HostVisibleError":
            raise HostVisibleError(message) from err
        if treat_as_participant_error(message, solution):
            raise ParticipantVisibleError(message) from err
        raise


def verify_valid_probabilities(df: pd.DataFrame, df_name: str) -> None:
    """Raise ParticipantVisibleError unless every value of ``df`` (target columns only, no id)
    is a probability and each row's add to one."""
    if not ptypes.is_numeric_dtype(df.values):
        raise ParticipantVisibleError(f"All target values in {df_name} must be numeric")
    # Kaggle's sums skip a missing value, so a row [0.5, NaN, 0.5] would pass: refused here.
    if df.isna().to_numpy().any():
        raise ParticipantVisibleError(f"All target values in {df_name} must be finite")
    if df.min().min() < 0:
        raise ParticipantVisibleError(f"All target values in {df_name} must be at least zero")
    if df.max().max() > 1:
        raise ParticipantVisibleError(f"All target values in {df_name} must be no greater than one")
    if not np.allclose(df.sum(axis=1), 1):
        raise ParticipantVisibleError(
            f"Target values in {df_name} do not add to one within all rows"
        )
