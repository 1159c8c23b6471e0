"""Starter solutions ("baselines") and the small training runner they share.

A run is one YAML config (``configs/*.yaml``): data files, model, AdamW, OneCycle, epochs, batch
size, seed, device (``auto``: CUDA when available), mixed precision on CUDA, a validation split.
``python -m baselines run CONFIG.yaml --data DIR --out DIR`` trains, validates with the
competition's metric (``scoring``'s registry), and writes ``DIR/submission.csv`` in the
sample-submission's format, with logs, the config, the code and package versions under
``DIR/logs/<run name>/``.

It never imports the server (import-linter): the platform's kernels run it in a sandbox.
"""

from baselines.config import Config, load_config
from baselines.runner import RunResult, run

__all__ = ["Config", "RunResult", "load_config", "run"]
