"""Weight averaging (SWA) of the N best checkpoints, used for the submission when it validates
no worse than the best single checkpoint.

Averaged weights make averaged BatchNorm statistics meaningless (they describe none of the
models), so a model with BatchNorm gets its statistics recomputed on the training rows."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from baselines.callbacks import Callback, CheckpointCallback, MetricCallback

if TYPE_CHECKING:
    from baselines.runner import Runner


def average_state_dicts(states: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The mean of each floating-point tensor; counters (BatchNorm's num_batches_tracked) are
    the first state's."""
    averaged = {}
    for key, first in states[0].items():
        if torch.is_floating_point(first):
            averaged[key] = torch.stack([s[key].float() for s in states]).mean(0).to(first.dtype)
        else:
            averaged[key] = first.clone()
    return averaged


def has_batchnorm(model: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


@torch.no_grad()
def recompute_batchnorm(model: nn.Module, X: torch.Tensor, device, batch_size: int) -> None:
    """BatchNorm's running statistics as the cumulative average over the rows ``X`` (one pass,
    in batches, in order), what ``torch.optim.swa_utils.update_bn`` does."""
    loader = DataLoader(TensorDataset(X), batch_size=batch_size, shuffle=False)
    torch.optim.swa_utils.update_bn(loader, model, device=device)


class SwaCallback(Callback):
    """At the end, after the best checkpoint is loaded: average the ``n`` best checkpoints the
    CheckpointCallback kept, evaluate both on the validation rows, keep the averaged weights
    when they are not worse, and write both figures to ``swa.json``."""

    def __init__(self, checkpoints: CheckpointCallback, n: int, log_dir: Path) -> None:
        self.checkpoints, self.n, self.log_dir = checkpoints, n, log_dir

    def _score(self, runner: Runner) -> tuple[float, float]:
        """(the metric, the monitor's smaller-is-better value) of the runner's model now."""
        values = {"valid/loss": runner.valid_loss()}
        for callback in runner.callbacks:  # the MetricCallback adds the metric
            if isinstance(callback, MetricCallback):
                callback.on_epoch_end(runner, 0, values)
        monitor = self.checkpoints.monitor
        return values.get(monitor.key, math.nan), monitor.value(values)

    def on_end(self, runner: Runner) -> None:
        kept = self.checkpoints.kept[: self.n]
        if len(kept) < 2:
            print(f"SWA skipped: {len(kept)} checkpoint kept, nothing to average", flush=True)
            return
        best_metric, best_value = self._score(runner)
        best_state = copy.deepcopy(runner.model.state_dict())
        states = [
            torch.load(path, map_location=runner.device, weights_only=True)["model"]
            for _, _, path in kept
        ]
        runner.model.load_state_dict(average_state_dicts(states))
        batchnorm = has_batchnorm(runner.model)
        if batchnorm:
            recompute_batchnorm(
                runner.model, runner.prepared.X_train, runner.device, runner.config.batch_size
            )
        swa_metric, swa_value = self._score(runner)
        used = swa_value <= best_value + 1e-12
        if used:
            torch.save(
                {"epochs": [e for _, e, _ in kept], "model": runner.model.state_dict()},
                self.checkpoints.folder / "swa.pt",
            )
        else:
            runner.model.load_state_dict(best_state)
        key = self.checkpoints.monitor.key
        runner.swa = {
            "metric": key,
            "epochs": [epoch for _, epoch, _ in kept],
            "best_single": best_metric,
            "swa": swa_metric,
            "batchnorm_recomputed": batchnorm,
            "used": "swa" if used else "best_single",
        }
        (self.log_dir / "swa.json").write_text(json.dumps(runner.swa, indent=2) + "\n")
        print(
            f"SWA of epochs {runner.swa['epochs']}: {key}={swa_metric:.5g}, best single "
            f"checkpoint {best_metric:.5g}: the submission uses "
            + ("the averaged weights" if used else "the best single checkpoint"),
            flush=True,
        )
