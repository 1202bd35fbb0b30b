from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "patron.merging"
    label = "merging"
    verbose_name = "Customer merges"
