"""Writing the audit trail. Actions call ``record_event`` inside their own transaction."""

from __future__ import annotations

from patron.core.actors import Actor
from patron.core.context import current_request
from patron.core.db import insert_many, insert_values
from patron.core.jsonable import jsonable
from patron.core.models import AuditEvent

# Called with the values of each batch of entries written, in the writing transaction: the events
# app takes its events out from them (patron/events/outbox.py), so no change is reported that did
# not commit, and none that committed goes unreported.
AUDIT_LISTENERS: list = []


def record_event(*, actor: Actor, action: str, subject, customer=None, changes: dict | None = None,
                 data: dict | None = None) -> AuditEvent:
    """Append one audit entry. ``subject`` is the record acted on; ``customer`` the customer it
    belongs to (the subject itself for customer events), so the customer's trail shows it."""
    event = audit_event(actor=actor, action=action, subject=subject, customer=customer, changes=changes, data=data)
    event.save()
    _tell_listeners([_values_of(event)])
    return event


def record_events(events: list[AuditEvent] | list[dict]) -> None:
    """Append many entries at once (bulk paths): built with ``audit_event``, or as the plain values
    of ``audit_values`` (no model instance per entry: cheaper for thousands)."""
    if events and isinstance(events[0], dict):
        insert_values(AuditEvent, events)
        _tell_listeners(events)
    else:
        insert_many(events)
        _tell_listeners([_values_of(event) for event in events])


def _values_of(event: AuditEvent) -> dict:
    return {"action": event.action, "object_type": event.object_type, "object_id": event.object_id,
            "customer_uuid": event.customer_uuid, "changes": event.changes, "data": event.data}


def _tell_listeners(entries: list[dict]) -> None:
    for listener in AUDIT_LISTENERS:
        listener(entries)


def audit_event(*, actor: Actor, action: str, subject, customer=None, changes: dict | None = None,
                data: dict | None = None) -> AuditEvent:
    """An unsaved audit entry (see ``record_event`` for the arguments)."""
    return AuditEvent(**audit_values(actor=actor, action=action, subject=subject, customer=customer, changes=changes,
                                     data=data))


def audit_values(*, actor: Actor, action: str, subject, customer=None, changes: dict | None = None,
                 data: dict | None = None) -> dict:
    """The field values of an audit entry (see ``record_event`` for the arguments)."""
    request = current_request()
    customer = customer if customer is not None else (subject if _is_customer(subject) else None)
    return dict(
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        actor_user_id=actor.user_id,
        actor_token_id=actor.token_id,
        action=action,
        object_type=subject._meta.model_name,
        object_id=str(getattr(subject, "uuid", None) or subject.pk),
        object_label=str(subject)[:250],
        customer_uuid=getattr(customer, "uuid", None),
        changes=jsonable(changes or {}),
        data=jsonable(data or {}),
        request_id=request.request_id,
        ip_address=request.ip_address,
    )


def _is_customer(subject) -> bool:
    return subject._meta.label == "customers.Customer"
