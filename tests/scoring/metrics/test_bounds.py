"""Bounds on predictions, and metrics that cannot fail on what the bounds let through.

Whether a metric fails can depend on which rows a board holds (RMSE of 1e154 on two rows
overflows only when both rows are on the same board). So the reader refuses, on every row and
before the split is looked at, whatever could make a built-in metric fail; and every built-in
metric returns a finite number for anything within the bounds, on any subset of the rows.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.metrics import (
    DEFAULT_MAX_ABS,
    MAX_ABS_CEILING,
    PredictionKind,
    get_metric,
    list_metrics,
)
from scoring.metrics.regression import r2, rmse
from scoring.metrics.segmentation import dice, iou, parse_rle

K = PredictionKind
NUMERIC = {K.BINARY_SCORE, K.PROBABILITY, K.CLASS_PROBABILITIES, K.CONTINUOUS}
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def test_every_numeric_kind_has_a_finite_range():
    assert get_metric("rmse").prediction_range == (-DEFAULT_MAX_ABS, DEFAULT_MAX_ABS)
    assert get_metric("roc_auc").prediction_range == (-DEFAULT_MAX_ABS, DEFAULT_MAX_ABS)
    assert get_metric("log_loss").prediction_range == (0.0, 1.0)
    assert get_metric("multiclass_log_loss").prediction_range == (0.0, 1.0)
    assert get_metric("rmsle").prediction_range == (0.0, DEFAULT_MAX_ABS)  # narrowed, bounded
    for m in list_metrics():
        if m.kind in NUMERIC:
            low, high = m.prediction_range
            assert -MAX_ABS_CEILING <= low < high <= MAX_ABS_CEILING, m.name
        else:
            assert m.prediction_range is None, m.name


def test_an_organizer_may_widen_the_bound_up_to_the_ceiling_only():
    wide = get_metric("rmse").with_max_abs(1e30)
    assert wide.prediction_range == (-1e30, 1e30)
    assert get_metric("rmse").max_abs == DEFAULT_MAX_ABS  # the registered one is unchanged
    assert get_metric("log_loss").with_max_abs(1e30).prediction_range == (0.0, 1.0)
    assert get_metric("rmse").with_max_abs(MAX_ABS_CEILING).max_abs == MAX_ABS_CEILING
    for bad in (0, -1.0, MAX_ABS_CEILING * 10, math.inf, math.nan, True, "1e12"):
        with pytest.raises(ValueError, match="prediction bound"):
            get_metric("rmse").with_max_abs(bad)


# -- no failure within the bounds ---------------------------------------------------------------


def _in_range(low: float, high: float):
    """Values within [low, high], with the ends, zero and subnormals made likely."""
    edges = [v for v in (low, high, 0.0, 5e-324, -5e-324, 1.0) if low <= v <= high]
    return st.one_of(
        st.sampled_from(edges),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


@st.composite
def _inputs(draw, metric):
    """y_true and y_pred as the reader and the answer key can give them, for one board."""
    n = draw(st.integers(2, 12))
    low, high = metric.prediction_range
    if metric.kind == K.CONTINUOUS:
        t_low = max(-MAX_ABS_CEILING, (metric.value_range or (-math.inf,))[0])
        y_true = np.array(draw(st.lists(_in_range(t_low, MAX_ABS_CEILING), min_size=n, max_size=n)))
    elif metric.kind == K.CLASS_PROBABILITIES:
        k = draw(st.integers(2, 4))
        y_true = np.array(
            [i % k for i in range(n)]
            if metric.needs_every_class
            else draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
        )
        cells = draw(st.lists(_in_range(low, high), min_size=n * k, max_size=n * k))
        return y_true, np.array(cells).reshape(n, k)
    else:  # binary: both classes, as check_split guarantees for the metrics that need them
        y_true = np.array(
            [1, 0, *draw(st.lists(st.integers(0, 1), min_size=n - 2, max_size=n - 2))],
            dtype=np.int8,
        )
    y_pred = np.array(draw(st.lists(_in_range(low, high), min_size=n, max_size=n)))
    return y_true, y_pred


@pytest.mark.parametrize("name", sorted(m.name for m in list_metrics() if m.kind in NUMERIC))
@pytest.mark.parametrize("max_abs", [DEFAULT_MAX_ABS, MAX_ABS_CEILING])
def test_every_numeric_metric_is_finite_on_anything_within_the_bounds(name, max_abs):
    metric = get_metric(name).with_max_abs(max_abs)

    @SETTINGS
    @given(data=_inputs(metric))
    def check(data):
        y_true, y_pred = data
        assert math.isfinite(metric(y_true, y_pred)), (y_true, y_pred)

    check()


def test_rmse_of_the_probe_values_is_finite_once_they_are_within_the_ceiling():
    """The largest values an organizer can allow, both rows on one board: no overflow."""
    big = np.full(2, MAX_ABS_CEILING)
    assert rmse(-big, big) == pytest.approx(2 * MAX_ABS_CEILING)


def test_r2_is_floored_at_the_lowest_float_rather_than_minus_infinity():
    """Targets spread by a hair and errors of 1e100: the ratio passes float's range."""
    score = r2(np.array([0.0, 1e-160]), np.array([1e100, -1e100]))
    assert score == -np.finfo(np.float64).max


# -- masks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["99999999999999999999 1", "1 99999999999999999999", "4611686018427387904 1"]
)
def test_rle_numbers_past_twelve_digits_are_a_value_error(text):
    """Not an OverflowError escaping the reader, nor int64 sums that wrap around."""
    with pytest.raises(ValueError, match="too large"):
        parse_rle(text)


def test_rle_of_the_largest_allowed_numbers_scores_within_zero_and_one():
    runs = [parse_rle("1 999999999999"), parse_rle("999999999999 999999999999")]
    for metric in (dice, iou):
        assert 0.0 <= metric(runs, runs[::-1]) <= 1.0
        assert metric(runs, runs) == 1.0
