"""Continuous metrics: ``y_true`` and ``y_pred`` are finite float64 arrays of equal length.

Definitions follow scikit-learn (and scipy for the correlations). Where those return NaN, we
define the value instead: a correlation with a constant side is 0.0 (no linear or monotonic
relationship can be measured, the same convention as MCC), and R2 with a constant ``y_true`` is
1.0 for a perfect prediction and 0.0 otherwise (sklearn's ``force_finite=True``).

No overflow on what the reader accepts: predictions and targets lie within ``MAX_ABS_CEILING``
(1e100, see the registry), so a squared error is at most 4e200 and a sum of them stays finite
for any row count; MAPE divides by at least machine epsilon; RMSLE takes logs of values >= 0;
the correlations scale before squaring; R2's ratio, whose denominator can be tiny, is floored at
the lowest float. A score that is not finite would fail the submission, and whether it did would
depend on which rows each board holds.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from scoring.metrics.registry import PredictionKind, metric

CONTINUOUS = PredictionKind.CONTINUOUS


@metric(
    "mse",
    display_name="Mean squared error (MSE)",
    greater_is_better=False,
    kind=CONTINUOUS,
    description="Mean of the squared differences between prediction and target",
)
def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean((y_true - y_pred) ** 2))


@metric(
    "rmse",
    display_name="Root mean squared error (RMSE)",
    greater_is_better=False,
    kind=CONTINUOUS,
    description="Square root of the mean squared difference, in the target's units",
)
def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return math.sqrt(mse(y_true, y_pred))


@metric(
    "mae",
    display_name="Mean absolute error (MAE)",
    greater_is_better=False,
    kind=CONTINUOUS,
    description="Mean of the absolute differences between prediction and target",
)
def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.abs(y_true - y_pred)))


@metric(
    "rmsle",
    display_name="Root mean squared log error (RMSLE)",
    greater_is_better=False,
    kind=CONTINUOUS,
    description="Root mean squared error of log(1 + x); predictions must be >= 0",
    value_range=(0.0, float("inf")),
)
def rmsle(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    # The reader enforces y_pred >= 0; y_true comes from the organizer, so check it here
    # with sklearn's bound (log1p is undefined at and below -1).
    if np.any(y_true <= -1):
        raise ValueError("RMSLE cannot be used when the solution contains values <= -1")
    return math.sqrt(mse(np.log1p(y_true), np.log1p(y_pred)))


@metric(
    "mape",
    display_name="Mean absolute percentage error (MAPE)",
    greater_is_better=False,
    kind=CONTINUOUS,
    description="Mean absolute percentage error, as a fraction (0.1 means 10%)",
)
def mape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    # sklearn's definition: a zero target is replaced by machine epsilon, so the error is huge
    # but finite rather than infinite.
    eps = np.finfo(np.float64).eps
    return float(np.mean(np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), eps)))


@metric(
    "r2",
    display_name="R squared (R²)",
    greater_is_better=True,
    kind=CONTINUOUS,
    description="Coefficient of determination R2 (1 is perfect, can be negative)",
)
def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    ss_res = float(np.sum((y_true - y_pred) ** 2))
    # A constant target is tested exactly (its float mean can be an ulp off, which would make
    # SS_tot tiny rather than 0); SS_tot can also underflow to 0 for subnormal spreads.
    ss_tot = 0.0 if np.ptp(y_true) == 0 else float(np.sum((y_true - np.mean(y_true)) ** 2))
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    # Targets spread by a tiny amount and large errors: the ratio can pass float's range. The
    # worst score there is, on whichever board, rather than a failure (-inf is not a score).
    return max(1.0 - ss_res / ss_tot, -sys.float_info.max)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0  # a constant side: undefined, 0.0 by convention (scipy returns NaN)
    # As scipy.stats.pearsonr: centre, and take norms of the deviations scaled by the largest
    # one so that squaring cannot overflow.
    xm, ym = x - np.mean(x), y - np.mean(y)
    xmax, ymax = np.max(np.abs(xm)), np.max(np.abs(ym))
    norm_x = xmax * np.linalg.norm(xm / xmax)
    norm_y = ymax * np.linalg.norm(ym / ymax)
    return float(np.clip(np.dot(xm / norm_x, ym / norm_y), -1.0, 1.0))


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the mean of their ranks (scipy's rankdata 'average')."""
    s = np.sort(x)
    # Rows below x plus (1 + rows equal to x) / 2, written as (left + right + 1) / 2.
    return (np.searchsorted(s, x, "left") + np.searchsorted(s, x, "right") + 1) / 2.0


@metric(
    "pearson",
    display_name="Pearson correlation",
    greater_is_better=True,
    kind=CONTINUOUS,
    description="Pearson correlation coefficient (0.0 if either side is constant)",
)
def pearson(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _pearson(y_true, y_pred)


@metric(
    "spearman",
    display_name="Spearman correlation",
    greater_is_better=True,
    kind=CONTINUOUS,
    description="Spearman rank correlation, ties averaged (0.0 if either side is constant)",
)
def spearman(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _pearson(_average_ranks(y_true), _average_ranks(y_pred))
