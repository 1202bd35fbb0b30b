"""Reading privacy requests: the list admins follow, and which ones are late (P4)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from patron.core.actors import Actor
from patron.core.permissions import require
from patron.privacy.models import PrivacyRequest

# GDPR Art. 12(3) gives one month; a request open this long is flagged while there is time to act.
FLAG_AFTER_DAYS = 25


@dataclass(frozen=True)
class RequestLine:
    request: PrivacyRequest
    days_open: int
    is_late: bool


def request_report(*, actor: Actor, open_only: bool = False, now: datetime.datetime | None = None) -> list[RequestLine]:
    """Every request (or only open ones), newest first, with how long it has been open and whether
    that is more than FLAG_AFTER_DAYS."""
    require(actor, "privacy.manage")
    now = now or timezone.now()
    requests = PrivacyRequest.objects.all()
    if open_only:
        requests = requests.filter(completed_at__isnull=True)
    lines = []
    for request in requests.order_by("-received_at", "-id"):
        end = request.completed_at or now
        days = (end - request.received_at).days
        lines.append(RequestLine(request=request, days_open=days,
                                 is_late=request.completed_at is None and days > FLAG_AFTER_DAYS))
    return lines


def erasure_of(customer) -> PrivacyRequest | None:
    """The customer's erasure request, queued or done (None when there is none)."""
    return PrivacyRequest.objects.filter(kind="erasure", customer_uuid=customer.uuid).order_by("-received_at").first()
