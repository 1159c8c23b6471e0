"""Seeds and deterministic settings, and the device a run uses."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Python, numpy and torch (CPU and every GPU) seeded; deterministic kernels where torch has
    them (a warning, not an error, where it has none)."""
    # cuBLAS needs this before its first use to be deterministic (torch's reproducibility notes).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def pick_device(wanted: str) -> torch.device:
    """``auto``: the first visible CUDA device when there is one (a kernel's GPU is pinned by
    CUDA_VISIBLE_DEVICES), else the CPU."""
    if wanted == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(wanted)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {wanted!r} asked for, but CUDA is not available here")
    return device


def amp_dtype(device: torch.device, enabled: bool) -> torch.dtype | None:
    """Mixed precision on CUDA only: bfloat16 where the GPU has it, else float16."""
    if not enabled or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
