"""Built-in metrics and the registry. Importing this package registers every built-in."""

from scoring.metrics import (  # noqa: F401 - imported for their registrations
    classification,
    probabilistic,
    ranking,
    regression,
    segmentation,
)
from scoring.metrics.registry import (
    DEFAULT_MAX_ABS,
    ENTRY_POINT_GROUP,
    MAX_ABS_CEILING,
    Metric,
    MetricNameTaken,
    PredictionKind,
    get_metric,
    list_metrics,
    metric,
    register_metric,
)

__all__ = [
    "DEFAULT_MAX_ABS",
    "ENTRY_POINT_GROUP",
    "MAX_ABS_CEILING",
    "Metric",
    "MetricNameTaken",
    "PredictionKind",
    "get_metric",
    "list_metrics",
    "metric",
    "register_metric",
]
