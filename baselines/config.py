"""A run's configuration: one YAML file read into dataclasses; ``--set key=value`` overrides."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIGS_DIR = Path(__file__).resolve().parent / "configs"


class ConfigError(ValueError):
    """A config that cannot be run: the message says which key and why."""


@dataclass
class DataConfig:
    train: str = "train.csv"
    test: str = "test.csv"
    sample_submission: str = "sample_submission.csv"
    id_column: str = "id"
    # The training column to learn; default: the sample submission's one prediction column.
    target: str | None = None
    # standard: zero mean, unit variance per feature (tabular); max: divide by the train maximum
    # (images).
    scaling: str = "standard"
    # Features reshaped to this shape for a CNN, e.g. [1, 8, 8]; none: a flat vector.
    image_shape: list[int] | None = None


@dataclass
class ModelConfig:
    name: str = "mlp"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class OptimizerConfig:  # AdamW
    lr: float = 1e-3
    weight_decay: float = 1e-2


@dataclass
class SchedulerConfig:  # OneCycle
    enabled: bool = True
    max_lr: float | None = None  # default: 10x the optimizer's lr
    pct_start: float = 0.3


@dataclass
class Config:
    name: str
    metric: str  # a metric of scoring's registry: the competition's
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    epochs: int = 20
    batch_size: int = 64
    seed: int = 42
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    amp: bool = True  # mixed precision, on CUDA only
    valid_fraction: float = 0.2
    early_stopping_patience: int = 10  # epochs without improvement; 0: never stop early
    keep_best: int = 3  # checkpoints kept
    threads: int | None = None  # torch's CPU threads; none: torch's default

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def run_name(self) -> str:
        """The log folder's name, from the main hyperparameters."""
        lr = f"{self.optimizer.lr:g}"
        raw = (
            f"{self.name}-{self.model.name}-lr{lr}-bs{self.batch_size}-ep{self.epochs}"
            f"-seed{self.seed}"
        )
        return re.sub(r"[^A-Za-z0-9._=-]+", "_", raw)


_SECTIONS = {
    "data": DataConfig,
    "model": ModelConfig,
    "optimizer": OptimizerConfig,
    "scheduler": SchedulerConfig,
}


def _build(cls, values: dict[str, Any], where: str):
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {sorted(known)}")
    kwargs = {}
    for key, value in values.items():
        if key in _SECTIONS and cls is Config:
            if not isinstance(value, dict):
                raise ConfigError(f"{key}: expected a mapping, got {value!r}")
            value = _build(_SECTIONS[key], value, key)
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def resolve_config_path(name_or_path: str | Path) -> Path:
    """A config file: a path, or the name of a bundled one (``breast_cancer_mlp``)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    bundled = CONFIGS_DIR / f"{Path(str(name_or_path)).stem}.yaml"
    if bundled.exists():
        return bundled
    raise ConfigError(f"No config {name_or_path!r}: not a file, nor one of {bundled_configs()}")


def bundled_configs() -> list[str]:
    return sorted(p.stem for p in CONFIGS_DIR.glob("*.yaml"))


def apply_override(values: dict[str, Any], assignment: str) -> None:
    """``a.b=value`` (value parsed as YAML) into the nested dict ``values``."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"Override {assignment!r}: expected key=value")
    *parents, leaf = key.strip().split(".")
    node = values
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"Override {assignment!r}: {part} is not a section")
    node[leaf] = yaml.safe_load(raw)


def parse_config(text: str, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    values = yaml.safe_load(text) or {}
    if not isinstance(values, dict):
        raise ConfigError("A config is a YAML mapping")
    for assignment in overrides:
        apply_override(values, assignment)
    config = _build(Config, values, "config")
    validate(config)
    return config


def load_config(name_or_path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    return parse_config(resolve_config_path(name_or_path).read_text(), overrides)


def validate(config: Config) -> None:
    if config.epochs < 1 or config.batch_size < 1:
        raise ConfigError("epochs and batch_size must be at least 1")
    if not 0 < config.valid_fraction < 1:
        raise ConfigError("valid_fraction must be between 0 and 1 (exclusive)")
    if config.data.scaling not in ("standard", "max"):
        raise ConfigError("data.scaling: standard or max")
    if not (config.device in ("auto", "cpu", "cuda") or config.device.startswith("cuda:")):
        raise ConfigError("device: auto, cpu, cuda or cuda:N")
    from scoring import UnknownMetricError, get_metric

    try:
        get_metric(config.metric)
    except UnknownMetricError as exc:
        raise ConfigError(f"metric: {exc}") from None
