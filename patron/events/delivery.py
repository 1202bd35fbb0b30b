"""Sending the outbox: each pending delivery POSTed to its subscription's URL, signed the Standard
Webhooks way, at least once, in order per customer, retried with backoff, logged.

One delivery job runs at a time (the queue's key), so a customer's events leave in the order they
were written: a delivery waits while an earlier one of the same customer for the same subscription
is still pending. An event is sent again only when no 2xx answer came back (a timeout, a failure, a
worker killed mid-request): receivers drop repeats by the ``webhook-id`` header, the event's id.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from patron.events.models import Delivery, DeliveryAttempt, DeliveryStatus, Subscription
from patron.jobs.actions import retry_delay

log = logging.getLogger("patron.webhooks")

BATCH = 100
RETRY_BASE_SECONDS = 5  # then 10 s, 20 s ... up to the queue's cap of an hour
USER_AGENT = "Patron-Webhooks/1"


def timeout_seconds() -> float:
    return float(getattr(settings, "PATRON_WEBHOOK_TIMEOUT_SECONDS", 10))


def pause_after() -> timedelta:
    """A subscription failing without a break this long is paused (and the admins told)."""
    return timedelta(hours=float(getattr(settings, "PATRON_WEBHOOK_PAUSE_AFTER_HOURS", 24)))


def deliver_due(*, now: datetime | None = None, on_pause=None) -> int:
    """Send every delivery that is due and not waiting for an earlier one; returns how many were
    delivered. ``on_pause(subscription)`` is told of each subscription paused on the way."""
    delivered = 0
    while True:
        batch = _due(now or timezone.now())
        if not batch:
            return delivered
        # A failure holds back the rest of its customer's events for that subscription in this
        # batch too (the next query leaves them out while it is pending).
        blocked: set[tuple[int, object]] = set()
        for delivery in batch:
            lane = (delivery.subscription_id, delivery.customer_uuid)
            if delivery.customer_uuid is not None and lane in blocked:
                continue
            if _send(delivery, on_pause=on_pause):
                delivered += 1
            elif delivery.customer_uuid is not None:
                blocked.add(lane)


def _due(now: datetime) -> list[Delivery]:
    earlier_pending = Delivery.objects.filter(
        subscription=OuterRef("subscription"), customer_uuid=OuterRef("customer_uuid"),
        status=DeliveryStatus.PENDING, event_id__lt=OuterRef("event_id"))
    return list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
                                        subscription__is_active=True, subscription__paused_at__isnull=True)
                .exclude(Exists(earlier_pending))
                .select_related("event", "subscription").order_by("event_id", "pk")[:BATCH])


def _send(delivery: Delivery, *, on_pause=None) -> bool:
    """One attempt: True when the endpoint took it (2xx)."""
    event, subscription = delivery.event, delivery.subscription
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
    message_id = f"msg_{event.uuid.hex}"
    sent_at = timezone.now()
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "webhook-id": message_id, "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(subscription.secret).sign(message_id, sent_at, body)})
    started = time.monotonic()
    status_code, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds()) as response:  # noqa: S310 - admins' URLs
            status_code = response.status
    except urllib.error.HTTPError as refusal:
        status_code, error = refusal.code, f"HTTP {refusal.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as failure:
        error = str(getattr(failure, "reason", failure))[:300] or type(failure).__name__
    took = int((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    _record(delivery, ok=ok, status_code=status_code, error=error, duration_ms=took, on_pause=on_pause)
    return ok


@transaction.atomic
def _record(delivery: Delivery, *, ok: bool, status_code, error: str, duration_ms: int, on_pause) -> None:
    now = timezone.now()
    DeliveryAttempt.objects.create(delivery=delivery, status_code=status_code, error=error, duration_ms=duration_ms)
    delivery.attempts += 1
    subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if ok:
        delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, now, ""
        if subscription.failing_since:
            subscription.failing_since = None
            subscription.save(update_fields=["failing_since", "updated_at"])
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts, base=RETRY_BASE_SECONDS)
        delivery.last_error = error or f"HTTP {status_code}"
        subscription.failing_since = subscription.failing_since or now
        if now - subscription.failing_since >= pause_after() and subscription.paused_at is None:
            subscription.paused_at = now
            subscription.paused_reason = f"Failing since {subscription.failing_since:%Y-%m-%d %H:%M} UTC: {error}"[:300]
            log.warning("webhook subscription paused", extra={"subscription": str(subscription.uuid)})
            if on_pause:
                transaction.on_commit(lambda: on_pause(subscription))
        subscription.save(update_fields=["failing_since", "paused_at", "paused_reason", "updated_at"])
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at", "last_error"])


