"""Webhook subscriptions: admins add, change, pause, resume and remove them; a delivery can be
sent again by hand. Every change is checked and audited; the back office, API and CLI call these."""

from __future__ import annotations

import base64
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import RuleViolation, StaleVersion
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.core.validation import FieldErrors
from patron.events.kinds import EVENT_TYPES
from patron.events.models import Delivery, DeliveryStatus, Subscription
from patron.events.outbox import DELIVER_DUTY
from patron.jobs.actions import enqueue

MANAGE = "webhooks.manage"
_URL = URLValidator(schemes=["http", "https"])


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _cleaned(url: str, event_types: list[str] | None, description: str) -> tuple[str, list[str], str]:
    errors = FieldErrors()
    url = (url or "").strip()
    try:
        _URL(url)
    except ValidationError:
        errors.add("url", _("Enter the full address of the endpoint, starting with https:// or http://."))
    types = sorted(set(event_types or []))
    unknown = [kind for kind in types if kind not in EVENT_TYPES]
    if unknown:
        errors.add("event_types", _("Unknown event types: %(types)s. Known: %(known)s.") % {
            "types": ", ".join(unknown), "known": ", ".join(EVENT_TYPES)})
    description = errors.clean("description", clean_text, description or "", max_length=200) or ""
    errors.raise_if_any()
    return url, types, description


@transaction.atomic
def create_subscription(*, actor: Actor, url: str, event_types: list[str] | None = None,
                        description: str = "") -> tuple[Subscription, str]:
    """A new subscription and its signing secret (shown once)."""
    require(actor, MANAGE)
    url, types, description = _cleaned(url, event_types, description)
    secret = new_secret()
    subscription = Subscription.objects.create(url=url, event_types=types, description=description, secret=secret)
    record_event(actor=actor, action="webhook.created", subject=subscription,
                 data={"url": url, "event_types": types})
    return subscription, secret


@transaction.atomic
def update_subscription(*, actor: Actor, subscription: Subscription, url: str | None = None,
                        event_types: list[str] | None = None, description: str | None = None,
                        expected_version: int | None = None) -> Subscription:
    require(actor, MANAGE)
    subscription = _locked(subscription, expected_version)
    url, types, description = _cleaned(subscription.url if url is None else url,
                                       subscription.event_types if event_types is None else event_types,
                                       subscription.description if description is None else description)
    before = {"url": subscription.url, "event_types": subscription.event_types, "description": subscription.description}
    subscription.url, subscription.event_types, subscription.description = url, types, description
    subscription.version += 1
    subscription.save()
    after = {"url": url, "event_types": types, "description": description}
    record_event(actor=actor, action="webhook.updated", subject=subscription,
                 changes={key: [before[key], after[key]] for key in after if before[key] != after[key]})
    return subscription


@transaction.atomic
def rotate_subscription_secret(*, actor: Actor, subscription: Subscription) -> tuple[Subscription, str]:
    require(actor, MANAGE)
    subscription = _locked(subscription)
    subscription.secret = new_secret()
    subscription.version += 1
    subscription.save(update_fields=["secret", "version", "updated_at"])
    record_event(actor=actor, action="webhook.secret_rotated", subject=subscription)
    return subscription, subscription.secret


@transaction.atomic
def pause_subscription(*, actor: Actor, subscription: Subscription, reason: str = "") -> Subscription:
    """Deliveries wait (they are kept, and sent in order after ``resume_subscription``)."""
    require(actor, MANAGE)
    subscription = _locked(subscription)
    subscription.paused_at = subscription.paused_at or timezone.now()
    subscription.paused_reason = (clean_text(reason or "", max_length=300) or _("Paused by %(actor)s") % {
        "actor": actor.label})[:300]
    subscription.version += 1
    subscription.save(update_fields=["paused_at", "paused_reason", "version", "updated_at"])
    record_event(actor=actor, action="webhook.paused", subject=subscription,
                 data={"reason": subscription.paused_reason})
    return subscription


@transaction.atomic
def resume_subscription(*, actor: Actor, subscription: Subscription) -> Subscription:
    """Sending goes on from the oldest waiting delivery, at once."""
    require(actor, MANAGE)
    subscription = _locked(subscription)
    subscription.paused_at, subscription.paused_reason, subscription.failing_since = None, "", None
    subscription.version += 1
    subscription.save(update_fields=["paused_at", "paused_reason", "failing_since", "version", "updated_at"])
    subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=timezone.now())
    record_event(actor=actor, action="webhook.resumed", subject=subscription)
    enqueue(DELIVER_DUTY, key=DELIVER_DUTY)
    return subscription


@transaction.atomic
def remove_subscription(*, actor: Actor, subscription: Subscription,
                        expected_version: int | None = None) -> Subscription:
    """Nothing more is sent to it; its delivery log stays for the record."""
    require(actor, MANAGE)
    subscription = _locked(subscription, expected_version)
    subscription.is_active = False
    subscription.version += 1
    subscription.save(update_fields=["is_active", "version", "updated_at"])
    record_event(actor=actor, action="webhook.removed", subject=subscription)
    return subscription


@transaction.atomic
def redeliver(*, actor: Actor, delivery: Delivery) -> Delivery:
    """Send a delivery again (a receiver lost it): same event, same ``webhook-id``."""
    require(actor, MANAGE)
    delivery = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    if not delivery.subscription.is_active:
        raise RuleViolation(_("This subscription was removed."), code="webhook-removed")
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    record_event(actor=actor, action="webhook.redelivered", subject=delivery.subscription,
                 data={"event": str(delivery.event.uuid)})
    enqueue(DELIVER_DUTY, key=DELIVER_DUTY)
    return delivery


def _locked(subscription: Subscription, expected_version: int | None = None) -> Subscription:
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(_("The subscription was changed by someone else; reload it."))
    return locked
