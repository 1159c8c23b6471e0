from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    """Actions that span apps (Zulip's ``zerver/actions/`` idea); no models of its own."""

    name = "podium.workflows"
    label = "workflows"
