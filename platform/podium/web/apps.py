from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "podium.web"
    label = "web"
