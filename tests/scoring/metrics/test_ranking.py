"""MAP@k against Ben Hamner's ml_metrics reference, reproduced below."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.metrics import get_metric
from scoring.metrics.ranking import map_at_k


def apk(actual, predicted, k=10):
    """ml_metrics.average_precision.apk (benhamner/Metrics, BSD)."""
    if len(predicted) > k:
        predicted = predicted[:k]
    score = 0.0
    num_hits = 0.0
    for i, p in enumerate(predicted):
        if p in actual and p not in predicted[:i]:
            num_hits += 1.0
            score += num_hits / (i + 1.0)
    if not actual:
        return 0.0
    return score / min(len(actual), k)


def mapk(actual, predicted, k=10):
    return np.mean([apk(a, p, k) for a, p in zip(actual, predicted, strict=True)])


ITEMS = st.sampled_from(list("abcdefg"))
ROWS = st.lists(
    st.tuples(st.lists(ITEMS, max_size=5), st.lists(ITEMS, max_size=9)), min_size=1, max_size=20
)


@settings(max_examples=100, deadline=None)
@given(rows=ROWS, k=st.integers(1, 10))
def test_map_at_k_matches_reference(rows, k):
    y_true, y_pred = [a for a, _ in rows], [p for _, p in rows]
    ours = map_at_k(y_true, y_pred, k=k)
    assert isinstance(ours, float) and math.isfinite(ours)
    assert ours == pytest.approx(mapk(y_true, y_pred, k), abs=1e-9, rel=1e-9)


def test_default_k_is_5():
    m = get_metric("map_at_k")
    assert m.default_params == {"k": 5}
    y_true, y_pred = [["f"]], [["a", "b", "c", "d", "e", "f"]]
    assert m(y_true, y_pred) == 0.0  # the hit is in 6th place
    assert m(y_true, y_pred, k=6) == pytest.approx(1 / 6)


def test_reference_semantics():
    # A repeated correct prediction counts once but still uses up its place.
    assert map_at_k([["a", "b"]], [["a", "a", "b"]], k=3) == pytest.approx((1 + 2 / 3) / 2)
    # No relevant items: 0.0, whatever was predicted.
    assert map_at_k([[]], [["a"]], k=5) == 0.0
    # Divided by min(len(actual), k).
    assert map_at_k([list("abcdefg")], [["a"]], k=3) == pytest.approx(1 / 3)


@pytest.mark.parametrize("k", [0, -1, 2.5, True, "5"])
def test_invalid_k(k):
    with pytest.raises(ValueError, match="positive integer k"):
        map_at_k([["a"]], [["a"]], k=k)


def test_numpy_integer_k_is_accepted():
    assert map_at_k([["a"]], [["b", "a"]], k=np.int64(2)) == 0.5
