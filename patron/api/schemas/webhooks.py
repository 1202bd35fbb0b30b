"""Webhook subscriptions and their deliveries, as the API shows them (never the secret, but once)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.common import InputSchema, text
from patron.events.models import Delivery, Subscription


class SubscriptionIn(InputSchema):
    url: text(500)
    event_types: list[text(40)] = Field(default_factory=list, description="Types it receives; empty: every type")
    description: text(200) = ""


class SubscriptionChange(InputSchema):
    url: text(500) | None = None
    event_types: list[text(40)] | None = None
    description: text(200) | None = None
    paused: bool | None = Field(None, description="true holds deliveries back; false sends the waiting ones")


class SubscriptionOut(Schema):
    id: UUID
    url: str
    event_types: list[str]
    description: str
    paused: bool
    paused_reason: str
    failing_since: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        return cls(id=subscription.uuid, url=subscription.url, event_types=subscription.event_types,
                   description=subscription.description, paused=subscription.paused_at is not None,
                   paused_reason=subscription.paused_reason, failing_since=subscription.failing_since,
                   created_at=subscription.created_at)


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="The signing secret (Standard Webhooks, whsec_...); shown only in this answer")


class AttemptOut(Schema):
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    event_id: str = Field(description="The webhook-id header of its requests")
    type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str
    payload: dict
    log: list[AttemptOut]

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(id=delivery.pk, event_id=f"msg_{delivery.event.uuid.hex}", type=delivery.event.kind,
                   status=delivery.status, attempts=delivery.attempts,
                   next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
                   delivered_at=delivery.delivered_at, last_error=delivery.last_error, payload=delivery.event.payload,
                   log=[AttemptOut(at=attempt.attempted_at, status_code=attempt.status_code, error=attempt.error,
                                   duration_ms=attempt.duration_ms) for attempt in delivery.log.all()])
