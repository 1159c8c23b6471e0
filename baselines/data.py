"""The competition's files as tensors: features scaled on the training rows, a seeded
validation split, and what the submission must look like (the sample submission's header and
ids).

The task follows from the metric's prediction kind (``scoring``'s registry): ``label`` metrics
get a classifier that writes class values; ``binary_score``/``probability`` a one-logit model
that writes probabilities; ``class_probabilities`` a softmax over the sample submission's
columns; ``continuous`` a regressor on the standardized target.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from baselines.config import Config, ConfigError
from scoring import PredictionKind, get_metric

BINARY, LABEL, MULTICLASS, REGRESSION = "binary", "label", "multiclass", "regression"
_TASKS = {
    PredictionKind.BINARY_SCORE: BINARY,
    PredictionKind.PROBABILITY: BINARY,
    PredictionKind.LABEL: LABEL,
    PredictionKind.CLASS_PROBABILITIES: MULTICLASS,
    PredictionKind.CONTINUOUS: REGRESSION,
}


@dataclass
class Prepared:
    task: str
    X_train: torch.Tensor
    y_train: torch.Tensor
    X_valid: torch.Tensor
    y_valid: torch.Tensor
    X_test: torch.Tensor
    test_ids: np.ndarray
    id_column: str
    columns: list[str]  # the submission's prediction columns, in the sample's order
    classes: np.ndarray | None  # class values (label, multiclass), index = model output
    target_mean: float = 0.0
    target_std: float = 1.0
    feature_names: tuple[str, ...] = ()

    @property
    def n_outputs(self) -> int:
        return 1 if self.task in (BINARY, REGRESSION) else len(self.classes)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.X_train.shape[1:])


def task_for(metric_name: str) -> str:
    kind = get_metric(metric_name).kind
    if kind not in _TASKS:
        raise ConfigError(f"metric {metric_name!r} ({kind}): no baseline task fits it")
    return _TASKS[kind]


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.exists():
        raise ConfigError(f"No data file {name} in {folder}")
    return pd.read_csv(path)


def load(config: Config, data_dir: str | Path) -> Prepared:
    folder, spec = Path(data_dir), config.data
    train, test = _read(folder, spec.train), _read(folder, spec.test)
    sample = _read(folder, spec.sample_submission)
    id_col, task = spec.id_column, task_for(config.metric)
    columns = [c for c in sample.columns if c != id_col]
    target = spec.target or (columns[0] if len(columns) == 1 else None)
    if target is None or target not in train.columns:
        raise ConfigError(
            f"data.target: name the training column to learn (train has {list(train.columns)})"
        )
    features = [c for c in train.columns if c not in (id_col, target) and c in test.columns]
    X = train[features].to_numpy(np.float32)
    X_test = test.set_index(id_col).loc[sample[id_col], features].to_numpy(np.float32)
    y_raw = train[target].to_numpy()

    classes, mean, std = None, 0.0, 1.0
    if task == REGRESSION:
        mean, std = float(y_raw.mean()), float(y_raw.std() or 1.0)
        y = torch.tensor((y_raw - mean) / std, dtype=torch.float32)
    elif task == BINARY:
        y = torch.tensor(y_raw, dtype=torch.float32)
    else:
        classes, codes = np.unique(y_raw, return_inverse=True)
        if task == MULTICLASS and len(classes) != len(columns):
            raise ConfigError(
                f"{len(classes)} classes in {target}, {len(columns)} columns in "
                "the sample submission"
            )
        y = torch.tensor(codes, dtype=torch.long)

    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(X))
    n_valid = max(1, round(config.valid_fraction * len(X)))
    valid, fit = order[:n_valid], order[n_valid:]
    if spec.scaling == "standard":
        centre, scale = X[fit].mean(axis=0), X[fit].std(axis=0)
        scale[scale == 0] = 1.0
    else:
        centre, scale = np.zeros(X.shape[1], np.float32), np.float32(max(float(X[fit].max()), 1e-6))
    X = (X - centre) / scale
    X_test = (X_test - centre) / scale
    shape = tuple(spec.image_shape) if spec.image_shape else (X.shape[1],)
    if int(np.prod(shape)) != X.shape[1]:
        raise ConfigError(f"data.image_shape {list(shape)} does not hold {X.shape[1]} features")

    def tensor(a: np.ndarray) -> torch.Tensor:
        return torch.tensor(a, dtype=torch.float32).reshape(-1, *shape)

    return Prepared(
        task=task,
        X_train=tensor(X[fit]),
        y_train=y[fit],
        X_valid=tensor(X[valid]),
        y_valid=y[valid],
        X_test=tensor(X_test),
        test_ids=sample[id_col].to_numpy(),
        id_column=id_col,
        columns=columns,
        classes=classes,
        target_mean=mean,
        target_std=std,
        feature_names=tuple(features),
    )


def loss_for(task: str) -> torch.nn.Module:
    if task == BINARY:
        return torch.nn.BCEWithLogitsLoss()
    if task == REGRESSION:
        return torch.nn.MSELoss()
    return torch.nn.CrossEntropyLoss()


def to_predictions(prepared: Prepared, outputs: torch.Tensor) -> np.ndarray:
    """Model outputs (logits) as what the metric and the submission take: probabilities (n,),
    class codes (n,), class probabilities (n, k) or target values (n,)."""
    out = outputs.float()
    if prepared.task == BINARY:
        return torch.sigmoid(out.reshape(-1)).numpy().astype(np.float64)
    if prepared.task == REGRESSION:
        values = out.reshape(-1).numpy().astype(np.float64)
        return values * prepared.target_std + prepared.target_mean
    if prepared.task == LABEL:
        return out.argmax(dim=1).numpy().astype(np.int64)
    return torch.softmax(out, dim=1).numpy().astype(np.float64)


def submission_frame(prepared: Prepared, predictions: np.ndarray) -> pd.DataFrame:
    """The test predictions in the sample submission's columns and row order."""
    frame = pd.DataFrame({prepared.id_column: prepared.test_ids})
    if prepared.task == LABEL:
        frame[prepared.columns[0]] = prepared.classes[predictions]
    elif prepared.task == MULTICLASS:
        # A careful model never says 0 or 1: one confident mistake costs a log loss dearly.
        p = np.clip(predictions, 1e-4, 1 - 1e-4)
        p = p / p.sum(axis=1, keepdims=True)
        for i, column in enumerate(prepared.columns):
            frame[column] = np.round(p[:, i], 6)
    else:
        frame[prepared.columns[0]] = np.round(predictions, 6)
    return frame
