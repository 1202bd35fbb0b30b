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
    assert reverse("web:customer_detail", args=[anna.uuid]) in page and 'name="anyway"' in page
    assert 'value="Anna.Meyer+shop@googlemail.com"' in page  # what was typed is kept


def test_create_anyway_creates_and_is_audited(anna):
    client = client_for(Role.CASHIER)
    response = client.post(create_url("person"), form_data(first_name="Anna", last_name="Meyer", anyway="1",
                                                           email="anna.meyer@gmail.com"))
    assert response.status_code == 302
    created = Customer.objects.exclude(pk=anna.pk).get(last_name="Meyer")
    event = AuditEvent.objects.get(action="customer.created_despite_duplicates")
    assert event.customer_uuid == created.uuid and event.data["candidates"][0]["customer"] == str(anna.uuid)


def test_no_warning_for_someone_new(anna):
    response = client_for(Role.CASHIER).post(create_url("person"), form_data(first_name="Otto", last_name="Meyer"))
    assert response.status_code == 302


# --- the review queue -------------------------------------------------------------------------

@pytest.fixture
def queued(anna):
    from patron.duplicates.scan import full_scan

    customer_factory(first_name="Ana", last_name="Meyer", emails=[{"address": "anna.meyer@gmail.com"}])
    full_scan()
    from patron.duplicates.models import DuplicatePair

    return DuplicatePair.objects.get()


def test_queue_shows_pairs_side_by_side_with_the_differences_marked(queued):
    page = client_for(Role.MANAGER).get(reverse("web:duplicate_queue")).content.decode()
    assert "Ana Meyer" in page and "Anna Meyer" in page and "same e-mail, name similar" in page
    assert 'class="differs"' in page and f"/customers/{queued.first.uuid}/merge/?others={queued.second.uuid}" in page
    assert "No likely duplicates" in client_for(Role.MANAGER).get(
        reverse("web:duplicate_queue") + "?reason=same_phone").content.decode()


def test_cashiers_may_not_review(queued):
    client = client_for(Role.CASHIER)
    assert client.get(reverse("web:duplicate_queue")).status_code == 403
    assert client.post(reverse("web:duplicate_not_same", args=[queued.pk])).status_code == 403


def test_not_the_same_from_the_queue(queued):
    client = client_for(Role.MANAGER)
    response = client.post(reverse("web:duplicate_not_same", args=[queued.pk]))
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == "not_same"
    assert "No likely duplicates" in client.get(reverse("web:duplicate_queue")).content.decode()


# --- changing a customer ------------------------------------------------------------------------

def test_a_change_that_makes_a_likely_duplicate_asks_first(anna):
    other = customer_factory(first_name="Ana", last_name="Meyer")
    client = client_for(Role.CASHIER)
    url = reverse("web:customer_edit", args=[other.uuid])
    data = {**form_data(first_name="Ana", last_name="Meyer", email="anna.meyer@gmail.com"), "version": other.version,
            "account_number": other.account_number}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "Did you mean" in page and "Save anyway" in page
    assert not other.emails.exists()
    response = client.post(url, {**data, "anyway": "1"})
    assert response.status_code == 302 and other.emails.get().address == "anna.meyer@gmail.com"
    event = AuditEvent.objects.get(action="customer.changed_despite_duplicates")
    assert event.customer_uuid == other.uuid and event.data["candidates"][0]["customer"] == str(anna.uuid)


def test_a_change_that_adds_nothing_new_does_not_ask(anna):
    client = client_for(Role.CASHIER)
    data = {**form_data(first_name="Anna", last_name="Meyer", email="anna.meyer@gmail.com", notes="Likes tea"),
            "version": anna.version, "account_number": anna.account_number}
    assert client.post(reverse("web:customer_edit", args=[anna.uuid]), data).status_code == 302


def test_did_you_mean_while_typing(anna):
    client = client_for(Role.CASHIER)
    url = reverse("web:duplicate_live_check", args=["person"])
    page = client.post(url, {"first_name": "anna", "last_name": "MEYER", "email": "annameyer+x@googlemail.com",
                             "mobile_phone": "not yet a phone"}).content.decode()
    assert "Did you mean" in page and "Anna Meyer" in page and "same e-mail, same name" in page
    assert client.post(url, {"first_name": "Otto", "last_name": "Krause"}).content.decode().strip() == ""
    assert client.post(reverse("web:duplicate_live_check", args=["alien"]), {}).status_code == 404
