"""Deliveries from webshops: ``POST /channels/{code}/customers`` creates or updates a customer.

There is no bearer token here: the HMAC signature of the body, made with the channel's secret,
is the authentication (patron.channels.signing). An unknown or inactive channel and a bad
signature get the same 401, so a caller learns nothing about which channels exist. Deliveries
are idempotent by the channel's reference (patron.channels.actions.receive_customer); the
Idempotency-Key header (or Shopify's X-Shopify-Webhook-Id) names a delivery, scoped to the channel.
"""

from __future__ import annotations

import re

import pydantic
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router
from ninja.errors import ValidationError as NinjaValidationError

from patron.api.auth import checked_by_action
from patron.api.errors import ApiProblem
from patron.api.openapi import also_answers
from patron.api.parser import JsonParser
from patron.api.responses import respond
from patron.api.schemas.channels import ChannelCustomerIn, DeliveryOut, ShopifyCustomerIn
from patron.channels import signing
from patron.channels.actions import delivery_key, receive_customer
from patron.channels.models import Channel, DeliveryOutcome
from patron.channels.queries import active_channel

router = Router(tags=["channels"])

IDEMPOTENCY_KEY = "Idempotency-Key"
SHOPIFY_WEBHOOK_ID = "X-Shopify-Webhook-Id"
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
# Checked against when the channel does not exist, so both cases take the same time.
_NO_SECRET = "pcs_no-channel-has-this-secret-0000000000000"


class ChannelSignature:
    """ninja authentication: the channel named in the path, if the delivery is signed by it."""

    def __call__(self, request: HttpRequest) -> Channel:
        code = (request.resolver_match.kwargs or {}).get("code", "") if request.resolver_match else ""
        channel = active_channel(code)
        now = timezone.now()
        valid = channel.secrets_valid_at(now) if channel else [_NO_SECRET]
        try:
            request.signature_scheme = signing.verify(secrets=valid, headers=request.headers, body=request.body,
                                                      now=now)
        except signing.BadSignature as error:
            raise _unsigned(str(error)) from None
        if channel is None:
            raise _unsigned("The delivery is not signed by an active channel with this code.")
        return channel


def _unsigned(detail: str) -> ApiProblem:
    return ApiProblem("unauthenticated", detail, headers={"WWW-Authenticate": 'HMAC-SHA256 realm="patron-channels"'})


_HEADERS = [
    {"in": "header", "name": signing.PATRON_TIMESTAMP, "required": False, "schema": {"type": "string"},
     "description": "Unix time of sending, in seconds; signed with the body (replays older than 5 minutes fail)"},
    {"in": "header", "name": signing.PATRON_SIGNATURE, "required": False, "schema": {"type": "string"},
     "description": "sha256=<hex HMAC-SHA256 of '<timestamp>.<raw body>' with the channel's secret>"},
    {"in": "header", "name": signing.SHOPIFY_SIGNATURE, "required": False, "schema": {"type": "string"},
     "description": "Instead of the two above: Shopify's base64 HMAC-SHA256 of the raw body"},
    {"in": "header", "name": IDEMPOTENCY_KEY, "required": False,
     "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
     "description": "The delivery's id (Shopify: X-Shopify-Webhook-Id); the same id again is answered, not "
                    "applied again"},
]


def _body_schema() -> dict:
    """The body's JSON schema with its nested definitions written in place (the operation's
    requestBody cannot refer to pydantic's $defs)."""
    schema = ChannelCustomerIn.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def _idempotent_by_delivery_id(view):
    """Marks the operation as honouring Idempotency-Key, here as the channel's delivery id (the
    key store of patron.api.idempotency is per API token; a channel has none)."""
    view.idempotency = "optional"
    return view


@router.post(
    "/channels/{code}/customers", auth=ChannelSignature(), response={200: DeliveryOut, 201: DeliveryOut},
    openapi_extra={"parameters": _HEADERS, "security": [],
                   "requestBody": {"required": True, "content": {"application/json": {"schema": _body_schema()}}},
                   **also_answers(409)})
@checked_by_action("customers.create")  # the channel acts; its actor holds the permission
@_idempotent_by_delivery_id
def receive_channel_customer(request: HttpRequest, code: str):
    """Create or update the webshop's customer (signed by the channel; see docs/api.md,
    "Webshop channel"). 201 when a customer was created, 200 otherwise; a repeated delivery is
    answered with its first outcome and `Idempotent-Replayed: true`."""
    channel: Channel = request.auth
    data = JsonParser().parse_body(request)
    schema = ShopifyCustomerIn if request.signature_scheme == "shopify" else ChannelCustomerIn
    try:
        body = schema.model_validate(data)
    except pydantic.ValidationError as error:
        raise NinjaValidationError([{**item, "loc": ("body", "payload", *item["loc"])}
                                    for item in error.errors(include_url=False)]) from None
    key, body_sha256 = delivery_key(sender_key=_delivery_id(request), body=request.body)
    result = receive_customer(channel=channel, delivery=body.to_delivery(), key=key, body_sha256=body_sha256)
    customer = result.customer
    out = DeliveryOut(outcome=result.outcome, customer_id=customer.uuid if customer else None,
                      external_id=result.external_id, channel=channel.code)
    created = result.outcome == DeliveryOutcome.CREATED
    response: HttpResponse = respond(out, status=201 if created else 200, location=reverse(
        "api-v1:get_customer", kwargs={"customer_id": customer.uuid}) if created and customer else None)
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _delivery_id(request: HttpRequest) -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY) or request.headers.get(SHOPIFY_WEBHOOK_ID)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise ApiProblem("invalid-idempotency-key", f"{IDEMPOTENCY_KEY} must be 1 to 255 printable ASCII characters.")
    return key

