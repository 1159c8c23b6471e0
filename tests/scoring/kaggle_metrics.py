"""Metric files written the way Kaggle's published metrics are: each imports
``kaggle_metric_utilities`` and its own ``ParticipantVisibleError``, deletes the id column, and
hands scikit-learn (or its own function) to ``safe_call_score``. The tests run them unmodified,
offline and in the sandbox, and compare their scores with scikit-learn's on the same rows."""

MACRO_ROC_AUC = '''\
"""Macro ROC AUC over the classes that have a positive row (Kaggle's multi-label style)."""
import pandas as pd
import pandas.api.types

import kaggle_metric_utilities

import sklearn.metrics


class ParticipantVisibleError(Exception):
    pass


def score(solution: pd.DataFrame, submission: pd.DataFrame, row_id_column_name: str) -> float:
    del solution[row_id_column_name]
    del submission[row_id_column_name]

    if not pandas.api.types.is_numeric_dtype(submission.values):
        bad = [c for c in submission.columns
               if not pandas.api.types.is_numeric_dtype(submission[c])]
        raise ParticipantVisibleError(f"Invalid submission data types found: {bad}")

    positives = solution.sum(axis=0)
    scored = list(positives[positives > 0].index.values)
    assert len(scored) > 0

    return kaggle_metric_utilities.safe_call_score(
        sklearn.metrics.roc_auc_score,
        solution[scored].values,
        submission[scored].values,
        average="macro",
    )
'''

BALANCED_ACCURACY = '''\
"""Balanced accuracy, scikit-learn's, with Kaggle's optional weights column and adjustment."""
from typing import Optional

import pandas as pd
import pandas.api.types

import kaggle_metric_utilities

import sklearn.metrics


class ParticipantVisibleError(Exception):
    pass


def score(
    solution: pd.DataFrame,
    submission: pd.DataFrame,
    row_id_column_name: str,
    weights_column_name: Optional[str] = None,
    adjusted: bool = False,
) -> float:
    del solution[row_id_column_name]
    del submission[row_id_column_name]

    sample_weight = None
    if weights_column_name:
        if weights_column_name not in solution.columns:
            raise ValueError(f"The solution weights column {weights_column_name} is not found")
        sample_weight = solution.pop(weights_column_name).values

    if len(submission.columns) > 1:
        raise ParticipantVisibleError(
            f"The submission can only include one column of predictions. "
            f"Found {len(submission.columns)}"
        )

    return kaggle_metric_utilities.safe_call_score(
        sklearn.metrics.balanced_accuracy_score,
        solution.values,
        submission.values,
        sample_weight=sample_weight,
        adjusted=adjusted,
    )
'''

KL_DIVERGENCE = '''\
"""Row-averaged Kullback-Leibler divergence of class probabilities (Kaggle's HMS style)."""
import numpy as np
import pandas as pd
import pandas.api.types

import kaggle_metric_utilities


class ParticipantVisibleError(Exception):
    pass


def kl_divergence(solution: pd.DataFrame, submission: pd.DataFrame, epsilon: float) -> float:
    total = np.zeros(len(solution))
    for col in solution.columns:
        y = solution[col].astype(float).to_numpy()
        p = np.clip(submission[col].astype(float).to_numpy(), epsilon, 1 - epsilon)
        nonzero = y != 0
        total[nonzero] += y[nonzero] * np.log(y[nonzero] / p[nonzero])
    return float(np.average(total))


def score(
    solution: pd.DataFrame,
    submission: pd.DataFrame,
    row_id_column_name: str,
    epsilon: float = 10**-15,
) -> float:
    del solution[row_id_column_name]
    del submission[row_id_column_name]

    for col in solution.columns:
        if col not in submission.columns:
            raise ParticipantVisibleError(f"Missing submission column {col}")

    kaggle_metric_utilities.verify_valid_probabilities(solution, "solution")
    kaggle_metric_utilities.verify_valid_probabilities(submission, "submission")

    return kaggle_metric_utilities.safe_call_score(
        kl_divergence, solution, submission[solution.columns], epsilon=epsilon
    )
'''
