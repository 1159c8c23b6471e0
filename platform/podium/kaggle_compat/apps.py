from django.apps import AppConfig


class KaggleCompatConfig(AppConfig):
    name = "podium.kaggle_compat"
    label = "kaggle_compat"
    verbose_name = "kaggle CLI compatibility"
