""""New customer": choose the kind, then the form of that kind (E02-E11, G06, K09)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from patron.core.permissions import Role
from patron.customers.models import (
    Customer,
    CustomerKind,
    CustomerStatus,
    CustomFieldDefinition,
    CustomFieldType,
    Representation,
)
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location, LocationGroup
from patron.web.tests.customer_support import client_for, field_error, input_value, store_state

pytestmark = pytest.mark.django_db


def create_url(kind: str) -> str:
    return reverse("web:customer_create", args=[kind])


def form_data(**values) -> dict:
    """What the browser sends: the preselected home location and default group, plus ``values``."""
    return {"home_location": Location.objects.get(code="S01").pk,
            "location_groups": [group.pk for group in LocationGroup.objects.filter(is_default=True)], **values}


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


@pytest.fixture
def manager():
    return client_for(Role.MANAGER)


@pytest.mark.parametrize("role", list(Role))
def test_new_customer_first_asks_for_the_kind_then_shows_its_form(role):
    client = client_for(role)
    chooser = client.get(reverse("web:customer_new")).content.decode()
    for kind in CustomerKind.values:
        assert create_url(kind) in chooser
    assert 'id="id_first_name"' in client.get(create_url("person")).content.decode()
    company = client.get(create_url("company")).content.decode()
    assert 'id="id_name"' in company and "+ Add representative" in company and 'id="id_rep_first_name"' in company
    placeholder = client.get(create_url("placeholder")).content.decode()
    assert 'id="id_track_sales"' in placeholder and 'id="id_always_formal_invoice"' in placeholder
    assert 'id="id_address_line1"' not in placeholder
    assert client.get(create_url("alien")).status_code == 404


def test_person_is_created_with_phones_emails_address_and_opens_on_contact_details(cashier):
    response = cashier.post(create_url("person"), form_data(
        first_name="Anna", last_name="Schmidt", mobile_phone="(202) 555-0143", home_phone="202 555 0188",
        email="Anna@Example.com", birth_date="1980-05-17", notes="Prefers e-mail", tags="VIP, regular",
        address_line1="1 Main St", address_city="Springfield", address_postal_code="12345",
        address_country="usa"))
    customer = Customer.objects.get(last_name="Schmidt")
    assert response.status_code == 302
    assert response.url == reverse("web:customer_detail", args=[customer.uuid]) + "?open=contact-details"
    assert [(phone.kind, phone.e164) for phone in customer.phones.all()] == [
        ("mobile", "+12025550143"), ("home", "+12025550188")]
    assert [email.address for email in customer.emails.all()] == ["Anna@example.com"]
    assert str(customer.birth_date) == "1980-05-17"
    assert sorted(tag.name for tag in customer.tags.all()) == ["VIP", "regular"]
    address = customer.addresses.get()
    assert (address.kind, address.line1, address.city, address.country) == ("contact", "1 Main St", "Springfield", "US")
    assert customer.account_number == "C000001"
    assert customer.home_location.code == "S01"


def test_a_dutch_name_prefix_has_its_own_field_and_shows_on_the_page(cashier):
    cashier.post(create_url("person"), form_data(first_name="Sanne", name_prefix="van der", last_name="Berg"))
    sanne = Customer.objects.get(last_name="Berg")
    assert (sanne.name_prefix, sanne.name) == ("van der", "Sanne van der Berg")
    page = cashier.get(reverse("web:customer_detail", args=[sanne.uuid])).content.decode()
    assert "Sanne van der Berg" in page and "<dd>van der</dd>" in page


def test_placeholder_is_created_with_its_flags_and_opens_on_notes(cashier):
    response = cashier.post(create_url("placeholder"), form_data(name="Walk-in", account_number="WALKIN",
                                                                 always_formal_invoice="on"))
    walk_in = Customer.objects.get(kind=CustomerKind.PLACEHOLDER)
    assert response.url.endswith("?open=notes")
    assert (walk_in.name, walk_in.account_number, walk_in.track_sales, walk_in.always_formal_invoice) == (
        "Walk-in", "WALKIN", False, True)


def test_company_with_a_representative_creates_both_linked_both_ways(cashier):
    response = cashier.post(create_url("company"), form_data(
        name="Mug Shop", phone="202 555 0100", email="orders@mugshop.example", address_line1="5 Harbour Rd",
        address_city="Portland", tax_id="12-3456789", rep_first_name="Rita", rep_last_name="Rep",
        rep_mobile_phone="202 555 0111", rep_email="rita@mugshop.example", rep_role="Buyer"))
    company = Customer.objects.get(kind=CustomerKind.COMPANY)
    person = Customer.objects.get(kind=CustomerKind.PERSON)
    assert response.status_code == 302
    assert (person.name, person.phones.get().e164, person.emails.get().address) == (
        "Rita Rep", "+12025550111", "rita@mugshop.example")
    link = Representation.objects.get()
    assert (link.company, link.person, link.role) == (company, person, "Buyer")
    assert company.phones.get().kind == "work"
    company_page = cashier.get(reverse("web:customer_detail", args=[company.uuid])).content.decode()
    person_page = cashier.get(reverse("web:customer_detail", args=[person.uuid])).content.decode()
    assert reverse("web:customer_detail", args=[person.uuid]) in company_page
    assert reverse("web:customer_detail", args=[company.uuid]) in person_page


def test_company_is_not_saved_when_its_representative_is_refused(cashier):
    before = store_state()
    response = cashier.post(create_url("company"), form_data(name="Mug Shop", rep_first_name="Rita",
                                                             rep_mobile_phone="12"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "phone number" in field_error(html, "id_rep_mobile_phone")
    assert input_value(html, "id_name") == "Mug Shop" and input_value(html, "id_rep_first_name") == "Rita"
    assert "<details class=\"card reveal\" open>" in html
    assert store_state() == before


@pytest.mark.parametrize("kind, values, field_id, message", [
    ("person", {"first_name": "Anna", "mobile_phone": "555-CALL-NOW"}, "id_mobile_phone", "phone"),
    ("person", {"first_name": "A" * 10_000}, "id_first_name", "at most"),
    ("person", {"first_name": "Nul\x00Byte"}, "id_first_name", "Null characters"),
    ("person", {"last_name": "Smith\u202egpj.exe"}, "id_last_name", "direction of the text"),
    ("company", {"name": "\u2066Acme\u2069"}, "id_name", "U+2066"),
    ("person", {"last_name": "Lee", "address_line1": "1 Main St", "address_country": "Atlantis"},
     "id_address_country", "Unknown country"),
    ("person", {"last_name": "Lee", "email": "anna@"}, "id_email", ""),
    ("person", {"last_name": "Lee", "birth_date": "2999-01-01"}, "id_birth_date", "future"),
    ("person", {}, "id_last_name", "Enter the customer"),
    ("company", {"name": "Acme", "tax_id": "DE123"}, "id_tax_id", "not a valid tax ID"),
    ("company", {"name": "X" * 201}, "id_name", "at most 200"),
    ("placeholder", {"name": ""}, "id_name", "Enter the name"),
])
def test_rejected_form_keeps_the_input_shows_the_error_at_the_field_and_saves_nothing(
        cashier, kind, values, field_id, message):
    before = store_state()
    response = cashier.post(create_url(kind), form_data(notes="typed notes", **values))
    html = response.content.decode()
    assert response.status_code == 422
    error = field_error(html, field_id)
    assert error and message in error
    assert "typed notes" in html
    typed = values.get(field_id.removeprefix("id_"))
    if typed and "\x00" not in typed:
        assert input_value(html, field_id) == typed
    assert store_state() == before


def test_taken_account_number_is_a_field_error(cashier):
    customer_factory(account_number="K-1")
    before = store_state()
    response = cashier.post(create_url("person"), form_data(last_name="Lee", account_number="k-1 "))
    assert "already used" in field_error(response.content.decode(), "id_account_number")
    assert store_state() == before


def test_cashier_gets_no_terms_or_status_fields_and_posting_them_changes_nothing(cashier):
    html = cashier.get(create_url("person")).content.decode()
    for field in ("price_level", "default_discount", "is_tax_exempt", "is_employee", "status"):
        assert f'id="id_{field}"' not in html
    cashier.post(create_url("person"), form_data(last_name="Lee", price_level="C", default_discount="50",
                                                 is_employee="on", status="inactive"))
    customer = Customer.objects.get()
    assert (customer.price_level.code, customer.default_discount, customer.is_employee, customer.status) == (
        "A", Decimal("0"), False, CustomerStatus.ACTIVE)


def test_manager_sets_terms_status_and_locations_on_creation(manager):
    manager.post(create_url("person"), form_data(last_name="Lee", price_level="B", default_discount="12.5",
                                                 is_tax_exempt="on", is_employee="on", status="prospect"))
    customer = Customer.objects.get()
    assert (customer.price_level.code, customer.default_discount, customer.is_tax_exempt, customer.is_employee,
            customer.status) == ("B", Decimal("12.50"), True, True, CustomerStatus.PROSPECT)


def test_home_location_and_default_groups_are_preselected_and_groups_are_required(cashier):
    html = cashier.get(create_url("person")).content.decode()
    store = Location.objects.get(code="S01")
    assert f'<option value="{store.pk}" selected>' in html
    before = store_state()
    response = cashier.post(create_url("person"), form_data(last_name="Lee", location_groups=[]))
    assert "location group" in response.content.decode()
    assert store_state() == before


def test_custom_fields_appear_with_their_input_type_and_are_validated(cashier):
    CustomFieldDefinition.objects.create(key="shoe_size", label="Shoe size", field_type=CustomFieldType.NUMBER)
    CustomFieldDefinition.objects.create(key="member_since", label="Member since", field_type=CustomFieldType.DATE)
    CustomFieldDefinition.objects.create(key="newsletter", label="Newsletter", field_type=CustomFieldType.BOOLEAN)
    CustomFieldDefinition.objects.create(key="size", label="Size", field_type=CustomFieldType.CHOICE,
                                         choices=["S", "M", "L"], is_required=True)
    html = cashier.get(create_url("person")).content.decode()
    assert 'type="number" name="cf_shoe_size"' in html and 'type="date" name="cf_member_since"' in html
    assert 'type="checkbox" name="cf_newsletter"' in html and '<select name="cf_size"' in html
    before = store_state()
    refused = cashier.post(create_url("person"), form_data(last_name="Lee", cf_shoe_size="big"))
    assert "Enter a number" in field_error(refused.content.decode(), "id_cf_shoe_size")
    assert "required" in field_error(refused.content.decode(), "id_cf_size")
    assert store_state() == before
    cashier.post(create_url("person"), form_data(last_name="Lee", cf_shoe_size="42.5", cf_member_since="2020-02-02",
                                                 cf_newsletter="on", cf_size="M"))
    assert Customer.objects.get().custom_fields == {"shoe_size": "42.5", "member_since": "2020-02-02",
                                                    "newsletter": True, "size": "M"}


def test_anonymous_cannot_create(client):
    before = store_state()
    response = client.post(create_url("person"), {"last_name": "Lee"})
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))
    assert store_state() == before


def test_one_submit_shows_every_error_of_the_company_and_its_representative(cashier):
    """Issue 18: the representative's errors came only after the company's were fixed."""
    before = store_state()
    response = cashier.post(create_url("company"), form_data(
        name="Mug Shop", phone="12", email="nope", rep_first_name="Rita", rep_mobile_phone="12",
        rep_email="rita@"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "phone number" in field_error(html, "id_phone")
    assert "@" in field_error(html, "id_email")
    assert "phone number" in field_error(html, "id_rep_mobile_phone")
    assert "@" in field_error(html, "id_rep_email")
    summary = html.split("data-error-summary>")[1].split("</div>")[0]
    assert "Please correct 4 errors:" in summary
    for field_id in ("id_phone", "id_email", "id_rep_mobile_phone", "id_rep_email"):
        assert f'href="#{field_id}"' in summary
    assert store_state() == before


def test_a_refused_representative_alone_still_shows_its_error_once(cashier):
    response = cashier.post(create_url("company"), form_data(name="Mug Shop", rep_first_name="Rita",
                                                             rep_mobile_phone="12"))
    html = response.content.decode()
    assert html.count("This phone number is not valid") == 2  # next to the field and in the summary
