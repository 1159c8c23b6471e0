"""The scoring metric of a competition: a registry name, or the organizer's Kaggle-style file."""

from __future__ import annotations

import inspect
import tempfile
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db.models.fields.files import FieldFile

import scoring
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.models import Competition
from podium.core.errors import DomainError


def competition_metric(competition: Competition) -> scoring.Metric:
    try:
        if competition.metric == "custom":
            if not competition.custom_metric_file:
                raise DomainError(Code.METRIC_INVALID, "A custom metric needs its .py file.")
            return scoring.load_metric_file(
                competition.custom_metric_file.path,
                name=f"custom:{competition.slug}",
                greater_is_better=competition.custom_metric_higher_is_better,
            )
        return scoring.get_metric(competition.metric)
    except (scoring.UnknownMetricError, scoring.MetricFileError) as exc:
        raise DomainError(Code.METRIC_INVALID, exc.message) from exc


def metric_for_settings(
    *, metric: str, slug: str, custom_file: File | None = None, higher_is_better: bool = True
) -> scoring.Metric:
    """The metric that these settings would give, before anything is stored (the admin form).

    A stored custom file is loaded where it is; a new upload, which has no path yet, from a
    temporary copy.
    """
    if metric != "custom":
        return competition_metric(Competition(metric=metric, slug=slug))
    if not custom_file:
        raise DomainError(Code.METRIC_INVALID, "A custom metric needs its .py file.")
    if isinstance(custom_file, FieldFile):
        return _load_metric_file(custom_file.path, slug, higher_is_better)
    with tempfile.TemporaryDirectory(prefix="podium-metric-") as tmp:
        path = Path(tmp) / (Path(custom_file.name).name or "metric.py")
        with path.open("wb") as out:
            for chunk in custom_file.chunks():
                out.write(chunk)
        custom_file.seek(0)  # it is stored after the check
        return _load_metric_file(path, slug, higher_is_better)


def _load_metric_file(path, slug: str, higher_is_better: bool) -> scoring.Metric:
    try:
        return scoring.load_metric_file(
            path, name=f"custom:{slug}", greater_is_better=higher_is_better
        )
    except scoring.MetricFileError as exc:
        raise DomainError(Code.METRIC_INVALID, exc.message) from exc


# Arguments the scorer passes itself; an organizer cannot set them.
_SUPPLIED_BY_SCORER = {"n_classes"}


def metric_params_check(metric: scoring.Metric, params: Any) -> None:
    """Raise DomainError unless ``params`` is a JSON object of arguments the metric takes."""
    if not isinstance(params, dict):
        raise DomainError(
            Code.METRIC_INVALID, 'Metric parameters must be a JSON object, e.g. {"k": 5}.'
        )
    parameters = list(inspect.signature(metric.func).parameters.values())
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    # y_true, y_pred (builtins) or solution, submission, row_id_column_name (Kaggle interface)
    skip = 3 if metric.kind == scoring.PredictionKind.CUSTOM else 2
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    accepted = {p.name for p in parameters[skip:] if p.kind in named} - _SUPPLIED_BY_SCORER
    unknown = sorted(set(params) - accepted)
    if unknown:
        takes = ", ".join(sorted(accepted)) or "no parameters"
        raise DomainError(
            Code.METRIC_INVALID,
            f"The metric {metric.name} does not take {', '.join(unknown)}; it takes {takes}.",
            details={"unknown": unknown, "accepted": sorted(accepted)},
        )
