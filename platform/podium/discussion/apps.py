from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "podium.discussion"
    label = "discussion"
