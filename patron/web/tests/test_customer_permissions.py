"""Every customer permission cell of docs/permissions.md, checked through the web pages: a role
with the permission succeeds, one without is refused (403 or the control hidden) and nothing changes."""

import pytest
from django.urls import reverse

from patron.core.permissions import Role, allows
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind, CustomerStatus, Message
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location, LocationGroup
from patron.web.tests.customer_support import client_for, store_state

pytestmark = pytest.mark.django_db
ROLES = list(Role)


def url(name: str, *args) -> str:
    return reverse(f"web:{name}", args=[getattr(arg, "uuid", arg) for arg in args])


@pytest.fixture
def customer():
    return customer_factory(CustomerKind.COMPANY, name="Mug Shop",
                            addresses=[{"kind": "contact", "line1": "1 Main St"}])


@pytest.mark.parametrize("role", ROLES)
def test_customers_view_every_page_and_sub_form_renders(role, customer, system):
    contact = actions.add_contact(actor=system, customer=customer, values={"last_name": "Clerk"})
    client = client_for(role)
    pages = [url("customer_list"), url("customer_new"), url("customer_create", "person"),
             url("customer_detail", customer), url("customer_edit", customer),
             url("customer_address_add", customer), url("customer_address_edit", customer, customer.addresses.get()),
             url("customer_contact_add", customer), url("customer_contact_edit", customer, contact),
             url("customer_representative_add", customer), url("customer_representative_link", customer)]
    assert allows(role, "customers.view")
    for page in pages:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("role", ROLES)
def test_customers_create(role):
    client = client_for(role)
    data = {"last_name": "Lee", "home_location": Location.objects.get(code="S01").pk,
            "location_groups": [LocationGroup.objects.get(is_default=True).pk]}
    response = client.post(url("customer_create", "person"), data)
    assert allows(role, "customers.create")
    assert response.status_code == 302 and Customer.objects.filter(last_name="Lee").exists()


@pytest.mark.parametrize("role", ROLES)
def test_customers_edit(role, customer):
    client = client_for(role)
    client.post(url("customer_quick_edit", customer, "name"), {"value": "Mug Shop Ltd", "version": customer.version},
                HTTP_HX_REQUEST="true")
    customer.refresh_from_db()
    assert allows(role, "customers.edit") and customer.name == "Mug Shop Ltd"


@pytest.mark.parametrize("role", ROLES)
def test_customers_edit_terms(role, customer):
    client = client_for(role)
    form_has_terms = 'id="id_price_level"' in client.get(url("customer_edit", customer)).content.decode()
    data = {"name": "Mug Shop", "home_location": customer.home_location_id, "price_level": "C",
            "location_groups": [group.pk for group in customer.location_groups.all()], "account_number":
            customer.account_number, "version": customer.version}
    client.post(url("customer_edit", customer), data)
    customer.refresh_from_db()
    may = allows(role, "customers.edit_terms")
    assert form_has_terms == may
    assert (customer.price_level.code == "C") == may


@pytest.mark.parametrize("role", ROLES)
def test_customers_change_status(role, customer):
    client = client_for(role)
    before = store_state()
    response = client.post(url("customer_status", customer), {"status": "credit_hold", "reason": "check",
                                                              "version": customer.version})
    customer.refresh_from_db()
    if allows(role, "customers.change_status"):
        assert response.status_code == 302 and customer.status == CustomerStatus.CREDIT_HOLD
    else:
        assert response.status_code == 403 and store_state() == before
        assert client.post(url("customer_deactivate", customer)).status_code == 403
        assert store_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_customers_delete(role, customer):
    client = client_for(role)
    page = client.get(url("customer_detail", customer)).content.decode()
    before = store_state()
    response = client.post(url("customer_delete", customer), {"version": customer.version})
    may = allows(role, "customers.delete")
    assert (url("customer_delete", customer) in page) == may
    assert Customer.objects.filter(pk=customer.pk).exists() != may
    if not may:
        assert response.status_code == 403 and store_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_customers_view_audit(role, customer):
    page = client_for(role).get(url("customer_detail", customer)).content.decode()
    may = allows(role, "customers.view_audit")
    assert ('id="audit"' in page) == may
    assert ("customer.created" in page) == may


@pytest.mark.parametrize("role", ROLES)
def test_messages_log(role, customer):
    client_for(role).post(url("customer_message_log", customer), {"channel": "phone", "direction": "inbound",
                                                                  "body": "Called about mugs"})
    assert allows(role, "messages.log") and Message.objects.filter(customer=customer).count() == 1
