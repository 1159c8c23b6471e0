from django.apps import AppConfig


class KernelsConfig(AppConfig):
    name = "podium.kernels"
    label = "kernels"
    verbose_name = "Kernels (baselines run on the server)"
