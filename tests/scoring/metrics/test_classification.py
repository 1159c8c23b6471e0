"""Label metrics against scikit-learn (zero_division=0, default labels) on random inputs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.metrics import classification as cls
from scoring.metrics import get_metric

SETTINGS = settings(max_examples=100, deadline=None)


@st.composite
def labels(draw, n_classes=None):
    """(y_true, y_pred, n_classes): tiny to small, often constant or single-class."""
    k = draw(st.integers(2, 5)) if n_classes is None else n_classes
    n = draw(st.integers(1, 30))
    codes = st.integers(0, k - 1)
    y_true = np.array(draw(st.lists(codes, min_size=n, max_size=n)), dtype=np.int64)
    mode = draw(st.sampled_from(["random", "constant", "perfect", "near"]))
    if mode == "constant":
        y_pred = np.full(n, draw(codes), dtype=np.int64)
    elif mode == "perfect":
        y_pred = y_true.copy()
    else:
        y_pred = np.array(draw(st.lists(codes, min_size=n, max_size=n)), dtype=np.int64)
        if mode == "near":  # mostly right: exercises high scores
            y_pred = np.where(np.arange(n) % 3 == 0, y_pred, y_true)
    return y_true, y_pred, k


def approx(ref: float):
    return pytest.approx(float(ref), abs=1e-9, rel=1e-9)


def check(ours: float, ref: float) -> None:
    assert isinstance(ours, float) and math.isfinite(ours)
    assert ours == approx(ref)


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


MULTICLASS = {
    "accuracy": lambda t, p: skm.accuracy_score(t, p),
    "balanced_accuracy": lambda t, p: skm.balanced_accuracy_score(t, p),
    "f1_micro": lambda t, p: skm.f1_score(t, p, average="micro", zero_division=0),
    "f1_macro": lambda t, p: skm.f1_score(t, p, average="macro", zero_division=0),
    "f1_weighted": lambda t, p: skm.f1_score(t, p, average="weighted", zero_division=0),
    "precision_macro": lambda t, p: skm.precision_score(t, p, average="macro", zero_division=0),
    "recall_macro": lambda t, p: skm.recall_score(t, p, average="macro", zero_division=0),
    "mcc": lambda t, p: skm.matthews_corrcoef(t, p),
}


@pytest.mark.parametrize("name", sorted(MULTICLASS))
@SETTINGS
@given(case=labels())
def test_multiclass_matches_sklearn(name, case):
    y_true, y_pred, k = case
    ours = get_metric(name)(y_true, y_pred, n_classes=k)
    check(ours, quiet(MULTICLASS[name], y_true, y_pred))


BINARY = {"f1": skm.f1_score, "precision": skm.precision_score, "recall": skm.recall_score}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(case=labels(n_classes=2), pos_label=st.sampled_from([0, 1]))
def test_binary_matches_sklearn(name, case, pos_label):
    y_true, y_pred, k = case
    ours = get_metric(name)(y_true, y_pred, n_classes=k, pos_label=pos_label)
    ref = quiet(BINARY[name], y_true, y_pred, pos_label=pos_label, zero_division=0)
    check(ours, ref)


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(case=labels(), data=st.data())
def test_binary_metrics_on_multiclass_score_one_class_vs_rest(name, case, data):
    y_true, y_pred, k = case
    pos_label = data.draw(st.integers(0, k - 1))
    ours = get_metric(name)(y_true, y_pred, n_classes=k, pos_label=pos_label)
    ref = quiet(BINARY[name], y_true, y_pred, labels=[pos_label], average="macro", zero_division=0)
    check(ours, ref)


def test_pos_label_defaults_to_class_one():
    y_true, y_pred = np.array([0, 1, 1, 0]), np.array([0, 1, 0, 1])
    assert cls.precision(y_true, y_pred, n_classes=2) == 0.5
    assert get_metric("recall")(y_true, np.array([1, 1, 0, 0]), n_classes=2) == 0.5


@SETTINGS
@given(case=labels())
def test_quadratic_weighted_kappa_matches_sklearn(case):
    y_true, y_pred, k = case
    ref = quiet(
        skm.cohen_kappa_score,
        y_true,
        y_pred,
        weights="quadratic",
        labels=np.arange(k),
        replace_undefined_by=0.0,
    )
    check(cls.quadratic_weighted_kappa(y_true, y_pred, n_classes=k), ref)


def test_quadratic_weighted_kappa_weights_by_class_code_not_by_rank():
    # Classes 0 and 4 of 5 are four steps apart even when 1..3 never occur; sklearn without
    # labels=range(n_classes) would treat them as neighbours.
    y_true, y_pred = np.array([0, 0, 4, 4]), np.array([0, 4, 4, 4])
    ours = cls.quadratic_weighted_kappa(y_true, y_pred, n_classes=5)
    ref = skm.cohen_kappa_score(y_true, y_pred, weights="quadratic", labels=np.arange(5))
    assert ours == approx(ref)


def test_degenerate_cases_are_defined():
    same = np.array([2, 2, 2])
    assert cls.mcc(same, same, n_classes=3) == 0.0
    assert cls.mcc(np.array([0, 1, 2]), same, n_classes=3) == 0.0
    assert cls.quadratic_weighted_kappa(same, same, n_classes=3) == 0.0
    assert cls.f1(np.array([0, 0]), np.array([0, 0]), n_classes=2) == 0.0  # no positives at all
    assert cls.precision(np.array([1, 1]), np.array([0, 0]), n_classes=2) == 0.0
    assert cls.f1_macro(np.array([1]), np.array([1]), n_classes=3) == 1.0  # absent classes skipped
    assert cls.balanced_accuracy(np.array([0, 0]), np.array([0, 1]), n_classes=2) == 0.5


def test_large_inputs_match_sklearn():
    rng = np.random.default_rng(0)
    n, k = 300_000, 7
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, n))
    assert cls.mcc(y_true, y_pred, n_classes=k) == approx(skm.matthews_corrcoef(y_true, y_pred))
    ref = skm.cohen_kappa_score(y_true, y_pred, weights="quadratic")
    assert cls.quadratic_weighted_kappa(y_true, y_pred, n_classes=k) == approx(ref)


def test_many_classes_need_no_square_matrix():
    y = np.array([0, 99_999, 5, 5])
    assert cls.f1_macro(y, y[::-1].copy(), n_classes=100_000) == approx(
        skm.f1_score(y, y[::-1], average="macro", zero_division=0)
    )
    assert cls.quadratic_weighted_kappa(y, y, n_classes=100_000) == 1.0
