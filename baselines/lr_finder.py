"""The LR finder: train a copy of the model for a few hundred batches while the learning rate
grows exponentially, and suggest the rate where the smoothed loss falls fastest.

``python -m baselines lr-find CONFIG --data DIR --out DIR`` writes ``lr_find.csv`` (step, lr,
loss, smoothed loss), ``lr_find.svg`` (the curve, the suggestion marked) and ``lr_find.json``
(the suggested rate and how the sweep ended). The sweep uses a stage's optimizer settings and
frozen modules (the first stage unless told), on a copy: the runner's model is never touched.
"""

from __future__ import annotations

import copy
import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from baselines import data as data_module
from baselines.config import Config, ConfigError, StageConfig
from baselines.plot import line_chart_svg
from baselines.reproducibility import seed_everything
from baselines.runner import Runner
from baselines.stages import apply_freeze, build_optimizer


@dataclass
class LrFinding:
    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    suggested_lr: float | None
    min_loss_lr: float | None
    diverged: bool  # the sweep stopped when the smoothed loss blew up, before end_lr
    stage: str

    def summary(self) -> dict:
        found = asdict(self)
        for key in ("lrs", "losses", "smoothed"):
            del found[key]
        return {**found, "steps": len(self.lrs)}


def suggest(lrs: list[float], smoothed: list[float], skip_start: int = 5) -> float | None:
    """The rate of the steepest descent of the smoothed loss (against log10 of the rate),
    looked for before the loss's minimum; none when the sweep is too short to say."""
    if len(lrs) < 3:
        return None
    losses = np.asarray(smoothed, dtype=np.float64)
    lowest = int(np.nanargmin(losses))
    start = min(skip_start, max(lowest - 2, 0))
    if lowest - start < 2:
        return None
    slopes = np.gradient(losses[: lowest + 1], np.log10(np.asarray(lrs[: lowest + 1])))
    return float(lrs[start + int(np.argmin(slopes[start:]))])


def lr_sweep(
    runner,
    stage: StageConfig | None = None,
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int = 300,
    beta: float = 0.98,
    diverge_factor: float = 4.0,
) -> LrFinding:
    """``steps`` batches (the training rows, round and round) with the rate going from
    ``start_lr`` to ``end_lr`` exponentially; stops once the smoothed loss exceeds
    ``diverge_factor`` times its lowest, or a loss is not finite."""
    if not 0 < start_lr < end_lr or steps < 3:
        raise ConfigError("lr-find: 0 < start < end and at least 3 steps")
    stage = stage or runner.config.stage_list()[0]
    model = copy.deepcopy(runner.model)
    frozen = apply_freeze(model, stage)
    optimizer = build_optimizer(model, stage)
    scaler = torch.amp.GradScaler("cuda", enabled=runner.amp == torch.float16)
    model.train()
    for module in frozen:
        module.eval()
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    average, lowest, diverged = 0.0, math.inf, False
    batches = iter(())
    for step in range(steps):
        try:
            X, y = next(batches)
        except StopIteration:
            batches = iter(runner.loader)
            X, y = next(batches)
        if len(X) < 2:  # BatchNorm cannot train on one row
            batches = iter(runner.loader)
            X, y = next(batches)
        lr = start_lr * (end_lr / start_lr) ** (step / (steps - 1))
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss = float(runner.train_step(X, y, model=model, optimizer=optimizer, scaler=scaler))
        if not math.isfinite(loss):
            diverged = True
            break
        average = beta * average + (1 - beta) * loss
        value = average / (1 - beta ** (step + 1))  # bias-corrected
        lrs.append(lr)
        losses.append(loss)
        smoothed.append(value)
        if value > diverge_factor * lowest:
            diverged = True
            break
        lowest = min(lowest, value)
    min_loss_lr = lrs[int(np.argmin(smoothed))] if smoothed else None
    return LrFinding(
        lrs=lrs,
        losses=losses,
        smoothed=smoothed,
        suggested_lr=suggest(lrs, smoothed),
        min_loss_lr=min_loss_lr,
        diverged=diverged,
        stage=stage.name,
    )


def write_finding(finding: LrFinding, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f"lr_find.{name}" for name in ("csv", "svg", "json")}
    with paths["csv"].open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["step", "lr", "loss", "smoothed_loss"])
        for i, row in enumerate(zip(finding.lrs, finding.losses, finding.smoothed, strict=True)):
            writer.writerow([i + 1, *(f"{v:.6g}" for v in row)])
    suggested = finding.suggested_lr
    paths["svg"].write_text(
        line_chart_svg(
            finding.lrs,
            finding.smoothed,
            title=f"LR finder (stage {finding.stage})",
            x_label="learning rate (log scale)",
            y_label="smoothed training loss",
            log_x=True,
            marker_x=suggested,
            marker_label=f"suggested {suggested:.2g}" if suggested else "",
        )
    )
    paths["json"].write_text(json.dumps(finding.summary(), indent=2) + "\n")
    return paths


def find_lr(
    config: Config,
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    stage_name: str | None = None,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int = 300,
) -> LrFinding:
    """The command: a fresh model from the config, swept; files written, the rate printed."""
    stages = {stage.name: stage for stage in config.stage_list()}
    if stage_name is not None and stage_name not in stages:
        raise ConfigError(f"--stage {stage_name!r}: one of {', '.join(stages)}")
    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    prepared = data_module.load(config, data_dir)
    runner = Runner(config, prepared, [], Path(out_dir))
    stage = stages[stage_name] if stage_name else config.stage_list()[0]
    finding = lr_sweep(runner, stage, start_lr=start_lr, end_lr=end_lr, steps=steps)
    paths = write_finding(finding, out_dir)
    ended = "diverged" if finding.diverged else "reached the end rate"
    rate = f"{finding.suggested_lr:.3g}" if finding.suggested_lr else "none (sweep too short)"
    lowest = f"{finding.min_loss_lr:.3g}" if finding.min_loss_lr else "none"
    print(
        f"lr-find ({finding.stage}): {len(finding.lrs)} batches, {ended}; lowest smoothed loss "
        f"at lr {lowest}; suggested lr: {rate}\n"
        f"wrote {paths['csv']}, {paths['svg']}, {paths['json']}",
        flush=True,
    )
    return finding
