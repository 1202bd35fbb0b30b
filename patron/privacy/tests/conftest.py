"""A customer with data in every table, made through the product's own actions, with canary values
(unique strings) whose every copy an erasure must remove."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import pytest
from django.utils import timezone
from PIL import Image

from patron.core.actors import system_actor
from patron.credit import actions as credit
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind
from patron.customers.tests.factories import customer_factory
from patron.marketing.actions import record_consent
from patron.sales.tests.factories import line, sale_factory

CANARY = {
    "first_name": "Zorbulon",
    "last_name": "Quixtaffel",
    "email": "zorbulon.quixtaffel@canary.example",
    "phone": "+12025550187",
    "tax_id": "ZQXTAX998877",
    "note": "Canary note kumquat-velociraptor",
    "contact": "Wibberly Snorkelfoot",
    "street": "17 Canaryplume Lane",
    "message": "Canary message about the gobbledygook order",
    "ledger": "Canary ledger text flibbertigibbet",
    "custom": "canary-custom-xylophone",
}


@dataclass
class Rich:
    customer: Customer
    company: Customer
    long_ago: datetime.datetime


def image_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_rich_customer(*, prefix: dict | None = None, sale_at: datetime.datetime | None = None,
                       ledger_entries: int = 2, settle: bool = True) -> Rich:
    """A person with phones, e-mails, an address, a contact, a message, notes, a tax ID, a birth
    date, a custom field, tags, a photo, consent history, a representation, a sale, ledger entries
    (settled unless told) and points."""
    values = prefix or CANARY
    system = system_actor()
    actions.save_custom_field(actor=system, key="hobby", label="Hobby", field_type="text") \
        if not _has_custom_field() else None
    customer = customer_factory(
        first_name=values["first_name"], last_name=values["last_name"], tax_id=values["tax_id"],
        tax_id_country="AQ", notes=values["note"], birth_date="1980-02-03",
        phones=[{"kind": "mobile", "number": values["phone"]}],
        emails=[{"kind": "personal", "address": values["email"]}],
        tags=["VIP", "Newsletter"], custom_fields={"hobby": values["custom"]},
        addresses=[{"kind": "contact", "line1": values["street"], "city": "Springfield", "postal_code": "12345",
                    "country": "US"}])
    first, last = values["contact"].split()
    contact = actions.add_contact(actor=system, customer=customer, values={
        "first_name": first, "last_name": last, "email": f"{first.lower()}@canary.example",
        "is_authorized_buyer": True, "role": "spouse"})
    actions.log_message(actor=system, customer=customer, channel="phone", direction="inbound",
                        subject="Call", body=values["message"])
    customer = actions.set_photo(actor=system, customer=customer, data=image_bytes())
    record_consent(actor=system, customer=customer, channel="email", granted=True, source="back_office",
                   proof=f"form signed by {values['email']}")
    company = customer_factory(CustomerKind.COMPANY, name=f"Company of {values['last_name'][:3]}x Ltd")
    actions.link_representative(actor=system, company=company, person=customer, role="owner")
    credit.set_credit_enabled(actor=system, is_enabled=True)
    credit.set_credit_limit(actor=system, customer=customer, credit_limit="100000.00")
    for number in range(ledger_entries):
        credit.post_charge(actor=system, customer=customer, amount="10.00", reference=f"R{number}",
                           note=f"{values['ledger']} {number} for {values['first_name']} {values['last_name']}")
    if settle and ledger_entries:
        credit.post_payment(actor=system, customer=customer, amount=f"{10 * ledger_entries}.00", method="cash",
                            note=f"paid by {values['first_name']} {values['last_name']}")
    long_ago = sale_at or timezone.now() - datetime.timedelta(days=400)
    sale_factory(customer, bought_by=contact, occurred_at=long_ago, lines=[line("Blue mug", "2", "12.50")])
    customer.refresh_from_db()
    return Rich(customer=customer, company=company, long_ago=long_ago)


def _has_custom_field() -> bool:
    from patron.customers.models import CustomFieldDefinition

    return CustomFieldDefinition.objects.filter(key="hobby").exists()


OTHER = {
    "first_name": "Othelinda", "last_name": "Brambleworth", "email": "othelinda@other.example",
    "phone": "+12025550166", "tax_id": "OTHTAX112233", "note": "Other note marmalade-pterodactyl",
    "contact": "Gregor Plumtwist", "street": "99 Otherside Road", "message": "Other message about zeppelins",
    "ledger": "Other ledger text hullabaloo", "custom": "other-custom-accordion",
}


@pytest.fixture
def rich(system, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_rich_customer()


@pytest.fixture
def other(system, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_rich_customer(prefix=OTHER)
