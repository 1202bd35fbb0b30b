from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "patron.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from patron.jobs import metrics
        from patron.ops import readiness
        from patron.ops.metrics import register_collector

        register_collector(metrics.collect)
        readiness.register("queue", metrics.queue_not_stalled)
