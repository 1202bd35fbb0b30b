"""The customer's communication log."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.core.validation import FieldErrors
from patron.customers.models import Customer, Message, MessageChannel, MessageDirection

BODY_MAX = 10_000


@transaction.atomic
def log_message(*, actor: Actor, customer: Customer, channel: str, direction: str, subject: str = "",
                body: str = "", occurred_at: datetime.datetime | None = None) -> Message:
    require(actor, "messages.log")
    errors = FieldErrors()
    if channel not in MessageChannel.values:
        errors.add("channel", _("Choose phone, e-mail, SMS, in person, letter or other."))
    if direction not in MessageDirection.values:
        errors.add("direction", _("Choose inbound or outbound."))
    subject = errors.clean("subject", clean_text, subject, max_length=200)
    body = errors.clean("body", clean_text, body, max_length=BODY_MAX, multiline=True)
    if subject == "" and body == "":
        errors.add("body", _("Write what was said, or at least a subject."))
    now = timezone.now()
    if occurred_at is not None and occurred_at > now + datetime.timedelta(minutes=5):
        errors.add("occurred_at", _("A message cannot be logged in the future."))
    errors.raise_if_any()
    message = Message.objects.create(customer=customer, channel=channel, direction=direction, subject=subject,
                                     body=body, occurred_at=occurred_at or now, author_label=actor.label)
    record_event(actor=actor, action="message.logged", subject=message, customer=customer,
                 data={"channel": channel, "direction": direction, "subject": subject})
    return message
