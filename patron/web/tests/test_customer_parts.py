"""Addresses, contacts and representatives, edited on their own small pages (T06-T08, T14, O19, E06/E07)."""

import pytest
from django.urls import reverse

from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import Address, Contact, Customer, CustomerKind, Representation
from patron.customers.tests.factories import customer_factory
from patron.web.tests.customer_support import client_for, field_error, input_value, store_state

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"web:{name}", args=[getattr(arg, "uuid", arg) for arg in args])


def page_url(customer, section: str) -> str:
    return reverse("web:customer_detail", args=[customer.uuid]) + f"#{section}"


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


@pytest.fixture
def customer():
    return customer_factory(first_name="Anna", last_name="Schmidt",
                            addresses=[{"kind": "contact", "line1": "1 Main St", "city": "Springfield",
                                        "country": "US"}])


@pytest.fixture
def company():
    return customer_factory(CustomerKind.COMPANY, name="Mug Shop")


# --- addresses ------------------------------------------------------------------------------

def test_add_a_worksite_address(cashier, customer):
    form = cashier.get(url("customer_address_add", customer)).content.decode()
    assert '<option value="billing" selected>' in form  # the contact address exists already
    response = cashier.post(url("customer_address_add", customer), {
        "kind": "shipping", "label": "Site A", "line1": "9 Dock Rd", "city": "Portland", "country": "UK"})
    assert response.url == page_url(customer, "addresses")
    site = customer.addresses.get(kind="shipping")
    assert (site.label, site.country) == ("Site A", "GB")
    assert "Site A" in cashier.get(page_url(customer, "")).content.decode()


def test_second_contact_address_and_unknown_country_are_refused_at_their_fields(cashier, customer):
    before = (store_state(), Address.objects.count())
    response = cashier.post(url("customer_address_add", customer), {"kind": "contact", "line1": "2 Side St",
                                                                    "country": "Narnia"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Unknown country" in field_error(html, "id_country")
    assert input_value(html, "id_line1") == "2 Side St"
    response = cashier.post(url("customer_address_add", customer), {"kind": "contact", "line1": "2 Side St"})
    assert "already has a contact address" in field_error(response.content.decode(), "id_kind")
    assert (store_state(), Address.objects.count()) == before


def test_edit_and_remove_an_address(cashier, customer):
    address = customer.addresses.get()
    form = cashier.get(url("customer_address_edit", customer, address)).content.decode()
    assert input_value(form, "id_line1") == "1 Main St"
    cashier.post(url("customer_address_edit", customer, address), {"kind": "contact", "line1": "3 New St",
                                                                   "city": "Springfield", "version": address.version})
    address.refresh_from_db()
    assert address.line1 == "3 New St"
    cashier.post(url("customer_address_remove", customer, address), {"version": address.version})
    assert not customer.addresses.exists()


def test_stale_address_edit_is_refused(cashier, customer, system):
    address = customer.addresses.get()
    actions.update_address(actor=system, address=address, values={"city": "Shelbyville"})
    response = cashier.post(url("customer_address_edit", customer, address), {"kind": "contact", "line1": "X",
                                                                               "version": 1})
    assert response.status_code == 422 and "changed by someone else" in response.content.decode()
    address.refresh_from_db()
    assert address.line1 == "1 Main St"


def test_copy_contact_address_to_billing(cashier, customer):
    assert "Copy contact address to billing" in cashier.get(page_url(customer, "")).content.decode()
    cashier.post(url("customer_address_copy_to_billing", customer))
    billing = customer.addresses.get(kind="billing")
    assert (billing.line1, billing.city, billing.country) == ("1 Main St", "Springfield", "US")


def test_copy_without_a_contact_address_is_a_clear_message(cashier, company):
    before = store_state()
    response = cashier.post(url("customer_address_copy_to_billing", company), follow=True)
    assert "no contact address to copy" in response.content.decode()
    assert store_state() == before


# --- contacts -------------------------------------------------------------------------------

def test_add_edit_and_deactivate_a_contact(cashier, customer):
    response = cashier.post(url("customer_contact_add", customer), {
        "first_name": "Tom", "last_name": "Schmidt", "role": "Spouse", "mobile_phone": "202 555 0150",
        "email": "tom@example.com", "is_authorized_buyer": "on"})
    assert response.url == page_url(customer, "contacts")
    contact = Contact.objects.get()
    assert (contact.role, contact.mobile_phone_e164, contact.is_authorized_buyer) == ("Spouse", "+12025550150", True)
    form = cashier.get(url("customer_contact_edit", customer, contact)).content.decode()
    assert input_value(form, "id_role") == "Spouse"
    cashier.post(url("customer_contact_edit", customer, contact), {"first_name": "Tom", "last_name": "Schmidt",
                                                                   "role": "Husband", "is_active": "on",
                                                                   "version": contact.version})
    contact.refresh_from_db()
    assert (contact.role, contact.is_authorized_buyer) == ("Husband", False)
    cashier.post(url("customer_contact_set_active", customer, contact), {"is_active": "false",
                                                                        "version": contact.version})
    contact.refresh_from_db()
    assert contact.is_active is False
    html = cashier.get(page_url(customer, "")).content.decode()
    assert "Inactive" in html and "Reactivate" in html


def test_contact_with_bad_phone_or_no_name_is_refused_with_input_kept(cashier, customer):
    before = (store_state(), Contact.objects.count())
    response = cashier.post(url("customer_contact_add", customer), {"first_name": "Tom", "phone": "12"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "phone number" in field_error(html, "id_phone") and input_value(html, "id_first_name") == "Tom"
    response = cashier.post(url("customer_contact_add", customer), {"role": "Owner"})
    assert "Enter the contact" in field_error(response.content.decode(), "id_last_name")
    assert (store_state(), Contact.objects.count()) == before


# --- representatives ------------------------------------------------------------------------

def test_add_a_representative_creates_a_person_linked_to_the_company(cashier, company):
    response = cashier.post(url("customer_representative_add", company), {
        "first_name": "Rita", "last_name": "Rep", "home_phone": "202 555 0160", "role": "Owner"})
    assert response.url == page_url(company, "representatives")
    person = Customer.objects.get(kind=CustomerKind.PERSON)
    assert Representation.objects.get().role == "Owner"
    assert person.phones.get().kind == "home"


def test_representative_pages_exist_only_for_companies(cashier, customer):
    assert cashier.get(url("customer_representative_add", customer)).status_code == 404
    assert cashier.get(url("customer_representative_link", customer)).status_code == 404


def test_refused_representative_keeps_the_input_and_creates_nobody(cashier, company):
    before = store_state()
    response = cashier.post(url("customer_representative_add", company), {"first_name": "R" * 101, "role": "x"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "id_first_name")
    assert input_value(response.content.decode(), "id_role") == "x"
    assert store_state() == before


def test_link_an_existing_person_then_unlink(cashier, company, customer):
    found = cashier.get(url("customer_representative_link", company), {"q": "schmidt"}).content.decode()
    assert "Anna Schmidt" in found and "Mug Shop" not in found.split("<table")[-1]
    assert cashier.get(url("customer_representative_link", company), {"q": "a\x00"}).status_code == 200
    response = cashier.post(url("customer_representative_link", company), {"person": customer.uuid, "role": "Buyer"})
    assert response.url == page_url(company, "representatives")
    assert Representation.objects.get().person == customer
    again = cashier.post(url("customer_representative_link", company), {"person": customer.uuid})
    assert again.status_code == 422 and "already represents" in again.content.decode()
    cashier.post(url("customer_representative_unlink", company, customer))
    assert not Representation.objects.exists()
    assert Customer.objects.filter(pk=customer.pk).exists()
