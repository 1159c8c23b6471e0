"""Continuous metrics against scikit-learn and scipy, with the NaN cases defined."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.metrics import regression as reg

SETTINGS = settings(max_examples=100, deadline=None)


def approx(ref: float):
    return pytest.approx(float(ref), abs=1e-9, rel=1e-9)


def check(ours: float, ref: float) -> None:
    assert isinstance(ours, float) and math.isfinite(ours)
    assert ours == approx(ref)


def column(n: int, low: float = -1e3):
    """n values: a coarse grid (ties, exact zeros), arbitrary floats, or a constant."""
    grid = st.lists(st.integers(int(low) * 4, 4000).map(lambda v: v / 4), min_size=n, max_size=n)
    real = st.lists(st.floats(low, 1e3, allow_subnormal=False), min_size=n, max_size=n)
    const = st.floats(low, 1e3, allow_subnormal=False).map(lambda v: [v] * n)
    return st.one_of(grid, real, const).map(lambda v: np.array(v, dtype=np.float64))


@st.composite
def pairs(draw, low: float = -1e3):
    n = draw(st.integers(1, 30))
    y_true = draw(column(n, low))
    y_pred = y_true.copy() if draw(st.booleans()) and n < 4 else draw(column(n, low))
    return y_true, y_pred


SKLEARN = {
    "mse": skm.mean_squared_error,
    "rmse": skm.root_mean_squared_error,
    "mae": skm.mean_absolute_error,
    "mape": skm.mean_absolute_percentage_error,
}


@pytest.mark.parametrize("name", sorted(SKLEARN))
@SETTINGS
@given(case=pairs())
def test_errors_match_sklearn(name, case):
    y_true, y_pred = case
    check(getattr(reg, name)(y_true, y_pred), SKLEARN[name](y_true, y_pred))


@SETTINGS
@given(case=pairs(low=0.0))
def test_rmsle_matches_sklearn(case):
    y_true, y_pred = case
    check(reg.rmsle(y_true, y_pred), skm.root_mean_squared_log_error(y_true, y_pred))


def test_rmsle_rejects_targets_at_or_below_minus_one():
    with pytest.raises(ValueError, match="<= -1"):
        reg.rmsle(np.array([-1.0, 2.0]), np.array([0.0, 1.0]))


def test_mape_uses_sklearn_epsilon_for_zero_targets():
    eps = np.finfo(np.float64).eps
    assert reg.mape(np.array([0.0]), np.array([1.0])) == 1 / eps


@SETTINGS
@given(case=pairs())
def test_r2_matches_sklearn(case):
    y_true, y_pred = case
    ours = reg.r2(y_true, y_pred)
    if np.ptp(y_true) == 0:  # sklearn: NaN below two rows; its force_finite rule otherwise
        check(ours, 1.0 if np.sum((y_true - y_pred) ** 2) == 0 else 0.0)
    else:
        check(ours, skm.r2_score(y_true, y_pred))


def test_r2_constant_target_and_underflowing_variance():
    assert reg.r2(np.array([3.0, 3.0]), np.array([3.0, 3.0])) == 1.0
    assert reg.r2(np.array([3.0, 3.0]), np.array([3.0, 4.0])) == 0.0
    assert reg.r2(np.array([5.0]), np.array([5.0])) == 1.0
    # Not constant, but the squared deviations underflow to 0: as sklearn, not -inf or NaN.
    tiny = np.array([0.0, 5e-324])
    assert reg.r2(tiny, tiny) == 1.0
    assert reg.r2(tiny, np.array([1.0, 1.0])) == 0.0 == skm.r2_score(tiny, [1.0, 1.0])


def scipy_or_zero(func, x, y) -> float:
    """scipy's value, with our definition (0.0) where scipy returns NaN for a constant side."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # near-constant input warnings
        return float(func(x, y).statistic)


@SETTINGS
@given(case=pairs())
def test_pearson_matches_scipy(case):
    y_true, y_pred = case
    check(reg.pearson(y_true, y_pred), scipy_or_zero(scipy.stats.pearsonr, y_true, y_pred))


@SETTINGS
@given(case=pairs())
def test_spearman_matches_scipy(case):
    y_true, y_pred = case
    check(reg.spearman(y_true, y_pred), scipy_or_zero(scipy.stats.spearmanr, y_true, y_pred))


def test_correlations_with_a_constant_side_are_zero():
    x, c = np.array([1.0, 2.0, 3.0]), np.array([7.0, 7.0, 7.0])
    for func in (reg.pearson, reg.spearman):
        assert func(x, c) == 0.0
        assert func(c, x) == 0.0
        assert func(np.array([1.0]), np.array([2.0])) == 0.0


def test_correlations_do_not_overflow_on_large_values():
    x = np.array([1e200, -1e200, 3e200])
    assert reg.pearson(x, 2 * x) == approx(1.0)
    assert reg.spearman(x, -x) == approx(-1.0)


def test_average_ranks_match_scipy():
    x = np.array([3.0, 1.0, 3.0, -0.0, 0.0, 2.0, 3.0])
    np.testing.assert_array_equal(reg._average_ranks(x), scipy.stats.rankdata(x))
