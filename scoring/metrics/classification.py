"""Label metrics: ``y_true`` and ``y_pred`` are int64 class codes in ``[0, n_classes)``.

Every metric here is a function of the confusion matrix's diagonal and its two marginals, which
``np.bincount`` gives in O(n + n_classes); we never build the full n_classes x n_classes matrix,
which would take gigabytes for a competition with tens of thousands of classes.

Conventions, chosen to match scikit-learn and stated once here:

* ``zero_division=0``: a precision, recall or F1 whose denominator is 0 counts as 0.
* Macro averages run over the classes present in ``y_true`` or ``y_pred`` (sklearn's default
  ``labels=None``), so classes absent from both do not drag the mean down. Balanced accuracy
  averages recall over the classes present in ``y_true`` only, as sklearn does.
* Binary metrics score class ``pos_label`` against the rest; for two classes that is exactly
  sklearn's ``average="binary"``.
* Undefined correlations (MCC, quadratic weighted kappa with a constant ``y_true`` and
  ``y_pred``) are 0.0, never NaN.
"""

from __future__ import annotations

import math

import numpy as np

from scoring.metrics.registry import PredictionKind, metric

LABEL = PredictionKind.LABEL


def _counts(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int):
    """Per class: true positives, support in y_true, and count in y_pred (all int64)."""
    tp = np.bincount(y_true[y_true == y_pred], minlength=n_classes)
    t = np.bincount(y_true, minlength=n_classes)
    p = np.bincount(y_pred, minlength=n_classes)
    return tp, t, p


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with 0 where den == 0 (sklearn's zero_division=0)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def _per_class(y_true, y_pred, n_classes: int):
    """Precision, recall, F1 and support of each class present in y_true or y_pred."""
    tp, t, p = _counts(y_true, y_pred, n_classes)
    present = (t + p) > 0
    tp, t, p = tp[present], t[present], p[present]
    return _divide(tp, p), _divide(tp, t), _divide(2 * tp, t + p), t


def _binary(y_true, y_pred, pos_label: int) -> tuple[int, int, int]:
    """True positives, actual positives and predicted positives of class ``pos_label``."""
    is_t, is_p = y_true == pos_label, y_pred == pos_label
    tp = np.count_nonzero(is_t & is_p)
    return int(tp), int(np.count_nonzero(is_t)), int(np.count_nonzero(is_p))


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@metric(
    "accuracy",
    display_name="Accuracy",
    greater_is_better=True,
    kind=LABEL,
    description="Fraction of rows whose predicted class is the true class",
)
def accuracy(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    return float(np.count_nonzero(y_true == y_pred) / len(y_true))


@metric(
    "balanced_accuracy",
    display_name="Balanced accuracy",
    greater_is_better=True,
    kind=LABEL,
    description="Mean recall over the classes present in the solution",
)
def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    tp, t, _ = _counts(y_true, y_pred, n_classes)
    present = t > 0
    return float(np.mean(tp[present] / t[present]))


@metric(
    "f1",
    display_name="F1 score",
    greater_is_better=True,
    kind=LABEL,
    description="F1 score of the positive class (binary)",
)
def f1(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int, pos_label: int = 1) -> float:
    tp, t, p = _binary(y_true, y_pred, pos_label)
    return _ratio(2 * tp, t + p)


@metric(
    "precision",
    display_name="Precision",
    greater_is_better=True,
    kind=LABEL,
    description="Precision of the positive class (binary)",
)
def precision(
    y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int, pos_label: int = 1
) -> float:
    tp, _, p = _binary(y_true, y_pred, pos_label)
    return _ratio(tp, p)


@metric(
    "recall",
    display_name="Recall",
    greater_is_better=True,
    kind=LABEL,
    description="Recall of the positive class (binary)",
)
def recall(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int, pos_label: int = 1) -> float:
    tp, t, _ = _binary(y_true, y_pred, pos_label)
    return _ratio(tp, t)


@metric(
    "f1_micro",
    display_name="Micro F1",
    greater_is_better=True,
    kind=LABEL,
    description="Micro-averaged F1 (equals accuracy for single-label classification)",
)
def f1_micro(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    # Micro-averaged over all classes every error is one false positive and one false negative,
    # so precision = recall = F1 = accuracy.
    return accuracy(y_true, y_pred, n_classes=n_classes)


@metric(
    "f1_macro",
    display_name="Macro F1",
    greater_is_better=True,
    kind=LABEL,
    description="Unweighted mean of the per-class F1 scores",
)
def f1_macro(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    return float(np.mean(_per_class(y_true, y_pred, n_classes)[2]))


@metric(
    "f1_weighted",
    display_name="Weighted F1",
    greater_is_better=True,
    kind=LABEL,
    description="Mean of the per-class F1 scores weighted by each class's support",
)
def f1_weighted(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    _, _, f, support = _per_class(y_true, y_pred, n_classes)
    return float(np.dot(f, support) / support.sum())


@metric(
    "precision_macro",
    display_name="Macro precision",
    greater_is_better=True,
    kind=LABEL,
    description="Unweighted mean of the per-class precisions",
)
def precision_macro(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    return float(np.mean(_per_class(y_true, y_pred, n_classes)[0]))


@metric(
    "recall_macro",
    display_name="Macro recall",
    greater_is_better=True,
    kind=LABEL,
    description="Unweighted mean of the per-class recalls",
)
def recall_macro(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    return float(np.mean(_per_class(y_true, y_pred, n_classes)[1]))


@metric(
    "mcc",
    display_name="Matthews correlation coefficient (MCC)",
    greater_is_better=True,
    kind=LABEL,
    description="Matthews correlation coefficient (multiclass), from -1 to 1",
)
def mcc(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    tp, t, p = _counts(y_true, y_pred, n_classes)
    # sklearn's multiclass formula; Python ints keep the products exact at any size.
    s, c = len(y_true), int(tp.sum())
    cov_tp = c * s - int(np.dot(t, p))
    cov_pp = s * s - int(np.dot(p, p))
    cov_tt = s * s - int(np.dot(t, t))
    if cov_pp == 0 or cov_tt == 0:  # a constant y_true or y_pred: undefined, 0.0 as in sklearn
        return 0.0
    return cov_tp / math.sqrt(cov_pp * cov_tt)


@metric(
    "quadratic_weighted_kappa",
    display_name="Quadratic weighted kappa",
    greater_is_better=True,
    kind=LABEL,
    description="Cohen's kappa with quadratic weights on ordinal classes 0..n-1",
)
def quadratic_weighted_kappa(y_true: np.ndarray, y_pred: np.ndarray, *, n_classes: int) -> float:
    # kappa = 1 - sum(W * O) / sum(W * E) with W_ij = (i - j)^2 (the usual 1/(n-1)^2 cancels).
    # sum(W * O) is the sum of squared code differences; sum(W * E) expands into moments of the
    # two marginals, so no n_classes^2 matrix is needed. Exact integers throughout.
    n = len(y_true)
    yt, yp = y_true.astype(np.int64), y_pred.astype(np.int64)
    observed = int(np.sum((yt - yp) ** 2))
    s1t, s1p = int(yt.sum()), int(yp.sum())
    s2t, s2p = int(np.dot(yt, yt)), int(np.dot(yp, yp))
    expected_n = n * s2t + n * s2p - 2 * s1t * s1p  # n * sum(W * E)
    if expected_n == 0:  # y_true and y_pred are the same constant: undefined, 0.0 like MCC
        return 0.0
    return 1.0 - (n * observed) / expected_n
