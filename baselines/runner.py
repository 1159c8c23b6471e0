"""The universal train / validate / predict loop, driven by a config and its callbacks."""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from baselines import data as data_module
from baselines.callbacks import (
    Callback,
    CheckpointCallback,
    EarlyStopping,
    MetricCallback,
    Monitor,
    SubmissionCallback,
)
from baselines.config import Config
from baselines.logging import loggers, prepare_log_dir, write_environment
from baselines.models import build_model
from baselines.reproducibility import amp_dtype, pick_device, seed_everything
from scoring import get_metric


@dataclass
class RunResult:
    submission: Path
    log_dir: Path
    device: str
    epochs_run: int
    best_epoch: int | None
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def best(self) -> dict[str, float]:
        if self.best_epoch is None:
            return self.history[-1]
        return self.history[self.best_epoch - 1]


class Runner:
    def __init__(
        self,
        config: Config,
        prepared: data_module.Prepared,
        callbacks: list[Callback],
        log_dir: Path,
    ) -> None:
        self.config, self.prepared, self.callbacks = config, prepared, callbacks
        self.device = pick_device(config.device)
        self.amp = amp_dtype(self.device, config.amp)
        self.model = build_model(
            config.model.name, prepared.input_shape, prepared.n_outputs, config.model.params
        ).to(self.device)
        self.loss = data_module.loss_for(prepared.task)
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(),
            lr=config.optimizer.lr,
            weight_decay=config.optimizer.weight_decay,
        )
        generator = torch.Generator().manual_seed(config.seed)
        self.loader = DataLoader(
            TensorDataset(prepared.X_train, prepared.y_train),
            batch_size=config.batch_size,
            shuffle=True,
            generator=generator,
        )
        self.scheduler = None
        if config.scheduler.enabled:
            self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
                self.optimizer,
                max_lr=config.scheduler.max_lr or 10 * config.optimizer.lr,
                epochs=config.epochs,
                steps_per_epoch=len(self.loader),
                pct_start=config.scheduler.pct_start,
            )
        # float16 needs loss scaling; bfloat16 and float32 do not
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp == torch.float16)
        self.log_dir = log_dir
        self.stop_training = False
        self.best_epoch: int | None = None

    def _autocast(self):
        if self.amp is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=self.amp)

    def _target(self, y: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        return y.reshape(out.shape) if self.prepared.task in ("binary", "regression") else y

    def train_epoch(self) -> float:
        self.model.train()
        total, rows = 0.0, 0
        for X, y in self.loader:
            if len(X) < 2:  # BatchNorm cannot train on one row
                continue
            X, y = X.to(self.device), y.to(self.device)
            self.optimizer.zero_grad(set_to_none=True)
            with self._autocast():
                out = self.model(X)
                loss = self.loss(out.float(), self._target(y, out))
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
            if self.scheduler is not None:
                self.scheduler.step()
            total, rows = total + float(loss.detach()) * len(X), rows + len(X)
        return total / max(rows, 1)

    @torch.no_grad()
    def outputs(self, X: torch.Tensor) -> torch.Tensor:
        self.model.eval()
        chunks = []
        for start in range(0, len(X), 4096):
            with self._autocast():
                chunks.append(self.model(X[start : start + 4096].to(self.device)).float().cpu())
        return torch.cat(chunks)

    def predict(self, X: torch.Tensor) -> np.ndarray:
        return data_module.to_predictions(self.prepared, self.outputs(X))

    def valid_loss(self) -> float:
        out = self.outputs(self.prepared.X_valid)
        return float(self.loss(out, self._target(self.prepared.y_valid, out)))

    def fit(self, sinks: list) -> list[dict[str, float]]:
        history = []
        for callback in self.callbacks:
            callback.on_start(self)
        for epoch in range(1, self.config.epochs + 1):
            values = {
                "train/loss": self.train_epoch(),
                "valid/loss": self.valid_loss(),
                "lr": self.optimizer.param_groups[0]["lr"],
            }
            for callback in self.callbacks:
                callback.on_epoch_end(self, epoch, values)
            history.append(values)
            for sink in sinks:
                sink.log(epoch, values)
            if self.stop_training:
                break
        for callback in self.callbacks:
            callback.on_end(self)
        return history


def run(
    config: Config, data_dir: str | Path, out_dir: str | Path, extra_code: list[Path] = ()
) -> RunResult:
    """Train on ``data_dir``'s files; write ``out_dir/submission.csv`` and the run's logs."""
    started = time.perf_counter()
    out = Path(out_dir)
    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    log_dir = prepare_log_dir(config, out, extra_code)
    prepared = data_module.load(config, data_dir)
    metric = get_metric(config.metric)
    monitor = Monitor(f"valid/{config.metric}", metric.greater_is_better)
    checkpoints = CheckpointCallback(log_dir / "checkpoints", monitor, config.keep_best)
    callbacks = [
        MetricCallback(config.metric),
        EarlyStopping(monitor, config.early_stopping_patience),
        checkpoints,
        SubmissionCallback(out / "submission.csv"),
    ]
    runner = Runner(config, prepared, callbacks, log_dir)
    print(
        f"run {config.run_name()}: {prepared.task}, {len(prepared.X_train)} train rows, "
        f"{len(prepared.X_valid)} validation rows, {len(prepared.X_test)} test rows, "
        f"device {runner.device}" + (f", mixed precision {runner.amp}" if runner.amp else ""),
        flush=True,
    )
    write_environment(
        log_dir,
        {
            "device": str(runner.device),
            "amp": str(runner.amp),
            "seed": config.seed,
            "threads": torch.get_num_threads(),
        },
    )
    sinks = loggers(log_dir)
    try:
        history = runner.fit(sinks)
    finally:
        for sink in sinks:
            sink.close()
    seconds = time.perf_counter() - started
    result = RunResult(
        submission=out / "submission.csv",
        log_dir=log_dir,
        device=str(runner.device),
        epochs_run=len(history),
        best_epoch=runner.best_epoch,
        seconds=seconds,
        history=history,
    )
    best = result.best.get(monitor.key, math.nan)
    print(
        f"done in {seconds:.1f} s: best {monitor.key}={best:.5g} "
        f"(a constant prediction: {callbacks[0].constant})",
        flush=True,
    )
    return result
