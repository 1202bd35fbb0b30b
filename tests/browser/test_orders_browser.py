"""Orders in the back office in a real browser (issue 18): a new order from the customer's
Purchases tab, lines typed in German notation, then the open order edited."""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.sales.models import Order
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cashier_takes_an_order_and_edits_it(page: Page, live_server):
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    log_in(page, live_server, Role.CASHIER)
    errors = console_errors(page)
    page.goto(f"{live_server.url}/customers/{customer.uuid}/#purchases")
    orders = page.locator("#orders")
    orders.get_by_role("link", name="New order").click()
    expect(page.get_by_role("heading", name="New order")).to_be_visible()

    page.get_by_label("Type").select_option("special_order")
    page.get_by_label("Note").fill("Collect on Friday")
    page.get_by_label("Description, line 1").fill("Teapot")
    page.get_by_label("Quantity, line 1").fill("2")
    page.get_by_label("Unit price, line 1").fill("1,234.50")
    page.get_by_label("Description, line 2").fill("Cups")
    page.get_by_label("Quantity, line 2").fill("four")  # refused, and the first line stays as typed
    page.get_by_label("Unit price, line 2").fill("3.00")
    page.get_by_role("button", name="Record order").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Correct the lines marked below.")
    expect(page.locator("#id_line-1-quantity_error")).to_contain_text("Enter a number")
    expect(page.get_by_label("Quantity, line 2")).to_be_focused()  # the first wrong field
    expect(page.get_by_label("Unit price, line 1")).to_have_value("1,234.50")
    assert not Order.objects.exists()

    page.get_by_label("Quantity, line 2").fill("4")
    page.get_by_role("button", name="Record order").click()
    expect(page.locator(".messages")).to_contain_text("Special order 000001 recorded.")
    expect(orders).to_be_visible()
    expect(orders).to_contain_text("$2,481.00")  # 2 × 1,234.50 + 4 × 3.00
    expect(orders).to_contain_text("Collect on Friday")

    orders.get_by_role("link", name="Edit Special order 000001").click()
    expect(page.get_by_role("heading", name="Edit Special order 000001")).to_be_visible()
    expect(page.get_by_label("Description, line 1")).to_have_value("Teapot")
    page.get_by_label("Description, line 2").fill("")
    page.get_by_label("Quantity, line 2").fill("")
    page.get_by_label("Unit price, line 2").fill("")  # an emptied row is no line
    page.get_by_label("Quantity, line 1").fill("1")
    page.get_by_label("Note").fill("Collect on Saturday")
    page.get_by_role("button", name="Save order").click()
    expect(page.locator(".messages")).to_contain_text("Special order 000001 saved.")
    expect(page).to_have_url(re.compile(r"\?open=orders"))
    expect(orders).to_contain_text("$1,234.50")
    expect(orders).to_contain_text("Collect on Saturday")
    order = Order.objects.get()
    assert order.lines.count() == 1 and order.version == 2
    assert errors == []
