"""What a training stage sets up on the model: its frozen modules, its AdamW and its schedule."""

from __future__ import annotations

import torch
from torch import nn

from baselines.config import ConfigError, StageConfig


def _matches(name: str, prefixes: list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def top_level_modules(model: nn.Module) -> list[str]:
    return [name for name, _ in model.named_children()]


def apply_freeze(model: nn.Module, stage: StageConfig) -> list[nn.Module]:
    """Weights under the stage's ``freeze`` prefixes stop training, every other one trains;
    returns the frozen modules (kept in eval mode while training: a frozen encoder's BatchNorm
    statistics stay as they are)."""
    unmatched = [
        p
        for p in stage.freeze
        if not any(_matches(name, [p]) for name, _ in model.named_parameters())
    ]
    if unmatched:
        raise ConfigError(
            f"stages[{stage.name}].freeze: {', '.join(unmatched)} names no module with weights; "
            f"the model's modules: {', '.join(top_level_modules(model))}"
        )
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(not _matches(name, stage.freeze))
    if stage.freeze and not any(p.requires_grad for p in model.parameters()):
        raise ConfigError(f"stages[{stage.name}].freeze: every weight is frozen, nothing trains")
    return [
        module for name, module in model.named_modules() if name and _matches(name, stage.freeze)
    ]


def build_optimizer(model: nn.Module, stage: StageConfig) -> torch.optim.Optimizer:
    """A fresh AdamW over the weights that train in this stage."""
    return torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=stage.optimizer.lr,
        weight_decay=stage.optimizer.weight_decay,
    )


def build_scheduler(
    optimizer: torch.optim.Optimizer, stage: StageConfig, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LRScheduler | None:
    """OneCycle over the stage's epochs, stepped every batch; none for a constant rate."""
    if stage.scheduler.kind == "constant":
        return None
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=stage.scheduler.max_lr or 10 * stage.optimizer.lr,
        epochs=stage.epochs,
        steps_per_epoch=max(steps_per_epoch, 1),
        pct_start=stage.scheduler.pct_start,
    )
