"""Metrics of scores and probabilities.

``binary_score`` / ``probability``: ``y_true`` is int8 0/1 and ``y_pred`` float64 (in [0, 1] for
``probability``). ``class_probabilities``: ``y_true`` int64 class codes, ``y_pred`` an
(n, n_classes) float64 matrix in [0, 1]; these metrics accept the scorer's ``n_classes`` but
take the class count from the matrix.

Ranking metrics sort the positive and the negative scores separately (``np.sort`` is SIMD
accelerated; an ``argsort`` is several times slower) and count pairs with ``np.searchsorted``:
exact with ties, O(n log n), about 0.2-0.3 s for ROC AUC on 5 million rows."""

from __future__ import annotations

import numpy as np

from scoring.metrics.registry import PredictionKind, metric

EPS = 1e-15  # Kaggle's clipping for log loss


def _split_sorted(y_true: np.ndarray, y_pred: np.ndarray, what: str):
    is_pos = y_true == 1
    pos, neg = y_pred[is_pos], y_pred[~is_pos]  # fresh copies: sort them in place
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError(f"{what} is undefined when only one class is present")
    pos.sort()
    neg.sort()
    return pos, neg


def _distinct(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted array and how many times each occurs."""
    first = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    return sorted_values[first], np.diff(np.r_[first, len(sorted_values)])


def _pair_counts(pos: np.ndarray, neg: np.ndarray) -> tuple[int, int, np.ndarray]:
    """Over all (positive, negative) pairs: how many have the negative strictly below, how many
    are tied, and the score values that tie. Searches only distinct positive scores, so heavily
    tied scores (rounded or hard 0/1 predictions) cost next to nothing."""
    values, count = _distinct(pos)
    below = np.searchsorted(neg, values, "left")  # sorted queries: cache friendly
    tied = neg[np.minimum(below, len(neg) - 1)] == values
    ties = 0
    if tied.any():  # only values that occur among the negatives need the second search
        above = np.searchsorted(neg, values[tied], "right")
        ties = int(np.dot(count[tied], above - below[tied]))
    return int(np.dot(count, below)), ties, values[tied]


def _roc_auc(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    pos, neg = _split_sorted(y_true, y_pred, "ROC AUC")
    below, ties, _ = _pair_counts(pos, neg)
    # Mann-Whitney: a tied (positive, negative) pair counts one half. Exact integer numerator.
    return (2 * below + ties) / (2 * len(pos) * len(neg))


@metric(
    "roc_auc",
    display_name="ROC AUC",
    greater_is_better=True,
    kind=PredictionKind.BINARY_SCORE,
    description="Area under the ROC curve; ties count one half",
    needs_every_class=True,
)
def roc_auc(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _roc_auc(y_true, y_pred)


@metric(
    "average_precision",
    display_name="Average precision",
    greater_is_better=True,
    kind=PredictionKind.BINARY_SCORE,
    description="Average precision: precision at each distinct score weighted by recall gained",
    needs_every_class=True,
)
def average_precision(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """As sklearn's average_precision_score: thresholds at the distinct scores, no interpolation.

    Only thresholds equal to a positive's score add recall, so AP is the mean over positives of
    the precision at their own score: tp / (tp + fp) counting every row scored >= it.
    """
    is_pos = y_true == 1
    pos, neg = y_pred[is_pos], y_pred[~is_pos]
    if len(pos) == 0:
        raise ValueError("Average precision is undefined when the solution has no positive rows")
    pos.sort()
    neg.sort()
    values, count = _distinct(pos)
    tp = len(pos) - (np.cumsum(count) - count)  # positives scored >= each distinct value
    fp = len(neg) - np.searchsorted(neg, values, "left")
    return float(np.dot(count, tp / (tp + fp)) / len(pos))


@metric(
    "normalized_gini",
    display_name="Normalized Gini",
    greater_is_better=True,
    kind=PredictionKind.BINARY_SCORE,
    description="Normalized Gini coefficient (Kaggle's formula), 2 * AUC - 1 without ties",
    needs_every_class=True,
)
def normalized_gini(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Normalized Gini: gini(actual, pred) / gini(actual, actual) = 2 * AUC - 1.

    Kaggle's reference sorts ties in row order, so reordering a file's rows could change a score;
    here a tied (positive, negative) pair counts one half, as in ROC AUC. Without ties both are
    the same number.
    """
    return 2.0 * roc_auc(y_true, y_pred) - 1.0


@metric(
    "log_loss",
    display_name="Log loss",
    greater_is_better=False,
    kind=PredictionKind.PROBABILITY,
    description="Binary cross-entropy, probabilities clipped to [1e-15, 1 - 1e-15]",
)
def log_loss(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    p = np.clip(y_pred, EPS, 1 - EPS)
    return float(-np.mean(np.log(np.where(y_true == 1, p, 1 - p))))


@metric(
    "multiclass_log_loss",
    display_name="Multiclass log loss",
    greater_is_better=False,
    kind=PredictionKind.CLASS_PROBABILITIES,
    description="Multiclass cross-entropy; rows rescaled to sum 1, then clipped to 1e-15",
)
def multiclass_log_loss(
    y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int | None = None
) -> float:
    """Kaggle's definition: each row is divided by its sum, then clipped to [eps, 1 - eps].

    A row of all zeros has no distribution to rescale; its true class gets probability 0,
    which the clipping turns into eps (the worst score a row can get).
    """
    rows = np.arange(len(y_true))
    p_true = y_pred[rows, y_true]
    total = y_pred.sum(axis=1)
    p_true = np.divide(p_true, total, out=np.zeros_like(p_true), where=total > 0)
    return float(-np.mean(np.log(np.clip(p_true, EPS, 1 - EPS))))


@metric(
    "roc_auc_ovr",
    display_name="ROC AUC, one-vs-rest",
    greater_is_better=True,
    kind=PredictionKind.CLASS_PROBABILITIES,
    description="Macro average of the one-vs-rest ROC AUC of each class",
    needs_every_class=True,
)
def roc_auc_ovr(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int | None = None) -> float:
    """Each class's column scored against "is this class"; unweighted mean over the classes.

    Classes absent from the solution have no ROC curve and are left out of the mean (a class
    must be present and absent somewhere, so at least two classes are needed). Columns are used
    as given: rows need not sum to 1, since a column's AUC only depends on its ordering.
    """
    present = np.flatnonzero(np.bincount(y_true, minlength=y_pred.shape[1]))
    if len(present) < 2:
        raise ValueError("ROC AUC is undefined when only one class is present")
    aucs = [_roc_auc((y_true == k).astype(np.int8), y_pred[:, k]) for k in present]
    return float(np.mean(aucs))
