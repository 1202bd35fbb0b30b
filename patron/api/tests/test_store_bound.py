"""Issue 15 (2): the till's store over the API. A store-bound token serves only customers available
at its store and records at its own store; admins and tokens without a store act for the whole shop
(docs/permissions.md, "Where"). The rule lives in the actions, so the web till and the CLI obey it too."""

import pytest
from django.test import Client

from patron.api.tests.conftest import ApiClient, assert_problem, key
from patron.core.actors import system_actor
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import LedgerEntry
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import create_location, save_location_group
from patron.locations.models import Location
from patron.locations.queries import default_location
from patron.sales.models import Order, Sale
from patron.staff.actions import create_api_token
from patron.staff.tests.factories import token_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(system):
    harbour = create_location(actor=system, code="S02", name="Harbour", kind="store",
                              parent=Location.objects.get(code="HQ"))
    harbour_only = save_location_group(actor=system, name="Harbour only", locations=[harbour])
    credit.set_credit_enabled(actor=system, is_enabled=True)
    sea = customer_factory(first_name="Sea", last_name="Schmidt", location_groups=[harbour_only])
    anna = customer_factory(first_name="Anna", last_name="Schmidt")  # the default groups: every store
    for customer in (sea, anna):
        credit.set_credit_limit(actor=system, customer=customer, credit_limit="500.00")
    return {"main": default_location(), "harbour": harbour, "sea": sea, "anna": anna}


def _client(role=Role.CASHIER, location=None) -> ApiClient:
    if location is None:
        return ApiClient(Client(), token_factory(role)[1])  # the first store, S01
    return ApiClient(Client(), token_factory(role, location=location)[1])


def _sale(customer=None, tender="cash", **fields) -> dict:
    body = {"source": "till-1", "number": "1001",
            "lines": [{"description": "Blue mug", "quantity": "1", "unit_price": "12.50"}],
            "payments": [{"tender": tender, "amount": "12.50"}], **fields}
    if customer is not None:
        body["customer"] = str(customer.uuid)
    return body


def _counts() -> tuple:
    return Sale.objects.count(), Order.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("tender", ["cash", "on_account"])
def test_a_till_cannot_sell_to_a_customer_not_available_at_its_store(shop, tender):
    till, before = _client(), _counts()
    response = till.post("/sales", _sale(shop["sea"], tender), headers=key())
    assert_problem(response, 409, "customer-not-available-here")
    assert _counts() == before
    assert till.post("/sales", _sale(shop["anna"], tender), headers=key("2")).status_code == 201


def test_a_till_cannot_charge_or_take_payments_for_a_customer_not_available_at_its_store(shop):
    till, before = _client(), _counts()
    sea = f"/customers/{shop['sea'].uuid}/credit"
    assert_problem(till.post(sea + "/charges", {"amount": "10.00"}, headers=key("c1")), 409,
                   "customer-not-available-here")
    assert_problem(till.post(sea + "/payments", {"amount": "10.00", "method": "cash"}, headers=key("p1")), 409,
                   "customer-not-available-here")
    assert _counts() == before
    anna = f"/customers/{shop['anna'].uuid}/credit"
    assert till.post(anna + "/charges", {"amount": "10.00"}, headers=key("c2")).status_code == 201


def test_a_till_cannot_take_orders_for_a_customer_not_available_at_its_store(shop):
    body = {"customer": str(shop["sea"].uuid), "source": "till-1", "number": "O-1", "kind": "layaway",
            "amount_due": "10.00"}
    till, before = _client(), _counts()
    assert_problem(till.post("/orders", body, headers=key()), 409, "customer-not-available-here")
    assert _counts() == before


def test_a_till_records_sales_and_orders_at_its_own_store_only(shop):
    till, before = _client(), _counts()
    elsewhere = str(shop["harbour"].uuid)
    problem = assert_problem(till.post("/sales", _sale(shop["anna"], location=elsewhere), headers=key("s")), 403,
                             "location-not-yours")
    assert problem["errors"][0]["pointer"] == "/location"
    assert_problem(till.post("/sales", _sale(location=elsewhere), headers=key("anonymous")), 403,
                   "location-not-yours")
    order = {"customer": str(shop["anna"].uuid), "source": "till-1", "number": "O-1", "kind": "layaway",
             "amount_due": "10.00", "location": elsewhere}
    assert_problem(till.post("/orders", order, headers=key("o")), 403, "location-not-yours")
    assert _counts() == before
    own = till.post("/sales", _sale(shop["anna"], location=str(shop["main"].uuid)), headers=key("own"))
    assert own.status_code == 201


def test_a_till_of_the_other_store_serves_its_customers_there(shop):
    response = _client(location=shop["harbour"]).post("/sales", _sale(shop["sea"], "on_account"), headers=key())
    assert response.status_code == 201, response.content
    assert response.json()["location"]["id"] == str(shop["harbour"].uuid)


def test_admins_and_tokens_without_a_store_act_for_the_whole_shop(shop):
    _, unbound = create_api_token(actor=system_actor(), name="Webshop", role=Role.MANAGER)
    elsewhere = str(shop["harbour"].uuid)
    for index, client in enumerate([_client(Role.ADMIN), ApiClient(Client(), unbound)]):
        response = client.post("/sales", _sale(shop["sea"], "on_account", number=f"W-{index}", location=elsewhere),
                               headers=key(f"w{index}"))
        assert response.status_code == 201, response.content
