"""Sending signed deliveries the way a webshop does: raw bytes, a timestamp and an HMAC."""

from __future__ import annotations

import json
import time

from patron.channels.signing import patron_signature, shopify_signature

PREFIX = "/api/v1"


def customer_body(external_id="7210448301122", updated_at="2026-11-20T10:00:00+01:00", **values) -> dict:
    body = {"id": external_id, "updated_at": updated_at, "first_name": "Maren", "last_name": "Holt",
            "email": "maren@example.com", "phone": "+44 7911 123456", "note": "Ships to the office",
            "tags": "web, newsletter",
            "addresses": [{"id": 11, "default": True, "address1": "1 High Street", "city": "Leeds",
                           "zip": "LS1 4AP", "country_code": "GB"}]}
    body.update(values)
    return body


def signed_headers(secret: str, raw: bytes, *, timestamp: int | None = None, key: str | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {"X-Patron-Timestamp": str(timestamp), "X-Patron-Signature": patron_signature(secret, timestamp, raw)}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def deliver(client, code: str, secret: str, body, *, key: str | None = None, timestamp: int | None = None,
            headers: dict | None = None):
    """POST a customer to the channel, signed with ``secret`` (Django's test client)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    all_headers = {**signed_headers(secret, raw, timestamp=timestamp, key=key), **(headers or {})}
    return client.generic("POST", f"{PREFIX}/channels/{code}/customers", data=raw, content_type="application/json",
                          headers=all_headers)


def deliver_shopify(client, code: str, secret: str, body: dict, *, webhook_id: str | None = None):
    raw = json.dumps(body).encode()
    headers = {"X-Shopify-Hmac-Sha256": shopify_signature(secret, raw), "X-Shopify-Topic": "customers/update"}
    if webhook_id:
        headers["X-Shopify-Webhook-Id"] = webhook_id
    return client.generic("POST", f"{PREFIX}/channels/{code}/customers", data=raw, content_type="application/json",
                          headers=headers)
