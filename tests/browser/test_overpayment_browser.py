"""A payment larger than the balance in a real browser (issue 18): the page asks first and says
what becomes of the difference (kept as credit on the account); Cancel records nothing, the
confirmation records the payment."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import LedgerEntry
from patron.customers.tests.factories import customer_factory
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pay(page: Page, amount: str) -> None:
    payment = page.locator("#account .payment-form")
    payment.get_by_label("Amount").fill(amount)
    payment.get_by_label("Method").select_option("cash")
    payment.get_by_role("button", name="Record payment").click()


def test_an_overpayment_is_confirmed_first(page: Page, live_server):
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    credit.set_credit_limit(actor=system_actor(), customer=customer, credit_limit="100.00")
    credit.post_charge(actor=system_actor(), customer=customer, amount="40.00")
    log_in(page, live_server, Role.CASHIER)
    errors = console_errors(page)
    page.goto(f"{live_server.url}/customers/{customer.uuid}/#account")

    pay(page, "100")
    expect(page.get_by_role("heading", name="Confirm the payment")).to_be_visible()
    expect(page.locator("#overpayment-rule")).to_have_text(
        "Anna Schmidt owes $40.00. This payment of $100.00 settles that, and $60.00 more will be kept as credit "
        "on the account: the next charges spend it first.")
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#account-balance")).to_have_text("$40.00")
    assert not LedgerEntry.objects.filter(kind="payment").exists()

    pay(page, "100")
    page.get_by_role("button", name="Record the payment of $100.00").click()
    expect(page.locator(".messages")).to_contain_text("Payment of $100.00 recorded. Balance: -$60.00.")
    expect(page.locator("#account-credit-balance")).to_have_text("$60.00")
    assert LedgerEntry.objects.filter(kind="payment").count() == 1

    pay(page, "10")  # owing nothing now: every cent is an overpayment
    expect(page.locator("#overpayment-rule")).to_contain_text("Anna Schmidt owes nothing.")
    expect(page.locator("#overpayment-after")).to_contain_text("$70.00")
    assert errors == []
