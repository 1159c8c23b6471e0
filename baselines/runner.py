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
from baselines.config import Config, StageConfig
from baselines.logging import loggers, prepare_log_dir, write_environment
from baselines.models import build_model
from baselines.reproducibility import amp_dtype, pick_device, seed_everything
from baselines.stages import apply_freeze, build_optimizer, build_scheduler
from baselines.swa import SwaCallback
from baselines.user_callbacks import callback_files, load_user_callbacks
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
    stages: list[str] = field(default_factory=list)  # each epoch's stage
    swa: dict | None = None  # SWA's figures and whether its weights were used

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
        generator = torch.Generator().manual_seed(config.seed)
        self.loader = DataLoader(
            TensorDataset(prepared.X_train, prepared.y_train),
            batch_size=config.batch_size,
            shuffle=True,
            generator=generator,
        )
        # Set by each stage (start_stage): its AdamW, its schedule, its frozen modules.
        self.optimizer: torch.optim.Optimizer | None = None
        self.scheduler = None
        self.frozen: list[torch.nn.Module] = []
        self.stage: StageConfig | None = None
        self.stage_epoch = 0  # the epoch within the stage
        self.global_step = 0  # batches trained, all stages
        # float16 needs loss scaling; bfloat16 and float32 do not
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp == torch.float16)
        self.log_dir = log_dir
        self.stop_training = False  # ends the current stage (early stopping, a callback)
        self.best_epoch: int | None = None
        self.swa: dict | None = None  # SwaCallback's figures, when the config asks for SWA

    def _autocast(self):
        if self.amp is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=self.amp)

    def _target(self, y: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        return y.reshape(out.shape) if self.prepared.task in ("binary", "regression") else y

    def train_step(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        model: torch.nn.Module | None = None,
        optimizer: torch.optim.Optimizer | None = None,
        scaler: torch.amp.GradScaler | None = None,
    ) -> torch.Tensor:
        """One batch's update; the LR finder passes its own copy of the model and optimizer."""
        model = self.model if model is None else model
        optimizer = self.optimizer if optimizer is None else optimizer
        scaler = self.scaler if scaler is None else scaler
        X, y = X.to(self.device), y.to(self.device)
        optimizer.zero_grad(set_to_none=True)
        with self._autocast():
            out = model(X)
            loss = self.loss(out.float(), self._target(y, out))
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        return loss.detach()

    def train_mode(self) -> None:
        self.model.train()
        for module in self.frozen:
            module.eval()

    def train_epoch(self) -> float:
        self.train_mode()
        total, rows = 0.0, 0
        for batch, (X, y) in enumerate(self.loader):
            if len(X) < 2:  # BatchNorm cannot train on one row
                continue
            loss = float(self.train_step(X, y))
            if self.scheduler is not None:
                self.scheduler.step()
            self.global_step += 1
            total, rows = total + loss * len(X), rows + len(X)
            self.emit("on_batch_end", batch, loss)
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

    def emit(self, hook: str, *args) -> None:
        """A hook of every callback that has it (users' callbacks may leave some out)."""
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(self, *args)

    def start_stage(self, stage: StageConfig) -> None:
        self.stage, self.stage_epoch, self.stop_training = stage, 0, False
        self.frozen = apply_freeze(self.model, stage)
        self.optimizer = build_optimizer(self.model, stage)
        self.scheduler = build_scheduler(self.optimizer, stage, len(self.loader))

    def fit(self, sinks: list) -> list[dict[str, float]]:
        history: list[dict[str, float]] = []
        self.stage_of_epoch: list[str] = []
        stages = self.config.stage_list()
        staged = self.config.stages is not None
        self.emit("on_start")
        for stage in stages:
            self.start_stage(stage)
            if staged:
                frozen = f", frozen: {', '.join(stage.freeze)}" if stage.freeze else ""
                print(
                    f"stage {stage.name}: {stage.epochs} epochs, AdamW lr {stage.optimizer.lr:g} "
                    f"wd {stage.optimizer.weight_decay:g}, {stage.scheduler.kind}{frozen}",
                    flush=True,
                )
            self.emit("on_stage_start", stage)
            for _ in range(stage.epochs):
                self.stage_epoch += 1
                epoch = len(history) + 1
                values = {
                    "train/loss": self.train_epoch(),
                    "valid/loss": self.valid_loss(),
                    "lr": self.optimizer.param_groups[0]["lr"],
                }
                self.emit("on_epoch_end", epoch, values)
                history.append(values)
                self.stage_of_epoch.append(stage.name)
                for sink in sinks:
                    sink.log(epoch, values, stage=stage.name if staged else None)
                if self.stop_training:
                    break
        for parameter in self.model.parameters():  # the final model is whole again
            parameter.requires_grad_(True)
        self.frozen = []
        self.emit("on_end")
        return history


def run(
    config: Config,
    data_dir: str | Path,
    out_dir: str | Path,
    extra_code: list[Path] = (),
    config_dir: str | Path | None = None,
) -> RunResult:
    """Train on ``data_dir``'s files; write ``out_dir/submission.csv`` and the run's logs.
    ``config_dir``: where the config's own callback files are (default: the current folder)."""
    started = time.perf_counter()
    out = Path(out_dir)
    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    user_files = callback_files(config, config_dir or Path.cwd())
    log_dir = prepare_log_dir(config, out, [*extra_code, *user_files])
    prepared = data_module.load(config, data_dir)
    metric = get_metric(config.metric)
    monitor = Monitor(f"valid/{config.metric}", metric.greater_is_better)
    checkpoints = CheckpointCallback(log_dir / "checkpoints", monitor, config.keep_best)
    callbacks: list = [
        MetricCallback(config.metric),
        EarlyStopping(monitor, config.early_stopping_patience),
        checkpoints,
    ]
    if config.swa is not None:
        callbacks.append(SwaCallback(checkpoints, config.swa.best, log_dir))
    callbacks.append(SubmissionCallback(out / "submission.csv"))
    callbacks += load_user_callbacks(config, config_dir or Path.cwd())
    runner = Runner(config, prepared, callbacks, log_dir)
    print(
        f"run {config.log_name()}: {prepared.task}, {len(prepared.X_train)} train rows, "
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
        stages=runner.stage_of_epoch,
        swa=runner.swa,
    )
    best = result.best.get(monitor.key, math.nan)
    print(
        f"done in {seconds:.1f} s: best {monitor.key}={best:.5g} "
        f"(a constant prediction: {callbacks[0].constant})",
        flush=True,
    )
    return result
