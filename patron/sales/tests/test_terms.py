"""The terms a till shows when a customer is selected."""

from decimal import Decimal

import pytest

from patron.credit import actions as credit
from patron.customers.actions import add_contact, change_status
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.loyalty import actions as loyalty
from patron.sales.terms import customer_terms

pytestmark = pytest.mark.django_db
D = Decimal


def test_terms_of_a_customer_with_credit_points_and_buyers(system):
    credit.set_credit_enabled(actor=system, is_enabled=True)
    customer = customer_factory(price_level="B", default_discount="5", is_tax_exempt=True)
    credit.set_credit_limit(actor=system, customer=customer, credit_limit="300.00")
    credit.post_charge(actor=system, customer=customer, amount="120.00")
    loyalty.adjust_points(actor=system, customer=customer, points=250, note="Welcome")
    spouse = add_contact(actor=system, customer=customer, values={"first_name": "Kim", "is_authorized_buyer": True})
    add_contact(actor=system, customer=customer, values={"first_name": "Sam"})
    terms = customer_terms(customer)
    assert (terms.may_buy, terms.may_buy_on_account, terms.on_account_refusal) == (True, True, "")
    assert (terms.price_level, terms.default_discount, terms.is_tax_exempt) == ("B", D("5.00"), True)
    assert (terms.credit_limit, terms.balance, terms.available_credit) == (D("300.00"), D("120.00"), D("180.00"))
    assert (terms.points_balance, terms.points_value) == (250, D("2.50"))
    assert terms.authorized_buyers == [spouse]


def test_on_hold_customer_may_buy_but_not_on_account(system):
    credit.set_credit_enabled(actor=system, is_enabled=True)
    customer = customer_factory()
    credit.set_credit_limit(actor=system, customer=customer, credit_limit="300.00")
    change_status(actor=system, customer=customer, status=CustomerStatus.CREDIT_HOLD)
    terms = customer_terms(customer)
    assert (terms.may_buy, terms.may_buy_on_account, terms.available_credit) == (True, False, D("0.00"))
    assert "credit hold" in terms.on_account_refusal


def test_customer_without_credit_or_with_credit_off(system):
    customer = customer_factory()
    terms = customer_terms(customer)
    assert (terms.has_credit, terms.may_buy_on_account) == (False, False)
    assert terms.on_account_refusal == "Customer credit is switched off."
    change_status(actor=system, customer=customer, status=CustomerStatus.INACTIVE)
    assert customer_terms(customer).may_buy is False


def test_an_overpayment_adds_to_what_the_till_may_charge_but_not_to_the_available_credit(system):
    credit.set_credit_enabled(actor=system, is_enabled=True)
    customer = customer_factory()
    credit.set_credit_limit(actor=system, customer=customer, credit_limit="300.00")
    credit.post_payment(actor=system, customer=customer, amount="50.00", method="cash")
    terms = customer_terms(customer)
    assert (terms.balance, terms.available_credit, terms.chargeable, terms.may_buy_on_account) == (
        D("-50.00"), D("300.00"), D("350.00"), True)
