"""The floor's ROC AUC: exact with ties, from two sorts and two binary searches."""

from __future__ import annotations

import numpy as np


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Mann-Whitney U / (positives * negatives); a tied (positive, negative) pair counts 1/2."""
    is_pos = y_true == 1
    pos = np.sort(y_score[is_pos])
    neg = np.sort(y_score[~is_pos])
    below = np.searchsorted(neg, pos, "left")  # negatives strictly below each positive
    not_above = np.searchsorted(neg, pos, "right")  # ... plus those tied with it
    twice_u = int(below.sum()) + int(not_above.sum())
    return twice_u / (2 * len(pos) * len(neg))
