from django.apps import AppConfig


class DevserverConfig(AppConfig):
    name = "podium.devserver"
    label = "devserver"
