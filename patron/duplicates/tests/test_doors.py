"""Every door that creates customers: the webshop channel links a strong match instead of
creating a second customer."""

import pytest

from patron.channels.models import ExternalReference
from patron.channels.tests.support import customer_body, deliver
from patron.core.models import AuditEvent
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def test_webshop_delivery_of_a_known_customer_is_linked_not_created(client, shop):
    known = customer_factory(first_name="Maren", last_name="Holt", emails=[{"address": "Maren+shop@Example.com"}])
    response = deliver(client, "webshop", shop.test_secret, customer_body())
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "linked" and response.json()["customer_id"] == str(known.uuid)
    assert Customer.objects.count() == 1
    assert ExternalReference.objects.get().customer == known
    linked = AuditEvent.objects.get(action="channel.customer_linked")
    assert linked.data["reasons"] == ["same_email", "same_name"]
    # the webshop's later changes now reach the known customer
    later = deliver(client, "webshop", shop.test_secret, customer_body(updated_at="2026-11-21T10:00:00Z",
                                                                       note="Leave at the door"))
    assert later.json()["outcome"] == "updated" and later.json()["customer_id"] == str(known.uuid)


def test_webshop_delivery_of_a_namesake_makes_a_new_customer(client, shop):
    customer_factory(first_name="Maren", last_name="Holt", emails=[{"address": "other@example.com"}])
    response = deliver(client, "webshop", shop.test_secret, customer_body())
    assert response.status_code == 201 and response.json()["outcome"] == "created"
    assert Customer.objects.count() == 2
