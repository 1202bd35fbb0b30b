""""Did you mean ...?" when creating a customer in the back office, and "create anyway" audited."""

import pytest
from django.urls import reverse

from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.web.tests.customer_support import client_for
from patron.web.tests.test_customer_create import create_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna():
    return customer_factory(first_name="Anna", last_name="Meyer", emails=[{"address": "anna.meyer@gmail.com"}])


def test_did_you_mean_lists_the_existing_customer_and_creates_nothing(anna):
    client = client_for(Role.CASHIER)
    before = Customer.objects.count()
    response = client.post(create_url("person"), form_data(first_name="ANNA", last_name="Meyer",
                                                           email="Anna.Meyer+shop@googlemail.com"))
    page = response.content.decode()
    assert response.status_code == 200 and Customer.objects.count() == before
    assert "Did you mean" in page and "same e-mail, same name" in page
    assert reverse("web:customer_detail", args=[anna.uuid]) in page and 'name="create_anyway"' in page
    assert 'value="Anna.Meyer+shop@googlemail.com"' in page  # what was typed is kept


def test_create_anyway_creates_and_is_audited(anna):
    client = client_for(Role.CASHIER)
    response = client.post(create_url("person"), form_data(first_name="Anna", last_name="Meyer", create_anyway="1",
                                                           email="anna.meyer@gmail.com"))
    assert response.status_code == 302
    created = Customer.objects.exclude(pk=anna.pk).get(last_name="Meyer")
    event = AuditEvent.objects.get(action="customer.created_despite_duplicates")
    assert event.customer_uuid == created.uuid and event.data["candidates"][0]["customer"] == str(anna.uuid)


def test_no_warning_for_someone_new(anna):
    response = client_for(Role.CASHIER).post(create_url("person"), form_data(first_name="Otto", last_name="Meyer"))
    assert response.status_code == 302
