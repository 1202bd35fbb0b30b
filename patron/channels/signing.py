"""Checking that a delivery comes from the channel: HMAC-SHA256 signatures over the raw body.

Two schemes (docs/api.md, "Webshop channel"):

- Patron's: ``X-Patron-Timestamp: <unix seconds>`` and ``X-Patron-Signature: sha256=<hex>``, the
  HMAC of ``<timestamp>.<raw body>``. The timestamp is signed, so a captured delivery cannot be
  replayed once it is older than the tolerance (5 minutes by default).
- Shopify's webhooks: ``X-Shopify-Hmac-Sha256: <base64>``, the HMAC of the raw body alone. It has
  no timestamp; a replayed Shopify delivery is harmless because deliveries are idempotent.

Signatures are compared in constant time, against the current secret and, for a while after a
rotation, the previous one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from django.conf import settings

PATRON_SIGNATURE = "X-Patron-Signature"
PATRON_TIMESTAMP = "X-Patron-Timestamp"
SHOPIFY_SIGNATURE = "X-Shopify-Hmac-Sha256"
SCHEME_PREFIX = "sha256="


class BadSignature(Exception):
    """The delivery is not signed by the channel (the message says why, for the sender)."""


def tolerance_seconds() -> int:
    return int(getattr(settings, "PATRON_CHANNEL_SIGNATURE_TOLERANCE_SECONDS", 300))


def patron_signature(secret: str, timestamp: str | int, body: bytes) -> str:
    """The header value a sender puts in X-Patron-Signature."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return SCHEME_PREFIX + digest


def shopify_signature(secret: str, body: bytes) -> str:
    """The header value Shopify puts in X-Shopify-Hmac-Sha256."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(*, secrets: list[str], headers, body: bytes, now: datetime) -> str:
    """Check the signature headers of a delivery against the channel's valid ``secrets``; returns
    the scheme used ("patron" or "shopify") or raises ``BadSignature``."""
    if PATRON_SIGNATURE in headers:
        _verify_patron(secrets, headers.get(PATRON_SIGNATURE, ""), headers.get(PATRON_TIMESTAMP, ""), body, now)
        return "patron"
    if SHOPIFY_SIGNATURE in headers:
        given = headers.get(SHOPIFY_SIGNATURE, "").strip()
        if not _matches_any(given, [shopify_signature(secret, body) for secret in secrets]):
            raise BadSignature("The X-Shopify-Hmac-Sha256 signature does not match.")
        return "shopify"
    raise BadSignature(f"Sign the delivery: {PATRON_TIMESTAMP} and {PATRON_SIGNATURE} headers are required.")


def _verify_patron(secrets: list[str], given: str, timestamp: str, body: bytes, now: datetime) -> None:
    timestamp = timestamp.strip()
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise BadSignature(f"{PATRON_TIMESTAMP} must be the time of sending in whole seconds since 1970 (UTC).")
    if abs(now.timestamp() - int(timestamp)) > tolerance_seconds():
        raise BadSignature(f"{PATRON_TIMESTAMP} is more than {tolerance_seconds()} seconds away from the server's "
                           "clock: sign again with the current time (and check the clock).")
    if not _matches_any(given.strip(), [patron_signature(secret, timestamp, body) for secret in secrets]):
        raise BadSignature(f"The {PATRON_SIGNATURE} signature does not match.")


def _matches_any(given: str, expected: list[str]) -> bool:
    # Every candidate is compared (no early exit) so the time taken says nothing about which failed.
    results = [hmac.compare_digest(given.encode(), candidate.encode()) for candidate in expected]
    return any(results)
