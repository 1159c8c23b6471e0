"""A small convolutional network for little images (the 8x8 digits): two 3x3 conv blocks, one
pooling, then a linear classifier."""

from __future__ import annotations

import torch
from torch import nn


class SmallCNN(nn.Module):
    def __init__(
        self,
        *,
        input_shape: tuple[int, ...],
        n_outputs: int,
        channels: tuple[int, int] = (16, 32),
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        if len(input_shape) != 3:
            raise TypeError(f"the CNN takes images (channels, height, width), not {input_shape}")
        c_in, height, width = input_shape
        c1, c2 = channels
        self.features = nn.Sequential(
            nn.Conv2d(c_in, c1, 3, padding=1),
            nn.BatchNorm2d(c1),
            nn.ReLU(),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.BatchNorm2d(c2),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(c2 * (height // 2) * (width // 2), n_outputs),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
