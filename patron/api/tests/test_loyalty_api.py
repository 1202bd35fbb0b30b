"""Loyalty points through the API: balance and history, a manager's adjustments."""

import pytest

from patron.api.tests.conftest import assert_problem, key, pointers
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.loyalty.models import PointsEntry
from patron.sales.tests.factories import line, sale_factory

pytestmark = pytest.mark.django_db


def _points(customer) -> str:
    return f"/customers/{customer.uuid}/points"


def _state() -> tuple:
    return PointsEntry.objects.count(), AuditEvent.objects.count()


def test_balance_value_and_history_newest_first_page_by_page(api):
    customer = customer_factory()
    for price in ("10.00", "25.00", "7.00"):
        sale_factory(customer, lines=[line(unit_price=price)])  # 1 point per unit, worth 0.01 each
    first = api.get(_points(customer) + "?limit=2").json()
    assert (first["balance"], first["value"]) == (42, "0.42")
    assert [(entry["kind"], entry["points"], entry["balance_after"]) for entry in first["items"]] == [
        ("earn", 7, 42), ("earn", 25, 35)]
    rest = api.get(_points(customer) + f"?limit=2&cursor={first['next_cursor']}").json()
    assert ([entry["sequence"] for entry in rest["items"]], rest["next_cursor"], rest["balance"]) == ([1], None, 42)


def test_a_customer_without_points_has_an_empty_history(api):
    assert api.get(_points(customer_factory())).json() == {"balance": 0, "value": "0.00", "items": [],
                                                           "next_cursor": None}


def test_managers_adjust_points_with_a_reason(api):
    customer = customer_factory()
    response = api.post(_points(customer) + "/adjustments", {"points": 150, "note": "Welcome bonus"}, headers=key())
    assert response.status_code == 201, response.content
    assert {name: response.json()[name] for name in ("kind", "points", "balance_after", "note")} == {
        "kind": "adjustment", "points": 150, "balance_after": 150, "note": "Welcome bonus"}
    assert api.get(_points(customer)).json()["balance"] == 150


@pytest.mark.parametrize("body, status, code, pointer", [
    ({"points": -1, "note": "Typo"}, 422, "not-enough-points", None),
    ({"points": 0, "note": "Nothing"}, 422, "validation-failed", "/points"),
    ({"points": 1.5, "note": "Half"}, 422, "validation-failed", "/points"),
    ({"points": "10", "note": "Text"}, 422, "validation-failed", "/points"),
    ({"points": 10_000_000, "note": "Huge"}, 422, "validation-failed", "/points"),
    ({"points": 10, "note": ""}, 422, "validation-failed", "/note"),
    ({"points": 10}, 422, "validation-failed", "/note"),
])
def test_refused_adjustments_change_nothing(api, body, status, code, pointer):
    customer = customer_factory()
    before = _state()
    problem = assert_problem(api.post(_points(customer) + "/adjustments", body, headers=key()), status, code)
    if pointer:
        assert pointers(problem) == {pointer}
    assert _state() == before


def test_cashiers_see_points_but_may_not_adjust_them(api_as):
    cashier, customer = api_as(Role.CASHIER), customer_factory()
    assert cashier.get(_points(customer)).status_code == 200
    before = _state()
    assert_problem(cashier.post(_points(customer) + "/adjustments", {"points": 5, "note": "Friend"}, headers=key()),
                   403, "permission-denied")
    assert _state() == before
