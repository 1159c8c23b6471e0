"""Ranked-list metrics: per row, ``y_true`` is the list of relevant items and ``y_pred`` the
participant's ranked predictions (both already split on whitespace)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from scoring.metrics.registry import PredictionKind, metric


def _apk(actual: Sequence[str], predicted: Sequence[str], k: int) -> float:
    """Average precision at k, exactly as Ben Hamner's ``ml_metrics.average_precision.apk``.

    A repeated prediction scores only once (later copies still use up a place in the top k);
    the sum is divided by min(len(actual), k), counting repeats in ``actual`` as the reference
    does; a row with no relevant items scores 0.0.
    """
    if not actual:
        return 0.0
    relevant = set(actual)
    seen: set[str] = set()
    hits, score = 0, 0.0
    for i, p in enumerate(predicted[:k]):
        if p in relevant and p not in seen:
            hits += 1
            score += hits / (i + 1.0)
        seen.add(p)
    return score / min(len(actual), k)


@metric(
    "map_at_k",
    display_name="Mean average precision at k (MAP@k)",
    greater_is_better=True,
    kind=PredictionKind.RANKED_LIST,
    description="Mean average precision of the top k predictions (k=5 by default)",
    default_params={"k": 5},
)
def map_at_k(
    y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]], *, k: int = 5
) -> float:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"map_at_k needs a positive integer k, got {k!r}")
    k = int(k)
    if len(y_true) == 0:
        raise ValueError("MAP@k is undefined for an empty solution")
    return math.fsum(_apk(a, p, k) for a, p in zip(y_true, y_pred, strict=True)) / len(y_true)
