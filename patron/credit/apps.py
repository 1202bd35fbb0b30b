from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "patron.credit"
    label = "credit"
    verbose_name = "Customer credit accounts"

    def ready(self):
        from patron.credit import history  # noqa: F401  registers "has credit entries" as history
