"""Callbacks users write themselves, named by the config and loaded from files next to it.

``callbacks: [{path: my_callbacks.py, class: PrintLR, params: {every: 10}}]``: the class is built
with ``params`` as keyword arguments, and the runner calls whichever hooks it defines:
``on_start(runner)``, ``on_stage_start(runner, stage)``, ``on_batch_end(runner, batch, loss)``,
``on_epoch_end(runner, epoch, values)``, ``on_end(runner)``. The file is the kernel's own code:
it runs in the kernel's sandbox like the rest of it, so nothing here tries to contain it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from baselines.config import Config, ConfigError

HOOKS = ("on_start", "on_stage_start", "on_batch_end", "on_epoch_end", "on_end")


def callback_files(config: Config, config_dir: str | Path) -> list[Path]:
    """The callback files the config names, each once, checked to exist."""
    found: list[Path] = []
    for i, spec in enumerate(config.callbacks, start=1):
        path = Path(config_dir) / spec["path"]
        if not path.is_file():
            raise ConfigError(f"callbacks[{i}].path: no file {spec['path']} next to the config")
        if path not in found:
            found.append(path)
    return found


def _module(path: Path):
    # One module per file, under a name no import of the kernel's can collide with.
    name = "baselines_user_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_user_callbacks(config: Config, config_dir: str | Path) -> list[object]:
    """The config's callbacks, built: a missing file, class or hook, or parameters the class
    does not take, is a ConfigError that says which."""
    callbacks = []
    for i, spec in enumerate(config.callbacks, start=1):
        where = f"callbacks[{i}]"
        module = _module(Path(config_dir) / spec["path"])
        cls = getattr(module, spec["class"], None)
        if not isinstance(cls, type):
            raise ConfigError(f"{where}.class: {spec['path']} defines no class {spec['class']}")
        try:
            callback = cls(**(spec.get("params") or {}))
        except TypeError as exc:
            raise ConfigError(f"{where}.params: {spec['class']}: {exc}") from None
        if not any(callable(getattr(callback, hook, None)) for hook in HOOKS):
            raise ConfigError(f"{where}: {spec['class']} has none of the hooks {', '.join(HOOKS)}")
        callbacks.append(callback)
    return callbacks
