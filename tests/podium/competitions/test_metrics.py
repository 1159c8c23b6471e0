"""A competition's metric as participants read it: one label for cards, pages and the API."""

from __future__ import annotations

from podium.competitions.metrics import (
    CUSTOM_DESCRIPTION,
    CUSTOM_NAME,
    metric_label,
    metric_label_of,
)
from podium.competitions.models import Competition


def test_a_built_in_reads_from_the_registry():
    label = metric_label(Competition(metric="roc_auc"))
    assert (label.id, label.name, label.direction) == ("roc_auc", "ROC AUC", "maximize")
    assert label.description.startswith("Area under the ROC curve")
    assert metric_label_of(metric="rmse").direction == "minimize"


def test_a_custom_metric_reads_the_organizers_fields_or_says_it_is_custom():
    named = Competition(
        metric="custom",
        metric_display_name="Pinball loss",
        metric_description="Quantile loss",
        custom_metric_higher_is_better=False,
    )
    assert metric_label(named) == metric_label_of(
        metric="custom", display_name="Pinball loss", description="Quantile loss",
        higher_is_better=False,
    )  # fmt: skip
    assert metric_label(named).direction == "minimize"
    unnamed = metric_label(Competition(metric="custom"))
    assert (unnamed.name, unnamed.description) == (CUSTOM_NAME, CUSTOM_DESCRIPTION)


def test_a_metric_no_longer_registered_shows_its_id():
    label = metric_label_of(metric="gone_plugin")
    assert (label.name, label.description) == ("gone_plugin", "")
