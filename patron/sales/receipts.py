"""E-mailing the receipt (or formal invoice) of a sale through Django's mail settings."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import RuleViolation, ValidationFailed
from patron.core.normalize import InvalidValue, normalize_email
from patron.core.permissions import require
from patron.sales.models import Sale


def _recipient(sale: Sale, to: str | None) -> str:
    if to:
        try:
            return normalize_email(to)
        except InvalidValue as error:
            raise ValidationFailed(str(error), field="to") from None
    email = sale.customer.emails.first() if sale.customer else None
    if email is None:
        raise RuleViolation(_("The customer has no e-mail address; give one to send the receipt to."),
                            code="no-email-address")
    return email.address


def send_receipt(*, actor: Actor, sale: Sale, to: str | None = None) -> str:
    """Send the receipt of ``sale`` (an invoice when the customer always wants one); returns
    the address it went to. The send happens after the audit entry commits."""
    require(actor, "sales.email_receipt")
    recipient = _recipient(sale, to)
    formal = bool(sale.customer and sale.customer.always_formal_invoice)
    context = {"sale": sale, "formal": formal, "lines": sale.lines.all(), "payments": sale.payments.all(),
               "currency": sale.currency}
    subject = (_("Invoice %(number)s") if formal else _("Receipt %(number)s")) % {"number": sale.number}
    body = render_to_string("sales/receipt.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient])
    message.send(fail_silently=False)
    with transaction.atomic():
        record_event(actor=actor, action="sales.receipt_emailed", subject=sale, customer=sale.customer,
                     data={"to": recipient, "formal": formal})
    return recipient
