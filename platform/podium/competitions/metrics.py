"""The scoring metric of a competition: a registry name, or the organizer's Kaggle-style file.

An organizer's file is never loaded here, nor anywhere in a web or worker process: the Metric
of a custom competition is a descriptor (name, direction, kind ``custom``) whose function refuses
to run; the file runs only in the sandbox (``podium.competitions.metric_sandbox``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from django.core.files import File

import scoring
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.models import Competition
from podium.core.errors import DomainError

CUSTOM = "custom"
CUSTOM_NAME = "Custom metric"
CUSTOM_DESCRIPTION = "The organizers' own metric: the Evaluation page says how it is computed."


@dataclass(frozen=True)
class MetricLabel:
    """What participants read about a competition's metric (cards, pages, the API, the CLI)."""

    id: str  # the registry name, or "custom"
    name: str  # "ROC AUC"
    description: str  # one line
    direction: str  # "maximize" or "minimize"


def metric_label_of(
    *, metric: str, display_name: str = "", description: str = "", higher_is_better: bool = True
) -> MetricLabel:
    """The label of these settings: a built-in's from the registry, a custom metric's from the
    organizer's fields. A metric no longer registered (a removed plugin) shows its id."""
    if metric == CUSTOM:
        direction = "maximize" if higher_is_better else "minimize"
        return MetricLabel(
            metric, display_name or CUSTOM_NAME, description or CUSTOM_DESCRIPTION, direction
        )
    try:
        found = scoring.get_metric(metric)
    except scoring.UnknownMetricError:
        return MetricLabel(metric, metric, "", "maximize" if higher_is_better else "minimize")
    return MetricLabel(metric, found.label, found.description, found.direction)


def metric_label(competition: Competition) -> MetricLabel:
    """The one place a competition's metric name, description and direction come from."""
    return metric_label_of(
        metric=competition.metric,
        display_name=competition.metric_display_name,
        description=competition.metric_description,
        higher_is_better=competition.custom_metric_higher_is_better,
    )


def custom_metric(*, slug: str, higher_is_better: bool) -> scoring.Metric:
    return scoring.sandboxed_metric(
        name=f"custom:{slug}",
        greater_is_better=higher_is_better,
        description="The organizer's score() file, run in the sandbox",
    )


def competition_metric(competition: Competition) -> scoring.Metric:
    try:
        if competition.metric == CUSTOM:
            if not competition.custom_metric_file:
                raise DomainError(Code.METRIC_INVALID, "A custom metric needs its .py file.")
            return custom_metric(
                slug=competition.slug, higher_is_better=competition.custom_metric_higher_is_better
            )
        return scoring.get_metric(competition.metric)
    except scoring.UnknownMetricError as exc:
        raise DomainError(Code.METRIC_INVALID, exc.message) from exc


def metric_for_settings(
    *, metric: str, slug: str, custom_file: File | None = None, higher_is_better: bool = True
) -> scoring.Metric:
    """The metric that these settings would give, before anything is stored (the admin form).
    A custom file is not looked into: the dry run in the sandbox tries it."""
    if metric != CUSTOM:
        return competition_metric(Competition(metric=metric, slug=slug))
    if not custom_file:
        raise DomainError(Code.METRIC_INVALID, "A custom metric needs its .py file.")
    return custom_metric(slug=slug, higher_is_better=higher_is_better)


# Arguments the scorer passes itself; an organizer cannot set them.
_SUPPLIED_BY_SCORER = {"n_classes"}


def metric_params_check(metric: scoring.Metric, params: Any) -> None:
    """Raise DomainError unless ``params`` is a JSON object of arguments the metric takes.

    An organizer's file cannot be looked into without running it: any JSON object passes, and
    the dry run in the sandbox shows a parameter its ``score`` does not take."""
    if not isinstance(params, dict):
        raise DomainError(
            Code.METRIC_INVALID, 'Metric parameters must be a JSON object, e.g. {"k": 5}.'
        )
    if metric.kind == scoring.PredictionKind.CUSTOM:
        return
    parameters = list(inspect.signature(metric.func).parameters.values())
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    skip = 2  # y_true, y_pred
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
