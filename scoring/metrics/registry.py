"""The metric registry, in the style of scikit-learn's ``sklearn/metrics/_scorer.py``.

A metric is registered once under a unique name with its direction (``greater_is_better``) and the
kind of prediction it needs; the scorer uses the kind to parse and validate the submission's
columns before the metric ever sees them, so metric functions receive clean numpy arrays:

=====================  ==========================================  ===========================
kind                   y_true                                      y_pred
=====================  ==========================================  ===========================
label                  int64 class codes in [0, n_classes)         int64 class codes
binary_score           int8 0/1                                    float64, finite
probability            int8 0/1                                    float64 in [0, 1]
class_probabilities    int64 class codes in [0, n_classes)         float64 (n, n_classes) in [0, 1]
continuous             float64, finite                             float64, finite
ranked_list            list[list[str]] (relevant items)            list[list[str]] (ranked)
rle_mask               list[np.ndarray (k, 2) int64 start/length]  same
=====================  ==========================================  ===========================

Label metrics also receive ``n_classes``; a ``pos_label`` parameter is given to them already
translated into its class code.

Bounds, checked by the reader on every row before the public/private split is looked at (so a
value the metric could not take is refused the same way wherever its row is): probabilities lie
in [0, 1]; ``binary_score`` and ``continuous`` predictions in [-max_abs, max_abs]
(``DEFAULT_MAX_ABS`` unless the organizer widens it with ``Metric.with_max_abs``, never past
``MAX_ABS_CEILING``); ``value_range`` narrows either further (inclusive bounds), e.g. RMSLE needs
non-negative predictions. ``Metric.prediction_range`` is the range that results. Within these
bounds (and with solution targets within ``MAX_ABS_CEILING``, checked when a solution is
prepared) no built-in metric can overflow or return NaN, so a built-in metric fails on neither
board for a file the reader accepted.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import metadata
from types import MappingProxyType

from scoring.errors import UnknownMetricError

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "podium.metrics"

# Predictions of unbounded kinds must satisfy |x| <= max_abs: by default 1e12, which no real
# model's output reaches and whose squares summed over any number of rows stay finite.
DEFAULT_MAX_ABS = 1e12
# The widest bound an organizer may set. With |prediction| and |target| both within 1e100, a
# squared error is at most 4e200, so sums over up to 1e100 rows cannot overflow float64.
MAX_ABS_CEILING = 1e100


class PredictionKind(StrEnum):
    LABEL = "label"
    BINARY_SCORE = "binary_score"
    PROBABILITY = "probability"
    CLASS_PROBABILITIES = "class_probabilities"
    CONTINUOUS = "continuous"
    RANKED_LIST = "ranked_list"
    RLE_MASK = "rle_mask"
    CUSTOM = "custom"  # organizer metrics in Kaggle's interface: they validate for themselves


@dataclass(frozen=True)
class Metric:
    name: str
    func: Callable[..., float]
    greater_is_better: bool
    kind: PredictionKind
    description: str = ""
    # What participants read ("ROC AUC", not roc_auc); a plugin without one shows its name.
    display_name: str = ""
    default_params: Mapping[str, object] = field(default_factory=dict)
    value_range: tuple[float, float] | None = None
    # Undefined unless every class appears on each board (ROC AUC, average precision, ...).
    needs_every_class: bool = False
    # binary_score and continuous predictions must lie within [-max_abs, max_abs].
    max_abs: float = DEFAULT_MAX_ABS

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PredictionKind(self.kind))
        object.__setattr__(self, "default_params", MappingProxyType(dict(self.default_params)))
        check_max_abs(self.max_abs)
        object.__setattr__(self, "max_abs", float(self.max_abs))

    def with_max_abs(self, max_abs: float) -> Metric:
        """This metric with predictions bounded by ``max_abs`` (an organizer's setting)."""
        return replace(self, max_abs=max_abs)

    @property
    def prediction_range(self) -> tuple[float, float] | None:
        """The inclusive range every numeric prediction must lie in; None for kinds that are
        not numbers (labels, ranked lists, masks) or that validate for themselves (custom)."""
        if self.kind in (PredictionKind.PROBABILITY, PredictionKind.CLASS_PROBABILITIES):
            low, high = 0.0, 1.0
        elif self.kind in (PredictionKind.BINARY_SCORE, PredictionKind.CONTINUOUS):
            low, high = -self.max_abs, self.max_abs
        else:
            return None
        if self.value_range is not None:
            low, high = max(low, self.value_range[0]), min(high, self.value_range[1])
        return low, high

    @property
    def label(self) -> str:
        """The name participants see: ``display_name``, else the registry name."""
        return self.display_name or self.name

    @property
    def direction(self) -> str:
        return "maximize" if self.greater_is_better else "minimize"

    def __call__(self, y_true, y_pred, **params) -> float:
        return float(self.func(y_true, y_pred, **{**self.default_params, **params}))

    def is_better(self, a: float, b: float) -> bool:
        """True when score ``a`` is strictly better than score ``b``."""
        return a > b if self.greater_is_better else a < b


def check_max_abs(max_abs: float) -> None:
    """Raise ValueError unless ``max_abs`` is a bound an organizer may set."""
    if isinstance(max_abs, bool) or not isinstance(max_abs, (int, float)):
        raise ValueError(f"A prediction bound must be a number, not {max_abs!r}")
    if not 0 < max_abs <= MAX_ABS_CEILING:
        raise ValueError(
            f"A prediction bound must be above 0 and at most {MAX_ABS_CEILING:g}, not {max_abs:g}"
        )


_REGISTRY: dict[str, Metric] = {}
_entry_points_loaded = False


class MetricNameTaken(ValueError):
    """A metric is registered under a name another already has (a built-in, or a plugin's)."""

    def __init__(self, new: Metric, existing: Metric) -> None:
        self.name, self.existing = new.name, existing
        super().__init__(
            f"A metric named {new.name!r} is already registered ({_origin(existing)}); "
            f"{_origin(new)} was not registered. Choose another name, or pass replace=True to "
            "register_metric to replace it on purpose."
        )


def _origin(metric: Metric) -> str:
    func = metric.func
    where = f"{getattr(func, '__module__', None) or '?'}.{getattr(func, '__qualname__', '?')}"
    return where if where != "?.?" else repr(func)


def register_metric(metric: Metric, *, replace: bool = False) -> Metric:
    """Register ``metric`` under its name. A name already taken raises ``MetricNameTaken``
    unless ``replace=True`` says the replacement is meant: a plugin never silently shadows a
    built-in, nor another plugin."""
    existing = _REGISTRY.get(metric.name)
    if existing is not None and not replace:
        raise MetricNameTaken(metric, existing)
    _REGISTRY[metric.name] = metric
    return metric


def metric(
    name: str,
    *,
    greater_is_better: bool,
    kind: PredictionKind | str,
    description: str = "",
    display_name: str = "",
    default_params: Mapping[str, object] | None = None,
    value_range: tuple[float, float] | None = None,
    needs_every_class: bool = False,
    replace: bool = False,
) -> Callable[[Callable[..., float]], Callable[..., float]]:
    """Decorator: register ``func`` as a metric and return it unchanged (``replace`` as in
    ``register_metric``)."""

    def decorate(func: Callable[..., float]) -> Callable[..., float]:
        register_metric(
            Metric(
                name=name,
                func=func,
                greater_is_better=greater_is_better,
                kind=PredictionKind(kind),
                description=description or _first_line(func.__doc__),
                display_name=display_name,
                default_params=default_params or {},
                value_range=value_range,
                needs_every_class=needs_every_class,
            ),
            replace=replace,
        )
        return func

    return decorate


def _first_line(doc: str | None) -> str:
    lines = (doc or "").strip().splitlines()
    return lines[0].strip() if lines else ""


def _load_entry_points() -> None:
    """Third-party metrics: an entry point in ``podium.metrics`` names a Metric, an iterable of
    Metrics, or a callable returning either. A broken plugin is logged, never fatal.

    A plugin's metric whose name is taken (a built-in's, or an earlier plugin's) is not
    registered: ``MetricNameTaken`` is logged with both origins and the metric already there
    stays. A plugin that means to replace one calls ``register_metric(m, replace=True)`` itself
    (in a callable entry point, which may then return no metrics)."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            if callable(obj) and not isinstance(obj, Metric):
                obj = obj()
            items: Iterable[Metric] = [obj] if isinstance(obj, Metric) else list(obj)
        except Exception:
            logger.exception("Could not load metric plugin %s", ep.name)
            continue
        for m in items:
            try:
                register_metric(m)
            except MetricNameTaken as exc:
                logger.error("Metric plugin %s: %s", ep.name, exc)
            except Exception:
                logger.exception("Could not load metric plugin %s", ep.name)


def get_metric(name: str) -> Metric:
    _load_entry_points()
    try:
        return _REGISTRY[name]
    except KeyError:
        names = sorted(_REGISTRY)
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownMetricError(
            f"Unknown metric {name!r}.{hint} Valid metrics: {', '.join(names)}.",
            valid=names,
        ) from None


def list_metrics() -> list[Metric]:
    _load_entry_points()
    return [_REGISTRY[n] for n in sorted(_REGISTRY)]
