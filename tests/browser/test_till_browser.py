"""The till and the customer's account in a real browser (Chromium through Playwright): a cashier
sells on account, a manager sees the balance rise and records a payment, and a charge over the
limit is refused on screen."""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import CreditAccount
from patron.customers.tests.factories import customer_factory
from patron.sales.models import Sale
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




def open_till(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Till").click()
    expect(page.get_by_role("heading", name="Till", exact=True)).to_be_visible()
    page.wait_for_load_state("load")  # htmx has wired up the search box


def select_customer(page: Page, term: str, name: str) -> None:
    """Type in "Select customer": the results follow by htmx; pick the customer."""
    page.get_by_placeholder("Name, phone or account number").fill(term)
    results = page.locator("#till-results")
    expect(results).to_contain_text(name)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    results.get_by_role("button", name=f"Select {name}").click()
    expect(page.locator("#cart-customer")).to_contain_text(name)


def add_line(page: Page, description: str, unit_price: str) -> None:
    form = page.locator(".line-form")
    form.get_by_label("Description").fill(description)
    form.get_by_label("Unit price").fill(unit_price)
    form.get_by_role("button", name="Add line").click()
    expect(page.locator("#cart")).to_contain_text(description)


def open_customer(page: Page, live_server, customer) -> None:
    page.goto(f"{live_server.url}/customers/{customer.uuid}/#account")
    expect(page.locator("h1")).to_have_text(customer.name)


def test_sell_on_account_pay_and_refuse_a_charge_over_the_limit(page: Page, live_server):
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    customer = customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-100")
    credit.set_credit_limit(actor=system_actor(), customer=customer, credit_limit="100.00")

    # a cashier at the till sells on account
    log_in(page, live_server, Role.CASHIER)
    open_till(page)
    select_customer(page, "schmidt", "Anna Schmidt")
    expect(page.locator("#available-credit")).to_contain_text("$100.00")
    add_line(page, "Teapot", "35.00")
    expect(page.locator("#cart-total")).to_have_text("$35.00")
    page.locator("#pay").get_by_label("On account").fill("35.00")
    page.get_by_role("button", name="Complete sale").click()
    expect(page.get_by_role("heading", name=re.compile(r"Sale \d+ recorded"))).to_be_visible()
    sale = Sale.objects.get()
    expect(page.locator("#done-number")).to_have_text(sale.number)

    # a manager sees the balance risen, records a payment and sees it fall
    log_in(page, live_server, Role.MANAGER)
    open_customer(page, live_server, customer)
    account = page.locator("#account")
    expect(account.locator("#account-balance")).to_have_text("$35.00")
    expect(account.locator("#account-available")).to_have_text("$65.00")
    payment = account.locator(".payment-form")
    payment.get_by_label("Amount").fill("20.00")
    payment.get_by_label("Method").select_option("card")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.locator(".messages")).to_contain_text("Payment of $20.00 recorded")
    expect(page.locator("#account-balance")).to_have_text("$15.00")

    # back at the till, a charge over the limit is refused on screen; the balance stays
    log_in(page, live_server, Role.CASHIER)
    open_till(page)
    select_customer(page, "K-100", "Anna Schmidt")
    expect(page.locator("#available-credit")).to_contain_text("$85.00")
    add_line(page, "Kettle", "90.00")
    page.locator("#pay").get_by_label("On account").fill("90.00")
    page.get_by_role("button", name="Complete sale").click()
    refusal = page.locator("#pay [role=alert]")
    expect(refusal).to_contain_text("over the credit limit of 100.00")
    expect(page.locator("#pay").get_by_label("On account")).to_have_value("90.00")
    assert Sale.objects.count() == 1
    assert CreditAccount.objects.get(customer=customer).balance == 15

    # paid partly in cash instead ("Rest" fills what is left), the sale goes through
    page.locator("#pay").get_by_label("On account").fill("80.00")
    page.locator("#pay .tender", has=page.get_by_label("Cash")).get_by_role("button", name="Rest").click()
    expect(page.locator("#pay").get_by_label("Cash")).to_have_value("10.00")
    page.get_by_role("button", name="Complete sale").click()
    expect(page.get_by_role("heading", name=re.compile(r"Sale \d+ recorded"))).to_be_visible()
    assert CreditAccount.objects.get(customer=customer).balance == 95
