from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "podium.submissions"
    label = "submissions"
