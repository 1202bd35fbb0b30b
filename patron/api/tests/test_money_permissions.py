"""The permission matrix, cell by cell, for sales, orders, credit and points."""

from types import SimpleNamespace

import pytest

from patron.api.tests.conftest import assert_problem, key
from patron.core.models import AuditEvent
from patron.core.permissions import Role, allows
from patron.credit.actions import post_charge
from patron.credit.models import CreditAccount, LedgerEntry
from patron.locations.queries import default_location
from patron.loyalty.models import PointsEntry
from patron.sales.actions import record_order
from patron.sales.models import Order, Sale
from patron.sales.tests.factories import sale_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(system, holder):
    entry = post_charge(actor=system, customer=holder, amount="50.00")
    order = record_order(actor=system, customer=holder, source="till-1", number="W-1", kind="work_order",
                         location=default_location(), amount_due="10.00")
    return SimpleNamespace(customer=holder, entry=entry, sale=sale_factory(holder), order=order)


def _customer(r) -> str:
    return f"/customers/{r.customer.uuid}"


def _sale_body(r) -> dict:
    return {"source": "till-9", "number": "1", "customer": str(r.customer.uuid),
            "lines": [{"description": "Mug", "quantity": "1", "unit_price": "5.00"}],
            "payments": [{"tender": "on_account", "amount": "5.00"}]}


# (permission, what a client does that needs it)
_CELLS = [
    ("customers.view", lambda api, r: api.get(_customer(r) + "/terms")),
    ("sales.view", lambda api, r: api.get("/sales")),
    ("sales.view", lambda api, r: api.get(f"/sales/{r.sale.uuid}")),
    ("sales.view", lambda api, r: api.get(_customer(r) + "/purchases")),
    ("sales.view", lambda api, r: api.get(_customer(r) + "/purchases/summary")),
    ("sales.view", lambda api, r: api.get(f"/orders/{r.order.uuid}")),
    ("sales.view", lambda api, r: api.get(_customer(r) + "/orders")),
    ("sales.record", lambda api, r: api.post("/sales", _sale_body(r), headers=key())),
    ("sales.email_receipt", lambda api, r: api.post(f"/sales/{r.sale.uuid}/receipt", {"to": "ada@example.org"})),
    ("orders.record", lambda api, r: api.post("/orders", {"customer": str(r.customer.uuid), "source": "till-1",
                                                          "number": "W-2", "kind": "layaway", "amount_due": "1.00"})),
    ("orders.record", lambda api, r: api.patch(f"/orders/{r.order.uuid}", {"status": "completed"}, if_match=1)),
    ("credit.view", lambda api, r: api.get(_customer(r) + "/credit")),
    ("credit.view", lambda api, r: api.get(_customer(r) + "/credit/entries")),
    ("credit.view", lambda api, r: api.get(f"/credit/entries/{r.entry.uuid}")),
    ("credit.view", lambda api, r: api.get(_customer(r) + "/credit/statement?start=2026-01-01&end=2026-12-31")),
    ("credit.charge", lambda api, r: api.post(_customer(r) + "/credit/charges", {"amount": "5.00"}, headers=key())),
    ("credit.record_payment", lambda api, r: api.post(_customer(r) + "/credit/payments",
                                                      {"amount": "5.00", "method": "cash"}, headers=key())),
    ("credit.adjust", lambda api, r: api.post(_customer(r) + "/credit/adjustments",
                                              {"amount": "-5.00", "note": "Goodwill"}, headers=key())),
    ("credit.reverse", lambda api, r: api.post(f"/credit/entries/{r.entry.uuid}/reversal", {}, headers=key())),
    ("credit.set_limit", lambda api, r: api.request("PUT", _customer(r) + "/credit", {"credit_limit": "900.00"})),
    ("credit.view_overdue", lambda api, r: api.get("/credit/overdue")),
    ("loyalty.view", lambda api, r: api.get(_customer(r) + "/points")),
    ("loyalty.adjust", lambda api, r: api.post(_customer(r) + "/points/adjustments", {"points": 5, "note": "Gift"},
                                               headers=key())),
]
CELLS = [pytest.param(permission, call, id=f"{permission}-{index}") for index, (permission,
                                                                                call) in enumerate(_CELLS)]
PERMISSIONS_COVERED = {permission for permission, _ in _CELLS}


def _state() -> tuple:
    return (AuditEvent.objects.count(), LedgerEntry.objects.count(), Sale.objects.count(), PointsEntry.objects.count(),
            list(Order.objects.order_by("pk").values_list("version", flat=True)),
            list(CreditAccount.objects.order_by("pk").values_list("credit_limit", "balance")))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission, call", CELLS)
def test_each_cell_of_the_matrix(api_as, records, role, permission, call):
    api = api_as(role)
    before = _state()
    response = call(api, records)
    if allows(role, permission):
        assert response.status_code < 300, response.content
    else:
        assert_problem(response, 403, "permission-denied")
        assert _state() == before
