from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "podium.ops"
    label = "ops"
