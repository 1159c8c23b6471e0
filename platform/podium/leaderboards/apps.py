from django.apps import AppConfig


class LeaderboardsConfig(AppConfig):
    name = "podium.leaderboards"
    label = "leaderboards"

    def ready(self) -> None:
        from podium.leaderboards import signals

        signals.connect()
