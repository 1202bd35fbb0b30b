from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "patron.merging"
    label = "merging"
    verbose_name = "Customer merges"

    def ready(self):
        from patron.merging import history  # noqa: F401  registers merges as customer history
