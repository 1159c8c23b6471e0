"""Where a run writes: the console, JSON lines and TensorBoard, in a folder named from the main
hyperparameters and a hash of the whole config (``Config.log_name``) that also holds the config,
the source code and the package versions, so that the run can be reproduced. The same config
gives the same folder: a rerun replaces what the last one wrote there."""

from __future__ import annotations

import json
import platform
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from baselines.config import Config

PACKAGE_DIR = Path(__file__).resolve().parent


RUN_OUTPUTS = ("metrics.jsonl", "swa.json", "checkpoints", "tensorboard", "code")


def prepare_log_dir(config: Config, out_dir: str | Path, extra_code: list[Path] = ()) -> Path:
    """``out_dir/logs/<log name>/`` with config.yaml, code/ (this package and ``extra_code``:
    the config file, users' callback files), packages.txt and environment.json."""
    folder = Path(out_dir) / "logs" / config.log_name()
    folder.mkdir(parents=True, exist_ok=True)
    for name in RUN_OUTPUTS:  # a previous run of the same config
        stale = folder / name
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(config.as_dict(), sort_keys=False))
    code = folder / "code"
    shutil.copytree(
        PACKAGE_DIR, code / "baselines", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    for path in extra_code:
        shutil.copy2(path, code / Path(path).name)
    packages = sorted(
        f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions() if d.metadata["Name"]
    )
    (folder / "packages.txt").write_text("\n".join(dict.fromkeys(packages)) + "\n")
    return folder


def write_environment(folder: Path, info: dict[str, Any]) -> None:
    import torch

    env = {
        "python": sys.version,
        "platform": platform.platform(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cuda_available": torch.cuda.is_available(),
        **info,
    }
    (folder / "environment.json").write_text(json.dumps(env, indent=2, default=str) + "\n")


class ConsoleLogger:
    def log(self, step: int, values: dict[str, float], stage: str | None = None) -> None:
        shown = "  ".join(f"{k}={v:.5g}" for k, v in values.items())
        where = f"  [{stage}]" if stage else ""
        print(f"epoch {step:3d}{where}  {shown}", flush=True)

    def close(self) -> None:
        pass


class JsonLinesLogger:
    def __init__(self, path: Path) -> None:
        self.file = path.open("a")

    def log(self, step: int, values: dict[str, float], stage: str | None = None) -> None:
        named = {"stage": stage} if stage else {}
        self.file.write(json.dumps({"epoch": step, **named, "time": time.time(), **values}) + "\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


class TensorBoardLogger:
    def __init__(self, folder: Path) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(folder))
        self.stages: list[str] = []

    def log(self, step: int, values: dict[str, float], stage: str | None = None) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, step)
        if stage:  # the stage's number, so that the curves show where each stage starts
            if stage not in self.stages:
                self.stages.append(stage)
            self.writer.add_scalar("stage", self.stages.index(stage) + 1, step)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


def loggers(folder: Path) -> list:
    found: list = [ConsoleLogger(), JsonLinesLogger(folder / "metrics.jsonl")]
    try:
        found.append(TensorBoardLogger(folder / "tensorboard"))
    except ImportError:  # the `tensorboard` package is missing: console and JSON lines still
        print("TensorBoard logging off: the tensorboard package is not installed", flush=True)
    return found
