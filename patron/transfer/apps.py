from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "patron.transfer"
    label = "transfer"
    verbose_name = "Data in and out"

    def ready(self):
        from patron.ops.metrics import register_collector
        from patron.transfer.imports import metrics

        register_collector(metrics.collect)
