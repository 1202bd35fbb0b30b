"""The transactional outbox: events written with the change they report, one delivery per
subscription that wants them. A rolled-back change leaves no event; nothing is sent from here."""

from __future__ import annotations

from django.utils import timezone

from patron.events.kinds import DATA_KEYS, EVENT_OF_ACTION
from patron.events.models import Delivery, Event, Subscription
from patron.jobs.actions import enqueue

DELIVER_DUTY = "webhooks.deliver"


def write_events(entries: list[dict]) -> None:
    """(An audit listener) the events of these audit entries, for the subscriptions that want them."""
    wanted = [(entry, EVENT_OF_ACTION[entry["action"]]) for entry in entries if entry["action"] in EVENT_OF_ACTION]
    if not wanted:
        return
    subscriptions = list(Subscription.objects.filter(is_active=True))
    if not subscriptions:
        return
    now = timezone.now()
    events, targets = [], []
    for entry, kind in wanted:
        receivers = [subscription for subscription in subscriptions if subscription.wants(kind)]
        if receivers:
            events.append(Event(kind=kind, customer_uuid=entry["customer_uuid"], payload=payload_of(kind, entry, now)))
            targets.append(receivers)
    if not events:
        return
    Event.objects.bulk_create(events)
    Delivery.objects.bulk_create([
        Delivery(subscription=subscription, event=event, customer_uuid=event.customer_uuid, next_attempt_at=now)
        for event, receivers in zip(events, targets, strict=True) for subscription in receivers])
    enqueue(DELIVER_DUTY, key=DELIVER_DUTY)  # in this transaction too: sent soon after it commits


def payload_of(kind: str, entry: dict, now) -> dict:
    """The event's body (Standard Webhooks' shape: type, timestamp, data). It names the record and
    what changed, never a person's values: the integrator reads those through the API."""
    data = {"object": entry["object_type"], "id": entry["object_id"],
            "customer_id": str(entry["customer_uuid"]) if entry["customer_uuid"] else None,
            "action": entry["action"]}
    changes = entry.get("changes") or {}
    if kind == "customer.status_changed" and "status" in changes:
        data["from"], data["to"] = changes["status"]
    elif kind in ("customer.created", "customer.updated"):
        data["changed"] = sorted(changes)
    source = entry.get("data") or {}
    data.update({key: source[key] for key in DATA_KEYS.get(kind, ()) if key in source})
    return {"type": kind, "timestamp": now.isoformat(), "data": data}
