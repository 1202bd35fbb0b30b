"""Addresses, contacts, representatives and messages of a customer."""

import datetime

import pytest
from django.utils import timezone

from patron.core.errors import Conflict, NotFound, PermissionDenied, StaleVersion, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import Address, Contact, Customer, CustomerKind, Message, Representation
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db

HOME = {"kind": "contact", "line1": "221B Baker Street", "line2": "Flat 2", "line3": "Marylebone", "line4": "Rear",
        "city": "London", "region": "Greater London", "postal_code": "NW1 6XE", "country": "UK"}


# --- addresses ------------------------------------------------------------------------------

def test_address_keeps_four_lines_and_normalises_country_aliases(system):
    customer = customer_factory()
    address = actions.add_address(actor=system, customer=customer, values=HOME)
    assert (address.lines, address.country) == (["221B Baker Street", "Flat 2", "Marylebone", "Rear"], "GB")
    customer.refresh_from_db()
    assert customer.version == 2  # the customer's ETag moves with what it embeds


def test_unknown_country_is_a_field_error_and_nothing_is_saved(system):
    customer = customer_factory()
    with pytest.raises(ValidationFailed) as raised:
        actions.add_address(actor=system, customer=customer, values={**HOME, "country": "Atlantis"})
    assert "country" in raised.value.errors
    assert not Address.objects.exists()


def test_only_one_contact_and_one_billing_address_but_many_shipping(system):
    customer = customer_factory(addresses=[HOME])
    with pytest.raises(Conflict):
        actions.add_address(actor=system, customer=customer, values=HOME)
    for site in ("North site", "South site"):
        actions.add_address(actor=system, customer=customer,
                            values={"kind": "shipping", "label": site, "line1": "1 Road", "city": "Leeds"})
    assert list(customer.addresses.values_list("kind", flat=True).order_by("kind")) == [
        "contact", "shipping", "shipping"]


def test_create_with_two_contact_addresses_is_refused(system):
    with pytest.raises(ValidationFailed) as raised:
        customer_factory(addresses=[HOME, HOME])
    assert "addresses" in raised.value.errors
    assert not Customer.objects.exists()


def test_copy_contact_address_to_billing_creates_then_updates_billing(system):
    customer = customer_factory(addresses=[HOME])
    billing = actions.copy_contact_address_to_billing(actor=system, customer=customer)
    assert (billing.kind, billing.line1, billing.postal_code, billing.country) == (
        "billing", "221B Baker Street", "NW1 6XE", "GB")
    contact = customer.addresses.get(kind="contact")
    actions.update_address(actor=system, address=contact, values={"line1": "10 Downing Street"})
    billing = actions.copy_contact_address_to_billing(actor=system, customer=customer)
    assert billing.line1 == "10 Downing Street"
    assert customer.addresses.filter(kind="billing").count() == 1


def test_copy_without_contact_address_is_refused(system):
    with pytest.raises(Conflict):
        actions.copy_contact_address_to_billing(actor=system, customer=customer_factory())


def test_stale_address_edit_is_refused(system):
    address = actions.add_address(actor=system, customer=customer_factory(), values=HOME)
    actions.update_address(actor=system, address=address, values={"city": "Bath"}, expected_version=1)
    with pytest.raises(StaleVersion):
        actions.update_address(actor=system, address=address, values={"city": "York"}, expected_version=1)
    address.refresh_from_db()
    assert address.city == "Bath"


def test_removing_an_address_is_audited(system):
    address = actions.add_address(actor=system, customer=customer_factory(), values=HOME)
    actions.remove_address(actor=system, address=address)
    assert not Address.objects.exists()
    assert AuditEvent.objects.filter(action="address.removed", customer_uuid=address.customer.uuid).exists()


# --- contacts -------------------------------------------------------------------------------

def test_contact_with_phones_email_role_and_authorisation(system):
    customer = customer_factory(last_name="Ng")
    contact = actions.add_contact(actor=system, customer=customer, values={
        "first_name": "Mei", "last_name": "Ng", "role": "Spouse", "email": "Mei@Example.org",
        "mobile_phone": "(202) 555-0101", "phone": "202-555-0102", "is_authorized_buyer": True})
    assert (contact.email, contact.mobile_phone_e164, contact.phone_e164) == (
        "Mei@example.org", "+12025550101", "+12025550102")
    assert contact.is_authorized_buyer and contact.is_active


def test_contact_is_deactivated_not_lost_and_changes_are_audited(system):
    contact = actions.add_contact(actor=system, customer=customer_factory(),
                                  values={"last_name": "Clerk", "role": "AP"})
    actions.update_contact(actor=system, contact=contact, values={"is_active": False}, expected_version=1)
    contact.refresh_from_db()
    assert (contact.is_active, contact.version) == (False, 2)
    event = AuditEvent.objects.get(action="contact.updated")
    assert event.changes == {"is_active": [True, False]}


@pytest.mark.parametrize("values, field", [
    ({"role": "Owner"}, "last_name"),
    ({"last_name": "X", "email": "not-an-email"}, "email"),
    ({"last_name": "X", "mobile_phone": "12"}, "mobile_phone"),
    ({"last_name": "X", "salary": "1"}, "salary"),
])
def test_bad_contact_is_refused(system, values, field):
    customer = customer_factory()
    with pytest.raises(ValidationFailed) as raised:
        actions.add_contact(actor=system, customer=customer, values=values)
    assert field in raised.value.errors
    assert not Contact.objects.exists()


# --- representatives ------------------------------------------------------------------------

def test_representative_is_created_as_a_customer_and_linked_both_ways(system):
    company = customer_factory(CustomerKind.COMPANY, name="Mug Shop")
    link = actions.add_representative(actor=system, company=company, role="Buyer", person_values={
        "first_name": "Ava", "last_name": "Stone", "phones": [{"kind": "mobile", "number": "202 555 0110"}],
        "emails": [{"address": "ava@mugshop.example"}]})
    person = link.person
    assert person.kind == CustomerKind.PERSON
    assert person.home_location == company.home_location
    assert [r.person for r in company.representations.all()] == [person]
    assert [r.company for r in person.companies_represented.all()] == [company]
    assert link.role == "Buyer"


def test_representative_with_invalid_data_creates_nothing(system):
    company = customer_factory(CustomerKind.COMPANY, name="Mug Shop")
    with pytest.raises(ValidationFailed):
        actions.add_representative(actor=system, company=company, person_values={
            "first_name": "Ava", "phones": [{"kind": "mobile", "number": "nope"}]})
    assert Customer.objects.count() == 1
    assert not Representation.objects.exists()


@pytest.mark.parametrize("company_kind, person_kind", [
    (CustomerKind.PERSON, CustomerKind.PERSON),
    (CustomerKind.COMPANY, CustomerKind.COMPANY),
    (CustomerKind.PLACEHOLDER, CustomerKind.PERSON),
])
def test_only_persons_represent_only_companies(system, company_kind, person_kind):
    company, person = customer_factory(company_kind), customer_factory(person_kind)
    with pytest.raises(ValidationFailed):
        actions.link_representative(actor=system, company=company, person=person)
    assert not Representation.objects.exists()


def test_linking_twice_is_a_conflict_and_unlinking_keeps_both_customers(system):
    company, person = customer_factory(CustomerKind.COMPANY), customer_factory()
    actions.link_representative(actor=system, company=company, person=person, role="Owner")
    with pytest.raises(Conflict):
        actions.link_representative(actor=system, company=company, person=person)
    actions.unlink_representative(actor=system, company=company, person=person)
    assert not Representation.objects.exists()
    assert Customer.objects.count() == 2
    with pytest.raises(NotFound):
        actions.unlink_representative(actor=system, company=company, person=person)


# --- messages -------------------------------------------------------------------------------

def test_message_log_records_channel_direction_subject_text_who_and_when(system):
    customer = customer_factory()
    clerk = actor_for(Role.CASHIER)
    when = timezone.now() - datetime.timedelta(hours=2)
    message = actions.log_message(actor=clerk, customer=customer, channel="phone", direction="inbound",
                                  subject="Order query", body="Asked about the blue mugs.", occurred_at=when)
    assert (message.channel, message.direction, message.author_label, message.occurred_at) == (
        "phone", "inbound", clerk.label, when)


@pytest.mark.parametrize("values, field", [
    ({"channel": "pigeon", "direction": "inbound", "body": "x"}, "channel"),
    ({"channel": "phone", "direction": "sideways", "body": "x"}, "direction"),
    ({"channel": "phone", "direction": "inbound"}, "body"),
    ({"channel": "phone", "direction": "inbound", "body": "y" * 10_001}, "body"),
    ({"channel": "phone", "direction": "inbound", "body": "x",
      "occurred_at": timezone.now() + datetime.timedelta(days=1)}, "occurred_at"),
])
def test_bad_message_is_refused(system, values, field):
    with pytest.raises(ValidationFailed) as raised:
        actions.log_message(actor=system, customer=customer_factory(), **values)
    assert field in raised.value.errors
    assert not Message.objects.exists()


def test_roles_without_permission_cannot_manage_reference_data():
    manager = actor_for(Role.MANAGER)
    with pytest.raises(PermissionDenied):
        actions.save_price_level(actor=manager, code="D", name="Staff price")
    with pytest.raises(PermissionDenied):
        actions.update_customer_settings(actor=manager, initial_status="prospect")
