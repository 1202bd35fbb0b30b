"""Webhook subscriptions (admins): Patron's events POSTed to an integrator's URL, signed the
Standard Webhooks way; the delivery log and sending a delivery again."""

from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.etag import IfMatch, expected_version
from patron.api.idempotency import idempotent
from patron.api.responses import no_content, respond
from patron.api.schemas.webhooks import (
    DeliveryOut,
    SubscriptionChange,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)
from patron.core.errors import NotFound
from patron.events import actions, queries
from patron.events.models import Subscription

router = Router(tags=["webhooks"])
ONE = "/webhooks/{uuid:subscription_id}"
MANAGE = "webhooks.manage"


def _subscription(subscription_id: UUID) -> Subscription:
    subscription = Subscription.objects.filter(uuid=subscription_id, is_active=True).first()
    if subscription is None:
        raise NotFound("No such webhook subscription.", code="webhook-not-found")
    return subscription


@router.get("/webhooks", response={200: list[SubscriptionOut]})
@requires(MANAGE)
def list_webhooks(request: HttpRequest):
    return [SubscriptionOut.of(subscription) for subscription in queries.subscriptions()]


@router.post("/webhooks", response={201: SubscriptionCreated})
@checked_by_action(MANAGE)
@idempotent()
def create_webhook(request: HttpRequest, payload: SubscriptionIn):
    """The answer holds the signing secret, once: keep it to verify the deliveries."""
    subscription, secret = actions.create_subscription(actor=actor_of(request), url=payload.url,
                                                       event_types=payload.event_types,
                                                       description=payload.description)
    body = SubscriptionCreated(**SubscriptionOut.of(subscription).model_dump(), secret=secret)
    return respond(body, status=201, version=subscription.version,
                   location=reverse("api-v1:get_webhook", kwargs={"subscription_id": subscription.uuid}))


@router.get(ONE, response={200: SubscriptionOut})
@requires(MANAGE)
def get_webhook(request: HttpRequest, subscription_id: UUID):
    subscription = _subscription(subscription_id)
    return respond(SubscriptionOut.of(subscription), version=subscription.version)


@router.patch(ONE, response={200: SubscriptionOut})
@checked_by_action(MANAGE)
def update_webhook(request: HttpRequest, subscription_id: UUID, payload: SubscriptionChange,
                   if_match: IfMatch = None):
    actor, subscription = actor_of(request), _subscription(subscription_id)
    subscription = actions.update_subscription(actor=actor, subscription=subscription, url=payload.url,
                                               event_types=payload.event_types, description=payload.description,
                                               expected_version=expected_version(if_match))
    if payload.paused is True:
        subscription = actions.pause_subscription(actor=actor, subscription=subscription)
    elif payload.paused is False and subscription.paused_at:
        subscription = actions.resume_subscription(actor=actor, subscription=subscription)
    return respond(SubscriptionOut.of(subscription), version=subscription.version)


@router.delete(ONE, response={204: None})
@checked_by_action(MANAGE)
def delete_webhook(request: HttpRequest, subscription_id: UUID, if_match: IfMatch = None):
    actions.remove_subscription(actor=actor_of(request), subscription=_subscription(subscription_id),
                                expected_version=expected_version(if_match))
    return no_content()


@router.get(ONE + "/deliveries", response={200: list[DeliveryOut]})
@requires(MANAGE)
def list_deliveries(request: HttpRequest, subscription_id: UUID, status: str = "", limit: int = 50):
    """The delivery log, newest first, each with its attempts."""
    deliveries = queries.deliveries_of(_subscription(subscription_id), status=status, limit=max(1, min(limit, 200)))
    return [DeliveryOut.of(delivery) for delivery in deliveries]


@router.post(ONE + "/deliveries/{int:delivery_id}/redeliver", response={202: DeliveryOut})
@checked_by_action(MANAGE)
@idempotent()
def redeliver(request: HttpRequest, subscription_id: UUID, delivery_id: int):
    """Send it again (same event, same webhook-id), soon."""
    subscription = _subscription(subscription_id)
    delivery = actions.redeliver(actor=actor_of(request), delivery=queries.get_delivery(subscription, delivery_id))
    return respond(DeliveryOut.of(delivery), status=202)
