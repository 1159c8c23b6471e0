"""Score and probability metrics against scikit-learn and Kaggle's reference formulas."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.metrics import probabilistic as prob

SETTINGS = settings(max_examples=100, deadline=None)
EPS = 1e-15


def approx(ref: float):
    return pytest.approx(float(ref), abs=1e-9, rel=1e-9)


def check(ours: float, ref: float) -> None:
    assert isinstance(ours, float) and math.isfinite(ours)
    assert ours == approx(ref)


def scores(n: int):
    """n scores: heavily tied, all equal, or continuous."""
    grid = st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=n, max_size=n)
    real = st.lists(st.floats(-1e3, 1e3, allow_subnormal=False), min_size=n, max_size=n)
    const = st.floats(0, 1).map(lambda v: [v] * n)
    return st.one_of(grid, real, const).map(lambda v: np.array(v, dtype=np.float64))


@st.composite
def binary(draw, min_size=2, both_classes=True, unit=False):
    n = draw(st.integers(min_size, 40))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.int8)
    if both_classes and y.min() == y.max():
        y[draw(st.integers(0, n - 1))] ^= 1
    p = draw(scores(n))
    if unit:  # probabilities, including exact 0 and 1 (clipped)
        p = np.abs(p) / max(1.0, float(np.abs(p).max()))
    return y, p


def kaggle_gini(actual, pred):
    """The widely used Kaggle reference (sort by prediction descending, ties in row order)."""
    n = len(actual)
    a = np.asarray(np.c_[actual, pred, np.arange(n)], dtype=float)
    a = a[np.lexsort((a[:, 2], -1 * a[:, 1]))]
    gini_sum = a[:, 0].cumsum().sum() / a[:, 0].sum()
    gini_sum -= (n + 1) / 2.0
    return gini_sum / n


def kaggle_normalized_gini(actual, pred):
    return kaggle_gini(actual, pred) / kaggle_gini(actual, actual)


@SETTINGS
@given(case=binary())
def test_roc_auc_matches_sklearn(case):
    y, p = case
    check(prob.roc_auc(y, p), skm.roc_auc_score(y, p))


@SETTINGS
@given(case=binary(min_size=1, both_classes=False))
def test_average_precision_matches_sklearn(case):
    y, p = case
    if not y.any():
        with pytest.raises(ValueError, match="no positive"):
            prob.average_precision(y, p)
        return
    check(prob.average_precision(y, p), skm.average_precision_score(y, p))


@SETTINGS
@given(case=binary())
def test_normalized_gini_matches_kaggle_reference_without_ties(case):
    y, _ = case
    p = np.random.default_rng(len(y)).permutation(len(y)).astype(np.float64)
    check(prob.normalized_gini(y, p), kaggle_normalized_gini(y, p))


@SETTINGS
@given(case=binary())
def test_normalized_gini_is_2_auc_minus_1_with_ties(case):
    y, p = case
    check(prob.normalized_gini(y, p), 2 * skm.roc_auc_score(y, p) - 1)


def test_normalized_gini_does_not_depend_on_row_order():
    # Kaggle's reference counts a tied pair by row order (1.0 one way, -1.0 the other).
    y, p = np.array([1, 0]), np.array([0.5, 0.5])
    assert kaggle_normalized_gini(y, p) == 1.0
    assert kaggle_normalized_gini(y[::-1].copy(), p) == -1.0
    assert prob.normalized_gini(y, p) == prob.normalized_gini(y[::-1].copy(), p) == 0.0


@pytest.mark.parametrize("func", [prob.roc_auc, prob.normalized_gini])
def test_one_class_raises(func):
    with pytest.raises(ValueError, match="only one class"):
        func(np.array([1, 1], dtype=np.int8), np.array([0.1, 0.2]))


@SETTINGS
@given(case=binary(min_size=1, both_classes=False, unit=True))
def test_log_loss_matches_sklearn_with_kaggle_clipping(case):
    y, p = case
    ref = skm.log_loss(y, np.clip(p, EPS, 1 - EPS), labels=[0, 1])
    check(prob.log_loss(y, p), ref)


def test_log_loss_clips_certain_mistakes_at_1e15():
    # Kaggle's float arithmetic: 1 - (1 - 1e-15) is 9.992e-16, not 1e-15.
    expected = -(math.log(EPS) + math.log(1 - (1 - EPS))) / 2
    assert prob.log_loss(np.array([1, 0]), np.array([0.0, 1.0])) == approx(expected)


@st.composite
def multiclass(draw, normalized=False):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(1, 30))
    y = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)), dtype=np.int64)
    cells = st.one_of(st.sampled_from([0.0, 0.1, 0.5, 1.0]), st.floats(0, 1))
    p = np.array(draw(st.lists(st.lists(cells, min_size=k, max_size=k), min_size=n, max_size=n)))
    if normalized:
        p = (p + 1e-3) / (p + 1e-3).sum(axis=1, keepdims=True)
    return y, p, k


def kaggle_multiclass_log_loss(y, p):
    """Kaggle: rows divided by their sums, then clipped to [eps, 1 - eps] (loop, row by row)."""
    total = 0.0
    for label, row in zip(y, p, strict=True):
        s = row.sum()
        q = row[label] / s if s > 0 else 0.0
        total += math.log(min(max(q, EPS), 1 - EPS))
    return -total / len(y)


@SETTINGS
@given(case=multiclass())
def test_multiclass_log_loss_matches_kaggle_formula(case):
    y, p, k = case
    check(prob.multiclass_log_loss(y, p, n_classes=k), kaggle_multiclass_log_loss(y, p))


@SETTINGS
@given(case=multiclass(normalized=True))
def test_multiclass_log_loss_matches_sklearn_on_distributions(case):
    y, p, k = case
    ref = skm.log_loss(y, p, labels=np.arange(k))
    check(prob.multiclass_log_loss(y, p, n_classes=k), ref)


def test_multiclass_log_loss_zero_row_scores_eps():
    y, p = np.array([0, 1]), np.array([[0.0, 0.0], [0.0, 2.0]])
    assert prob.multiclass_log_loss(y, p, n_classes=2) == approx(-math.log(EPS) / 2)


@SETTINGS
@given(case=multiclass())
def test_roc_auc_ovr_is_mean_of_binary_aucs_over_present_classes(case):
    y, p, k = case
    present = np.unique(y)
    if len(present) < 2:
        with pytest.raises(ValueError, match="only one class"):
            prob.roc_auc_ovr(y, p, n_classes=k)
        return
    ref = np.mean([skm.roc_auc_score(y == c, p[:, c]) for c in present])
    check(prob.roc_auc_ovr(y, p, n_classes=k), ref)


@SETTINGS
@given(case=multiclass(normalized=True))
def test_roc_auc_ovr_matches_sklearn_when_every_class_is_present(case):
    y, p, k = case
    y = y.copy()
    y[:k] = np.arange(k)[: len(y)]  # put every class in (when there are enough rows)
    if len(np.unique(y)) < k:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if k == 2:  # sklearn takes binary problems as one score column
            ref = skm.roc_auc_score(y, p[:, 1])
        else:
            ref = skm.roc_auc_score(y, p, multi_class="ovr", labels=np.arange(k))
    check(prob.roc_auc_ovr(y, p, n_classes=k), ref)


def test_large_inputs_match_sklearn():
    rng = np.random.default_rng(1)
    n = 200_000
    y = (rng.random(n) < 0.2).astype(np.int8)
    p = np.round(rng.random(n) + 0.3 * y, 3)  # many ties
    assert prob.roc_auc(y, p) == approx(skm.roc_auc_score(y, p))
    assert prob.average_precision(y, p) == approx(skm.average_precision_score(y, p))
    assert prob.normalized_gini(y, p) == approx(2 * skm.roc_auc_score(y, p) - 1)


@pytest.mark.slow
def test_roc_auc_is_exact_on_a_million_rows():
    # Its speed is measured by `make bench`, not here: timed tests flake on a busy machine.
    rng = np.random.default_rng(2)
    n = 1_000_000
    y = (rng.random(n) < 0.3).astype(np.int8)
    p = np.round(rng.random(n) + 0.1 * y, 4)  # many ties
    assert prob.roc_auc(y, p) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12, rel=0)
