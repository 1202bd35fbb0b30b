"""The customer page's tabs in a real browser (issue 18): Overview, Details, Purchases, Account,
Contacts, Messages, Marketing and History, one tab's sections at a time under the header; the
address keeps the tab (a reload, or a form that returns to #account, opens it)."""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.customers.tests.factories import customer_factory
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABS = ["Overview", "Details", "Purchases", "Account", "Contacts", "Messages", "Marketing", "History"]


def test_the_customer_page_shows_one_tab_at_a_time_and_the_address_keeps_it(page: Page, live_server):
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    credit.set_credit_limit(actor=system_actor(), customer=customer, credit_limit="100.00")
    credit.post_charge(actor=system_actor(), customer=customer, amount="40.00")
    log_in(page, live_server, Role.MANAGER)
    errors = console_errors(page)
    page.goto(f"{live_server.url}/customers/{customer.uuid}/")
    tabs = page.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(tabs).to_have_text(TABS)
    current = page.locator("[data-section-tabs] [aria-current=page]")
    expect(current).to_have_text("Overview")
    expect(page.locator("#contact-details")).to_be_visible()
    expect(page.locator("#notes")).to_be_visible()
    expect(page.locator("#account")).to_be_hidden()
    expect(page.locator("#audit")).to_be_hidden()

    tabs.filter(has_text="Account").click()
    expect(current).to_have_text("Account")
    expect(page.locator("#account")).to_be_visible()
    expect(page.locator("#contact-details")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"#account$"))
    expect(page.locator("h1")).to_have_text("Anna Schmidt")  # the header stays

    # a payment returns to #account: the Account tab opens again
    payment = page.locator("#account .payment-form")
    payment.get_by_label("Amount").fill("15.00")
    payment.get_by_label("Method").select_option("cash")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.locator(".messages")).to_contain_text("Payment of $15.00 recorded")
    expect(current).to_have_text("Account")
    expect(page.locator("#account-balance")).to_have_text("$25.00")

    tabs.filter(has_text="History").click()
    expect(page.locator("#status")).to_be_visible()
    expect(page.locator("#audit")).to_be_visible()
    page.reload()
    expect(current).to_have_text("History")
    expect(page.locator("#status")).to_be_visible()
    expect(page.locator("#account")).to_be_hidden()

    # a refused form opens on its own tab, with its error in view (its address names no section)
    status = page.locator("#status .status-form")
    status.get_by_label("New status").select_option("credit_hold")
    too_long = "(input) => { input.removeAttribute('maxlength'); input.value = 'x'.repeat(501); }"
    status.get_by_label("Reason").evaluate(too_long)  # past the browser's own limit: the server refuses
    status.get_by_role("button", name="Change status").click()
    expect(page.locator("#status [data-error-summary]")).to_be_visible()
    expect(current).to_have_text("History")
    expect(page.locator("#status [data-error-summary]")).to_be_in_viewport()
    assert errors == []
