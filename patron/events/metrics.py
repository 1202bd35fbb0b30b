"""The webhooks' failures for ``/metrics`` (registered in ``apps.py``), read from the database: the
deliveries run in the workers, so no server counts them in its own memory."""

from __future__ import annotations

from django.db.models import Count, Q
from prometheus_client.core import GaugeMetricFamily

from patron.events.models import Delivery, DeliveryStatus, Subscription


def collect():
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        all=Count("id"), failing=Count("id", filter=Q(attempts__gt=0)))
    yield GaugeMetricFamily("patron_webhook_deliveries_pending", "Webhook deliveries not yet delivered.",
                            value=pending["all"])
    yield GaugeMetricFamily("patron_webhook_deliveries_failing",
                            "Webhook deliveries not yet delivered whose attempts so far failed.",
                            value=pending["failing"])
    subscriptions = Subscription.objects.filter(is_active=True).aggregate(
        failing=Count("id", filter=Q(failing_since__isnull=False)),
        paused=Count("id", filter=Q(paused_at__isnull=False)))
    yield GaugeMetricFamily("patron_webhook_subscriptions_failing",
                            "Active subscriptions whose latest deliveries fail.", value=subscriptions["failing"])
    yield GaugeMetricFamily("patron_webhook_subscriptions_paused",
                            "Active subscriptions paused after a day of failures.", value=subscriptions["paused"])
