from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "podium.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from podium.core.private import sqlite_private

        # The SQLite database (the embedded default) is readable by Podium's user only.
        connection_created.connect(sqlite_private, dispatch_uid="podium.core.sqlite_private")
