"""The till driven by the keyboard alone in a real browser (issue 18): find a customer by typing,
move through the results with the arrows, select with Enter, ring up a line, sell on account, pick
the authorized buyer and complete the sale; Esc clears, F2 and "/" come back to the search, and
Enter pressed before the results arrive waits for them. Nothing reaches the console."""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import CreditAccount
from patron.customers.actions import add_contact
from patron.customers.tests.factories import customer_factory
from patron.sales.models import Sale
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id")


def tab_to(page: Page, element_id: str, limit: int = 25) -> None:
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    assert focused_id(page) == element_id


def test_a_sale_on_account_by_keyboard_alone_records_the_buyer(page: Page, live_server):
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    anna = customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-100")
    customer_factory(first_name="Berta", last_name="Schmidt", account_number="K-200")
    credit.set_credit_limit(actor=system_actor(), customer=anna, credit_limit="100.00")
    ben = add_contact(actor=system_actor(), customer=anna,
                      values={"first_name": "Ben", "last_name": "Schmidt", "role": "spouse",
                              "is_authorized_buyer": True})
    log_in(page, live_server, Role.CASHIER)
    errors = console_errors(page)
    page.goto(f"{live_server.url}/till/")
    search = page.locator("#id_q")
    expect(search).to_be_focused()  # the till opens on its search

    # Esc clears what was typed and what was found
    page.keyboard.type("schmidt")
    expect(page.locator("#till-results .till-pick")).to_have_count(2)
    page.keyboard.press("Escape")
    expect(search).to_have_value("")
    expect(page.locator("#till-results .till-pick")).to_have_count(0)

    # the arrows move through the results; Enter selects the one reached
    page.keyboard.type("schmidt")
    picks = page.locator("#till-results .till-pick")
    expect(picks).to_have_count(2)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    labels = [picks.nth(index).get_attribute("aria-label") for index in range(2)]
    for _ in range(labels.index("Select Anna Schmidt") + 1):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="Select Anna Schmidt")).to_be_focused()
    page.keyboard.press("ArrowUp" if labels.index("Select Anna Schmidt") else "ArrowDown")
    page.keyboard.press("ArrowDown" if labels.index("Select Anna Schmidt") else "ArrowUp")
    expect(page.get_by_role("button", name="Select Anna Schmidt")).to_be_focused()
    page.keyboard.press("Enter")

    # the customer at a glance, and the cursor on the next line of the cart
    customer = page.locator("#cart-customer")
    expect(customer).to_contain_text("Anna Schmidt")
    expect(customer).to_contain_text("K-100")
    expect(customer.locator("#till-balance")).to_have_text("$0.00")
    expect(customer.locator("#authorized-buyers")).to_contain_text("Ben Schmidt (spouse)")
    expect(page.locator("#id_description")).to_be_focused()
    page.keyboard.type("Teapot")
    tab_to(page, "id_unit_price")
    page.keyboard.type("35.00")
    page.keyboard.press("Enter")
    expect(page.locator("#cart-total")).to_have_text("$35.00")
    expect(page.locator("#id_description")).to_be_focused()

    # on account, bought by Ben
    tab_to(page, "id_on_account")
    page.keyboard.type("35.00")
    tab_to(page, "id_bought_by")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_bought_by")).to_have_value(str(ben.uuid))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Complete sale")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"Sale \d+ recorded"))).to_be_visible()
    sale = Sale.objects.get()
    assert sale.customer == anna and sale.bought_by == ben and sale.total == 35
    assert CreditAccount.objects.get(customer=anna).balance == 35

    # F2 and "/" come back to the search from anywhere on the till
    page.goto(f"{live_server.url}/till/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_id(page) != "id_q"
    page.keyboard.press("F2")
    expect(search).to_be_focused()
    page.get_by_role("button", name="Search").focus()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")

    # Enter typed before the results arrive waits for them and selects the only match
    page.keyboard.type("K-200")
    page.keyboard.press("Enter")
    expect(page.locator("#cart-customer")).to_contain_text("Berta Schmidt")
    assert errors == []
