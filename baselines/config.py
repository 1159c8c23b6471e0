"""A run's configuration: one YAML file read into dataclasses; ``--set key=value`` overrides.

Training stages (``stages:``) each take their own epochs, optimizer, schedule and frozen modules;
a config without them is one stage made of the top-level keys. This module stays free of torch:
the server checks configs with it."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

CONFIGS_DIR = Path(__file__).resolve().parent / "configs"
SCHEDULES = ("onecycle", "constant")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


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
class SchedulerConfig:
    enabled: bool = True  # false: the same as name: constant
    name: str = "onecycle"  # onecycle | constant (the optimizer's lr throughout)
    max_lr: float | None = None  # OneCycle's peak; default: 10x the optimizer's lr
    pct_start: float = 0.3

    @property
    def kind(self) -> str:
        return self.name if self.enabled else "constant"


@dataclass
class StageConfig:
    """One training stage. Its optimizer and scheduler keys override the top-level ones."""

    name: str
    epochs: int
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    # Module name prefixes whose weights do not train in this stage, e.g. [features] for the
    # model's `features` block (and everything inside it).
    freeze: list[str] = field(default_factory=list)


@dataclass
class SwaConfig:
    best: int = 3  # average the weights of this many best checkpoints (at most keep_best)


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
    early_stopping_patience: int = 10  # epochs without improvement (ends the stage); 0: never
    keep_best: int = 3  # checkpoints kept
    threads: int | None = None  # torch's CPU threads; none: torch's default
    # Stages run in order by one command; none: one stage from the keys above.
    stages: list[StageConfig] | None = None
    swa: SwaConfig | None = None  # weight averaging of the best checkpoints
    # Users' own callbacks: [{path: my_callbacks.py, class: PrintLR, params: {...}}], the path
    # relative to the config's folder.
    callbacks: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Every key, as YAML would give it back to ``parse_config`` (with stages, no top-level
        epochs)."""
        values = dataclasses.asdict(self)
        if self.stages:
            del values["epochs"]
        return values

    def stage_list(self) -> list[StageConfig]:
        """The stages to run: the config's, or one ``main`` stage from the top-level keys."""
        if self.stages:
            return self.stages
        return [
            StageConfig(
                name="main",
                epochs=self.epochs,
                optimizer=copy.deepcopy(self.optimizer),
                scheduler=copy.deepcopy(self.scheduler),
            )
        ]

    @property
    def total_epochs(self) -> int:
        return sum(stage.epochs for stage in self.stage_list())

    def run_name(self) -> str:
        """The main hyperparameters, readable: name, model, (stages,) first lr, batch size,
        epochs (all stages), seed."""
        stages = self.stage_list()
        lr = f"{stages[0].optimizer.lr:g}"
        staged = f"-st{len(stages)}" if self.stages else ""
        raw = (
            f"{self.name}-{self.model.name}{staged}-lr{lr}-bs{self.batch_size}"
            f"-ep{self.total_epochs}-seed{self.seed}"
        )
        return re.sub(r"[^A-Za-z0-9._=-]+", "_", raw)

    def config_hash(self) -> str:
        """8 hex digits of the whole config: the same config, the same hash, on any machine."""
        text = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def log_name(self) -> str:
        """The log folder's name: the hyperparameters, then the hash that tells apart configs
        differing elsewhere (dropout, a stage's freeze...)."""
        return f"{self.run_name()}-{self.config_hash()}"


_SECTIONS = {
    "data": DataConfig,
    "model": ModelConfig,
    "optimizer": OptimizerConfig,
    "scheduler": SchedulerConfig,
    "swa": SwaConfig,
}
_STAGE_KEYS = {f.name for f in dataclasses.fields(StageConfig)}
_CALLBACK_KEYS = {"path", "class", "params"}


def _build(cls, values: dict[str, Any], where: str):
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {sorted(known)}")
    kwargs = {}
    for key, value in values.items():
        if key in _SECTIONS and cls is Config:
            if key == "swa" and value is None:
                kwargs[key] = None
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{key}: expected a mapping, got {value!r}")
            value = _build(_SECTIONS[key], value, key)
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _build_stages(raw: Any, top: dict[str, Any]) -> list[StageConfig] | None:
    """Each stage's optimizer and scheduler: the top-level section with the stage's keys over
    it."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise ConfigError("stages: a list of stages, each a mapping with its epochs")
    stages = []
    for i, values in enumerate(raw, start=1):
        where = f"stages[{i}]"
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: expected a mapping, got {values!r}")
        unknown = sorted(set(values) - _STAGE_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(unknown)}; known: {sorted(_STAGE_KEYS)}"
            )
        if "epochs" not in values:
            raise ConfigError(f"{where}: epochs is required")
        kwargs = {"name": f"stage{i}", **values}
        for key, cls in (("optimizer", OptimizerConfig), ("scheduler", SchedulerConfig)):
            own = values.get(key) or {}
            if not isinstance(own, dict):
                raise ConfigError(f"{where}.{key}: expected a mapping, got {own!r}")
            kwargs[key] = _build(cls, {**(top.get(key) or {}), **own}, f"{where}.{key}")
        freeze = values.get("freeze") or []
        if isinstance(freeze, str):
            freeze = [freeze]
        if not isinstance(freeze, list) or not all(isinstance(p, str) and p for p in freeze):
            raise ConfigError(f"{where}.freeze: a list of module name prefixes")
        kwargs["freeze"] = freeze
        try:
            stages.append(StageConfig(**kwargs))
        except TypeError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return stages


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
    """``a.b=value`` (value parsed as YAML) into the nested dict ``values``; a number indexes a
    list (``stages.0.epochs=2``)."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"Override {assignment!r}: expected key=value")
    *parents, leaf = key.strip().split(".")
    node: Any = values
    for part in parents:
        if isinstance(node, list):
            node = _list_item(node, part, assignment)
        else:
            node = node.setdefault(part, {})
        if not isinstance(node, (dict, list)):
            raise ConfigError(f"Override {assignment!r}: {part} is not a section")
    if isinstance(node, list):
        node[_list_index(node, leaf, assignment)] = yaml.safe_load(raw)
    else:
        node[leaf] = yaml.safe_load(raw)


def _list_index(node: list, part: str, assignment: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ConfigError(f"Override {assignment!r}: {part} is not an index below {len(node)}")
    return int(part)


def _list_item(node: list, part: str, assignment: str) -> Any:
    return node[_list_index(node, part, assignment)]


def parse_config(text: str, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    values = yaml.safe_load(text) or {}
    if not isinstance(values, dict):
        raise ConfigError("A config is a YAML mapping")
    for assignment in overrides:
        apply_override(values, assignment)
    raw_stages = values.pop("stages", None)
    if raw_stages is not None and "epochs" in values:
        raise ConfigError("epochs: with stages, each stage has its own epochs (remove this one)")
    config = _build(Config, values, "config")
    config.stages = _build_stages(raw_stages, values)
    validate(config)
    return config


def load_config(name_or_path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    return parse_config(resolve_config_path(name_or_path).read_text(), overrides)


def _validate_schedule(scheduler: SchedulerConfig, where: str) -> None:
    if scheduler.name not in SCHEDULES:
        raise ConfigError(f"{where}.name: one of {', '.join(SCHEDULES)}")
    if not 0 < scheduler.pct_start < 1:
        raise ConfigError(f"{where}.pct_start must be between 0 and 1 (exclusive)")


def _validate_callbacks(callbacks: Any) -> None:
    if not isinstance(callbacks, list):
        raise ConfigError("callbacks: a list of {path, class, params}")
    for i, spec in enumerate(callbacks, start=1):
        where = f"callbacks[{i}]"
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: expected a mapping with path and class")
        unknown = sorted(set(spec) - _CALLBACK_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(unknown)}; known: {sorted(_CALLBACK_KEYS)}"
            )
        path, name = spec.get("path"), spec.get("class")
        if not isinstance(path, str) or not path.endswith(".py"):
            raise ConfigError(f"{where}.path: a .py file next to the config")
        parts = PurePosixPath(path).parts
        if PurePosixPath(path).is_absolute() or ".." in parts or "\\" in path:
            raise ConfigError(f"{where}.path: a relative path inside the config's folder")
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(f"{where}.class: the callback's class name")
        if not isinstance(spec.get("params", {}), dict):
            raise ConfigError(f"{where}.params: a mapping of the class's keyword arguments")


def validate(config: Config) -> None:
    stages = config.stage_list()
    if config.batch_size < 1 or any(stage.epochs < 1 for stage in stages):
        raise ConfigError("epochs and batch_size must be at least 1")
    names = [stage.name for stage in stages]
    for name in names:
        if not isinstance(name, str) or not _SAFE_NAME.match(name):
            raise ConfigError(f"stages: name {name!r}: letters, digits, _ and - (at most 40)")
    if len(set(names)) != len(names):
        raise ConfigError("stages: each stage needs its own name")
    for stage in stages:
        where = "scheduler" if config.stages is None else f"stages[{stage.name}].scheduler"
        _validate_schedule(stage.scheduler, where)
    if not 0 < config.valid_fraction < 1:
        raise ConfigError("valid_fraction must be between 0 and 1 (exclusive)")
    if config.data.scaling not in ("standard", "max"):
        raise ConfigError("data.scaling: standard or max")
    if not (config.device in ("auto", "cpu", "cuda") or config.device.startswith("cuda:")):
        raise ConfigError("device: auto, cpu, cuda or cuda:N")
    if config.swa is not None and not 2 <= config.swa.best <= config.keep_best:
        raise ConfigError(
            f"swa.best: between 2 and keep_best ({config.keep_best}): the averaged checkpoints "
            "are the ones kept"
        )
    _validate_callbacks(config.callbacks)
    from scoring import UnknownMetricError, get_metric

    try:
        get_metric(config.metric)
    except UnknownMetricError as exc:
        raise ConfigError(f"metric: {exc}") from None
