"""Starter solutions ("baselines") and the small training runner they share.

A run is one YAML config (``configs/*.yaml``): data files, model, AdamW, OneCycle, epochs, batch
size, seed, device (``auto``: CUDA when available), mixed precision on CUDA, a validation split.
``python -m baselines run CONFIG.yaml --data DIR --out DIR`` trains, validates with the
competition's metric (``scoring``'s registry), and writes ``DIR/submission.csv`` in the
sample-submission's format, with logs, the config, the code and package versions under
``DIR/logs/<run name>/``.

It never imports the server (import-linter): the platform's kernels run it in a sandbox. The
server imports ``baselines.config`` (the bundled configs) and must not pay for PyTorch with it:
the runner's names load on first use (PEP 562), not with the package.
"""

from baselines.config import Config, load_config

__all__ = ["Config", "RunResult", "load_config", "run"]


def __getattr__(name: str):
    if name in ("RunResult", "run"):
        from baselines import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'baselines' has no attribute {name!r}")
