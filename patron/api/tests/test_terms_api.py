"""The terms a till receives when a cashier selects a customer."""

import pytest

from patron.api.tests.conftest import assert_problem
from patron.credit.actions import post_charge
from patron.customers.actions import add_contact, change_status
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.loyalty.actions import adjust_points

pytestmark = pytest.mark.django_db


def _terms(api, customer) -> dict:
    response = api.get(f"/customers/{customer.uuid}/terms")
    assert response.status_code == 200, response.content
    return response.json()


def test_terms_of_a_customer_with_credit_points_and_buyers(api, system, holder):
    add_contact(actor=system, customer=holder, values={"first_name": "Bo", "last_name": "Buyer", "role": "spouse",
                                                       "is_authorized_buyer": True})
    add_contact(actor=system, customer=holder, values={"first_name": "No", "last_name": "Buyer"})
    post_charge(actor=system, customer=holder, amount="120.00")
    adjust_points(actor=system, customer=holder, points=250, note="Welcome")
    terms = _terms(api, holder)
    buyer = holder.contacts.get(first_name="Bo")
    assert terms | {"photo_url": None} == {
        "id": str(holder.uuid), "name": holder.name, "account_number": holder.account_number, "status": "active",
        "photo_url": None, "photo_version": 0, "may_buy": True, "may_buy_on_account": True, "on_account_refusal": "",
        "price_level": holder.price_level.code, "default_discount": "0.00", "is_tax_exempt": False,
        "always_formal_invoice": False, "has_credit": True, "credit_limit": "500.00", "balance": "120.00",
        "available_credit": "380.00", "chargeable": "380.00", "currency": "USD", "points_balance": 250,
        "points_value": "2.50",
        "authorized_buyers": [{"id": str(buyer.uuid), "name": "Bo Buyer", "role": "spouse"}],
    }


def test_a_customer_on_hold_may_buy_but_not_on_account_and_the_till_is_told_why(api, system, holder):
    change_status(actor=system, customer=holder, status=CustomerStatus.CREDIT_HOLD)
    terms = _terms(api, holder)
    assert (terms["status"], terms["may_buy"], terms["may_buy_on_account"], terms["available_credit"]) == (
        "credit_hold", True, False, "0.00")
    assert "credit hold" in terms["on_account_refusal"]


def test_a_customer_without_credit_is_told_so(api, credit_on):
    terms = _terms(api, customer_factory())
    assert (terms["has_credit"], terms["may_buy_on_account"], terms["credit_limit"]) == (False, False, "0.00")
    assert "no credit account" in terms["on_account_refusal"]


def test_unknown_customer_is_404(api):
    import uuid

    assert_problem(api.get(f"/customers/{uuid.uuid4()}/terms"), 404, "customer-not-found")
