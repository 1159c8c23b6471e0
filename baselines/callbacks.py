"""Callbacks of the training loop: the metric on the validation rows (through ``scoring``'s
registry), early stopping, the N best checkpoints, and the test predictions as submission.csv.
Users' own callbacks (``user_callbacks``) have the same hooks."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from baselines.data import BINARY, LABEL, MULTICLASS, REGRESSION, submission_frame
from scoring import get_metric

if TYPE_CHECKING:
    from baselines.config import StageConfig
    from baselines.runner import Runner


class Callback:
    """The hooks, in the order the runner calls them; ``epoch`` counts across stages, and a
    key added to ``values`` in ``on_epoch_end`` is logged with the rest."""

    def on_start(self, runner: Runner) -> None: ...

    def on_stage_start(self, runner: Runner, stage: StageConfig) -> None: ...

    def on_batch_end(self, runner: Runner, batch: int, loss: float) -> None: ...

    def on_epoch_end(self, runner: Runner, epoch: int, values: dict[str, float]) -> None: ...

    def on_end(self, runner: Runner) -> None: ...


def metric_score(
    metric_name: str, task: str, y_true: np.ndarray, predictions: np.ndarray, n_classes: int
) -> float:
    """The competition's metric on arrays shaped as ``scoring`` hands them to it."""
    metric = get_metric(metric_name)
    if task == BINARY:
        return metric(y_true.astype(np.int8), predictions.astype(np.float64))
    if task == REGRESSION:
        return metric(y_true.astype(np.float64), predictions.astype(np.float64))
    if task == LABEL:
        return metric(y_true.astype(np.int64), predictions.astype(np.int64), n_classes=n_classes)
    return metric(y_true.astype(np.int64), predictions.astype(np.float64))


def constant_predictions(task: str, y_train: np.ndarray, n: int, n_classes: int) -> np.ndarray:
    """What a constant submission says: the training mean, share or majority class."""
    if task in (BINARY, REGRESSION):
        return np.full(n, float(y_train.mean()))
    if task == LABEL:
        return np.full(n, int(np.bincount(y_train, minlength=n_classes).argmax()))
    shares = np.bincount(y_train, minlength=n_classes) / len(y_train)
    return np.tile(shares, (n, 1))


class MetricCallback(Callback):
    """``valid/<metric>`` every epoch, and ``valid/<metric>_constant`` (a constant prediction's
    score, for comparison) once."""

    def __init__(self, metric_name: str) -> None:
        self.metric_name = metric_name
        self.constant: float | None = None

    @property
    def key(self) -> str:
        return f"valid/{self.metric_name}"

    def _true(self, runner: Runner) -> np.ndarray:
        p = runner.prepared
        y = p.y_valid.numpy()
        return y * p.target_std + p.target_mean if p.task == REGRESSION else y

    def on_start(self, runner: Runner) -> None:
        p = runner.prepared
        y_train = p.y_train.numpy()
        if p.task == REGRESSION:
            y_train = y_train * p.target_std + p.target_mean
        n_classes = p.n_outputs
        constant = constant_predictions(p.task, y_train, len(p.y_valid), n_classes)
        self.constant = _safe(
            lambda: metric_score(self.metric_name, p.task, self._true(runner), constant, n_classes)
        )

    def on_epoch_end(self, runner: Runner, epoch: int, values: dict[str, float]) -> None:
        p = runner.prepared
        predictions = runner.predict(p.X_valid)
        values[self.key] = _safe(
            lambda: metric_score(
                self.metric_name, p.task, self._true(runner), predictions, p.n_outputs
            )
        )
        if self.constant is not None:
            values[f"{self.key}_constant"] = self.constant


def _safe(compute) -> float:
    try:
        return float(compute())
    except Exception:  # noqa: BLE001 - e.g. AUC of a one-class split: undefined, not fatal
        return math.nan


class Monitor:
    """The value callbacks compare epochs by: the metric (in its direction), else the loss."""

    def __init__(self, key: str, greater_is_better: bool) -> None:
        self.key, self.greater_is_better = key, greater_is_better

    def value(self, values: dict[str, float]) -> float:
        v = values.get(self.key, math.nan)
        if math.isnan(v):
            v = values["valid/loss"]
            return v
        return -v if self.greater_is_better else v  # smaller is better from here on

    def rank(self, values: dict[str, float]) -> tuple[float, float]:
        """Smaller is better: the value, then the validation loss among equal values (a coarse
        metric such as accuracy on a few hundred rows ties often)."""
        return round(self.value(values), 9), values["valid/loss"]


class EarlyStopping(Callback):
    """Ends the stage after ``patience`` epochs without a new best; the next stage starts with
    its patience whole (the best to beat carries over)."""

    def __init__(self, monitor: Monitor, patience: int) -> None:
        self.monitor, self.patience = monitor, patience
        self.best, self.waited = (math.inf, math.inf), 0

    def on_stage_start(self, runner: Runner, stage: StageConfig) -> None:
        self.waited = 0

    def on_epoch_end(self, runner: Runner, epoch: int, values: dict[str, float]) -> None:
        rank = self.monitor.rank(values)
        if rank < self.best:
            self.best, self.waited = rank, 0
            return
        self.waited += 1
        if self.patience and self.waited >= self.patience:
            print(
                f"early stopping: no improvement of {self.monitor.key} in {self.waited} epochs",
                flush=True,
            )
            runner.stop_training = True


class CheckpointCallback(Callback):
    """Keeps the ``keep`` best epochs' weights (over all stages; a staged run's files are named
    ``<stage>-epochNNN.pt``); the best one is loaded back at the end, so that the test
    predictions come from it."""

    def __init__(self, folder: Path, monitor: Monitor, keep: int) -> None:
        self.folder, self.monitor, self.keep = folder, monitor, max(1, keep)
        self.kept: list[tuple[tuple[float, float], int, Path]] = []  # (rank, epoch, file)

    def on_epoch_end(self, runner: Runner, epoch: int, values: dict[str, float]) -> None:
        rank = self.monitor.rank(values)
        if len(self.kept) == self.keep and rank >= self.kept[-1][0]:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        stage = runner.stage.name if runner.stage is not None else "main"
        prefix = f"{stage}-" if runner.config.stages is not None else ""
        path = self.folder / f"{prefix}epoch{epoch:03d}.pt"
        torch.save(
            {"epoch": epoch, "stage": stage, "model": runner.model.state_dict(), "values": values},
            path,
        )
        self.kept.append((rank, epoch, path))
        self.kept.sort(key=lambda item: (item[0], item[1]))
        for _, _, dropped in self.kept[self.keep :]:
            dropped.unlink(missing_ok=True)
        del self.kept[self.keep :]

    @property
    def best(self) -> tuple[tuple[float, float], int, Path] | None:
        return self.kept[0] if self.kept else None

    def on_end(self, runner: Runner) -> None:
        if self.best is None:
            return
        _, epoch, path = self.best
        state = torch.load(path, map_location=runner.device, weights_only=True)
        runner.model.load_state_dict(state["model"])
        runner.best_epoch = epoch
        print(f"best epoch: {epoch} ({path.name})", flush=True)


class SubmissionCallback(Callback):
    """Predicts the test rows and writes ``submission.csv`` in the sample-submission's format."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_end(self, runner: Runner) -> None:
        predictions = runner.predict(runner.prepared.X_test)
        frame = submission_frame(runner.prepared, predictions)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(self.path, index=False, lineterminator="\n")
        print(f"wrote {self.path} ({len(frame)} rows)", flush=True)


__all__ = [
    "Callback",
    "CheckpointCallback",
    "EarlyStopping",
    "MetricCallback",
    "Monitor",
    "SubmissionCallback",
    "constant_predictions",
    "metric_score",
    "MULTICLASS",
]
