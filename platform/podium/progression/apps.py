from django.apps import AppConfig


class ProgressionConfig(AppConfig):
    name = "podium.progression"
    label = "progression"
