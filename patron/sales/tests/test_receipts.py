"""E-mailed receipts go out through Django's SMTP settings: tested against a real SMTP server
(the ``smtp_inbox`` fixture of conftest.py)."""

import pytest
from django.utils import translation

from patron.core.errors import RuleViolation, ValidationFailed
from patron.core.models import AuditEvent
from patron.customers.models import CustomerKind
from patron.customers.tests.factories import customer_factory
from patron.sales.receipts import send_receipt
from patron.sales.tests.factories import line, sale_factory

pytestmark = pytest.mark.django_db


def test_receipt_is_sent_to_the_customer_with_its_lines(system, smtp_inbox):
    customer = customer_factory(emails=[{"address": "ada@example.org"}])
    sale = sale_factory(customer, lines=[line("Teapot", "1", "35.00", sku="TP-9")])
    assert send_receipt(actor=system, sale=sale) == "ada@example.org"
    [(recipients, message)] = smtp_inbox.messages
    body = message.get_payload(decode=True).decode()
    assert recipients == ["ada@example.org"]
    assert message["Subject"] == f"Receipt {sale.number}"
    assert "Teapot [TP-9]" in body and "Total  $35.00" in body
    assert AuditEvent.objects.filter(action="sales.receipt_emailed").exists()


def test_the_receipt_speaks_the_language_of_whoever_sends_it(system, smtp_inbox, settings):
    settings.PATRON_CURRENCY = "EUR"
    customer = customer_factory(first_name="Anna", last_name="Schmidt", emails=[{"address": "anna@example.org"}])
    sale = sale_factory(customer, lines=[line("Teekanne", "2", "1234.50")])
    with translation.override("de"):
        send_receipt(actor=system, sale=sale)
    [(_recipients, message)] = smtp_inbox.messages
    body = message.get_payload(decode=True).decode()
    assert message["Subject"] == f"Beleg {sale.number}"
    assert body.startswith(f"BELEG {sale.number}")
    assert "Kunde: Anna Schmidt" in body and "2 × Teekanne" in body
    assert "Summe  2.469,00\u00a0€" in body and "Vielen Dank für Ihren Einkauf." in body


def test_customer_wanting_formal_invoices_gets_an_invoice(system, smtp_inbox):
    firm = customer_factory(CustomerKind.PLACEHOLDER, name="Market stall", always_formal_invoice=True)
    sale = sale_factory(firm)
    send_receipt(actor=system, sale=sale, to="books@stall.example")
    assert smtp_inbox.messages[0][1]["Subject"] == f"Invoice {sale.number}"


def test_no_address_or_a_bad_one_is_refused_and_nothing_is_sent(system, smtp_inbox):
    sale = sale_factory(customer_factory())
    with pytest.raises(RuleViolation):
        send_receipt(actor=system, sale=sale)
    with pytest.raises(ValidationFailed):
        send_receipt(actor=system, sale=sale, to="not-an-address")
    assert smtp_inbox.messages == []
