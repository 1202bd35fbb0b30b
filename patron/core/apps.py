from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "patron.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from patron.core import db  # noqa: F401  registers the SQLite functions on each connection
