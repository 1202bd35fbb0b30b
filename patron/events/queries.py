"""Reading subscriptions and their delivery log, for the back office, the API and the CLI."""

from __future__ import annotations

from django.db.models import Count, Q

from patron.core.errors import NotFound
from patron.events.models import Delivery, DeliveryStatus, Subscription


def subscriptions() -> list[Subscription]:
    """Active subscriptions with their counts of waiting and delivered deliveries."""
    return list(Subscription.objects.filter(is_active=True).annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED))))


def get_subscription(reference: str) -> Subscription:
    """By its id (uuid), or a unique start of it."""
    found = list(Subscription.objects.filter(is_active=True, uuid__startswith=reference.lower())[:2]) if len(
        reference) >= 4 else []
    if len(found) != 1:
        raise NotFound("No such webhook subscription.", code="webhook-not-found")
    return found[0]


def deliveries_of(subscription: Subscription, *, status: str = "", limit: int = 50) -> list[Delivery]:
    """The latest deliveries, newest first, each with its event and its attempts."""
    deliveries = subscription.deliveries.select_related("event").prefetch_related("log")
    if status:
        deliveries = deliveries.filter(status=status)
    return list(deliveries.order_by("-id")[:limit])


def get_delivery(subscription: Subscription, delivery_id: int) -> Delivery:
    delivery = subscription.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("No such delivery.", code="delivery-not-found")
    return delivery
