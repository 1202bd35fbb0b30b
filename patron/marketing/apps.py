from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "patron.marketing"
    label = "marketing"
    verbose_name = "Newsletter consent and segments"

    def ready(self):
        from patron.marketing import history  # noqa: F401  registers "has consent records" as history
