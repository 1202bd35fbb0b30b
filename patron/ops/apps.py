from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "patron.ops"
    label = "ops"
    verbose_name = "Operations"
