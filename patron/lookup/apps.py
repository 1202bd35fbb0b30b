from django.apps import AppConfig


class LookupConfig(AppConfig):
    name = "patron.lookup"
    label = "lookup"
    verbose_name = "Customer lookup"
