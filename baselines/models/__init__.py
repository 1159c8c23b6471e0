"""The baselines' models, by the name a config gives (``model.name``)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from baselines.config import ConfigError
from baselines.models.cnn import SmallCNN
from baselines.models.mlp import MLP

MODELS: dict[str, Callable[..., torch.nn.Module]] = {"mlp": MLP, "cnn": SmallCNN}


def build_model(
    name: str, input_shape: tuple[int, ...], n_outputs: int, params: dict
) -> torch.nn.Module:
    if name not in MODELS:
        raise ConfigError(f"model.name {name!r}: one of {sorted(MODELS)}")
    try:
        return MODELS[name](input_shape=input_shape, n_outputs=n_outputs, **params)
    except TypeError as exc:
        raise ConfigError(f"model.params: {exc}") from None
