"""The webhooks' duty: send what the outbox holds. Queued with every event, and every minute for
the retries that come due; one runs at a time, which keeps each customer's events in order."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from patron.core.permissions import Role
from patron.events.delivery import deliver_due
from patron.events.models import Subscription
from patron.events.outbox import DELIVER_DUTY
from patron.jobs.registry import duty


@duty(DELIVER_DUTY, every=timedelta(minutes=1))
def deliver_webhooks(job) -> None:
    deliver_due(on_pause=tell_admins)


def tell_admins(subscription: Subscription) -> None:
    """E-mail the admins that a subscription was paused after a day of failures."""
    admins = list(get_user_model().objects.filter(role=Role.ADMIN, is_active=True).exclude(email="")
                  .values_list("email", flat=True))
    if admins:
        send_mail(subject=f"Patron: webhook to {subscription.url} paused",
                  message=f"Deliveries to {subscription.url} failed without a break, so they are paused.\n\n"
                          f"{subscription.paused_reason}\n\nResume it in Settings > Webhooks, "
                          f"with `patron webhook resume {subscription.uuid}` or the API once the endpoint answers.",
                  from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=admins, fail_silently=True)
