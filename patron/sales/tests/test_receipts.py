"""E-mailed receipts go out through Django's SMTP settings: tested against a real SMTP server
(the ``smtp_inbox`` fixture of conftest.py)."""

import pytest

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
    assert "Teapot [TP-9]" in body and "Total     35.00" in body
    assert AuditEvent.objects.filter(action="sales.receipt_emailed").exists()


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
