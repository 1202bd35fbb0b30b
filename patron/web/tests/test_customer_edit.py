"""Editing a customer: the full edit form (with its stale-edit check) and quick edit in the list (G11, G12)."""

import pytest
from django.urls import reverse

from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind
from patron.customers.tests.factories import customer_factory
from patron.web.tests.customer_support import client_for, field_error, input_value, store_state

pytestmark = pytest.mark.django_db


def edit_url(customer) -> str:
    return reverse("web:customer_edit", args=[customer.uuid])


def quick_url(customer, field: str) -> str:
    return reverse("web:customer_quick_edit", args=[customer.uuid, field])


def edit_data(client, customer, **changes) -> dict:
    """The edit form as the browser would send it back unchanged, with ``changes`` applied."""
    form = client.get(edit_url(customer)).context["form"]
    data = {}
    for name, bound in form._bound_items():
        value = bound.value()
        if value in (None, False):
            continue
        if isinstance(value, list):
            value = [getattr(item, "pk", item) for item in value]
        data[name] = getattr(value, "pk", value)
    return data | changes


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


@pytest.fixture
def person():
    return customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-1",
                            phones=[{"kind": "home", "number": "202 555 0188"},
                                    {"kind": "mobile", "number": "202 555 0143"},
                                    {"kind": "mobile", "number": "202 555 0144"}],
                            emails=[{"address": "anna@example.com"}], tags=["VIP"])


@pytest.mark.parametrize("kind", CustomerKind.values)
@pytest.mark.parametrize("role", list(Role))
def test_edit_form_of_each_kind_renders_for_each_role_with_the_current_values(kind, role):
    customer = customer_factory(kind)
    html = client_for(role).get(edit_url(customer)).content.decode()
    assert f'name="version" value="{customer.version}"' in html
    field = "id_last_name" if kind == CustomerKind.PERSON else "id_name"
    expected = customer.last_name if kind == CustomerKind.PERSON else customer.name
    assert input_value(html, field) == expected


def test_unchanged_edit_changes_nothing_and_keeps_phones_no_field_shows(cashier, person):
    before = store_state()
    response = cashier.post(edit_url(person), edit_data(cashier, person))
    assert response.status_code == 302
    assert store_state() == before
    assert len(person.phones.all()) == 3


def test_edit_saves_and_opens_the_customer_page(cashier, person):
    response = cashier.post(edit_url(person), edit_data(cashier, person, last_name="Schmidt-Berg",
                                                        work_phone="202 555 0177", home_phone=""))
    person.refresh_from_db()
    assert response.url == reverse("web:customer_detail", args=[person.uuid]) + "?open=contact-details"
    assert person.name == "Anna Schmidt-Berg"
    assert [(phone.kind, phone.e164) for phone in person.phones.all()] == [
        ("mobile", "+12025550143"), ("mobile", "+12025550144"), ("work", "+12025550177")]


def test_edit_error_on_a_phone_lands_on_that_field_and_nothing_changes(cashier, person):
    before = store_state()
    response = cashier.post(edit_url(person), edit_data(cashier, person, work_phone="12345", first_name="Annie"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "phone number" in field_error(html, "id_work_phone")
    assert input_value(html, "id_first_name") == "Annie" and input_value(html, "id_work_phone") == "12345"
    assert store_state() == before


def test_stale_edit_says_someone_else_changed_it_and_keeps_the_input(cashier, person, system):
    data = edit_data(cashier, person, first_name="Annie")
    actions.update_customer(actor=system, customer=person, values={"notes": "changed meanwhile"})
    before = store_state()
    response = cashier.post(edit_url(person), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "changed by someone else" in html
    assert input_value(html, "id_first_name") == "Annie"
    assert store_state() == before


def test_changing_account_number_to_a_taken_one_is_a_field_error(cashier, person):
    customer_factory(account_number="K-2")
    before = store_state()
    response = cashier.post(edit_url(person), edit_data(cashier, person, account_number="k-2"))
    assert "already used" in field_error(response.content.decode(), "id_account_number")
    assert store_state() == before


def test_cashier_cannot_change_terms_by_posting_them(cashier, person):
    cashier.post(edit_url(person), edit_data(cashier, person, price_level="C", default_discount="40",
                                             is_employee="on"))
    person.refresh_from_db()
    assert (person.price_level.code, person.default_discount, person.is_employee) == ("A", 0, False)


def test_manager_changes_terms(person):
    manager = client_for(Role.MANAGER)
    manager.post(edit_url(person), edit_data(manager, person, price_level="C", default_discount="40"))
    person.refresh_from_db()
    assert (person.price_level.code, str(person.default_discount)) == ("C", "40.00")


# --- quick edit ----------------------------------------------------------------------------

def htmx(client, method: str, url: str, data=None):
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true")


def test_quick_edit_gives_an_input_and_saves_the_email(cashier, person):
    form = htmx(cashier, "get", quick_url(person, "email")).content.decode()
    assert 'value="anna@example.com"' in form and f'hx-post="{quick_url(person, "email")}"' in form
    response = htmx(cashier, "post", quick_url(person, "email"), {"value": "anna@new.example",
                                                                 "version": person.version})
    assert response.status_code == 200
    shown = response.content.decode().replace("<wbr>", "")  # the address may wrap at <wbr> (issue 18)
    assert "anna@new.example" in shown and "<input" not in shown
    assert [email.address for email in person.emails.all()] == ["anna@new.example"]


def test_quick_edit_of_a_person_name_has_first_and_last_name(cashier, person):
    htmx(cashier, "post", quick_url(person, "name"), {"first_name": "Anne", "last_name": "Smith",
                                                      "version": person.version})
    person.refresh_from_db()
    assert person.name == "Anne Smith"


def test_quick_edit_of_the_phone_replaces_only_the_first(cashier, person):
    htmx(cashier, "post", quick_url(person, "phone"), {"value": "202 555 0100", "version": person.version})
    assert [phone.e164 for phone in person.phones.all()] == ["+12025550100", "+12025550143", "+12025550144"]


def test_quick_edit_rejection_shows_the_error_in_place_and_saves_nothing(cashier, person):
    before = store_state()
    response = htmx(cashier, "post", quick_url(person, "phone"), {"value": "12", "version": person.version})
    html = response.content.decode()
    assert response.status_code == 422
    assert "phone number" in html and 'value="12"' in html
    assert store_state() == before


def test_quick_edit_that_makes_a_likely_duplicate_asks_first(cashier, person):
    # given: the same Anna entered again with only her name
    again = customer_factory(first_name=person.first_name, last_name=person.last_name)
    url = quick_url(again, "email")
    before = store_state()
    # when: her e-mail is typed into the list's cell
    response = htmx(cashier, "post", url, {"value": "ANNA@example.com", "version": again.version})
    # then: the cell names the likely duplicate and saves nothing yet
    html = response.content.decode()
    assert response.status_code == 422 and person.account_number in html and 'name="anyway"' in html
    assert store_state() == before
    # "Save anyway" saves it, and the audit trail says so
    saved = htmx(cashier, "post", url, {"value": "ANNA@example.com", "version": again.version, "anyway": "1"})
    assert saved.status_code == 200
    assert [email.address_key for email in again.emails.all()] == ["anna@example.com"]
    assert AuditEvent.objects.filter(action="customer.changed_despite_duplicates",
                                     customer_uuid=again.uuid).exists()


def test_quick_edit_of_a_stale_row_is_refused(cashier, person):
    before = store_state()
    response = htmx(cashier, "post", quick_url(person, "name"), {"first_name": "X", "last_name": "Y",
                                                                 "version": person.version - 1})
    assert response.status_code == 422
    assert "changed by someone else" in response.content.decode()
    assert store_state() == before


def test_quick_edit_cancel_gives_the_cell_back_and_without_htmx_leads_to_the_edit_page(cashier, person):
    cell = htmx(cashier, "get", quick_url(person, "email") + "?cancel=1").content.decode().replace("<wbr>", "")
    assert "anna@example.com" in cell and "<input" not in cell
    assert cashier.get(quick_url(person, "email")).url == edit_url(person)
    assert htmx(cashier, "get", quick_url(person, "notes")).status_code == 404


def test_quick_edit_of_company_name(cashier):
    company = customer_factory(CustomerKind.COMPANY, name="Mug Shop")
    htmx(cashier, "post", quick_url(company, "name"), {"value": "Mug Shop Ltd", "version": company.version})
    assert Customer.objects.get(pk=company.pk).name == "Mug Shop Ltd"
