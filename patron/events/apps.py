from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "patron.events"
    label = "events"
    verbose_name = "Events and webhooks"

    def ready(self):
        from patron.core.audit import AUDIT_LISTENERS
        from patron.events.outbox import write_events

        AUDIT_LISTENERS.append(write_events)  # every audited change may be an event out

        from patron.events import metrics
        from patron.ops.metrics import register_collector

        register_collector(metrics.collect)
