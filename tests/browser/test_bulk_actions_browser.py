"""Bulk actions on the customer list in Chromium: tick rows (one by one and the whole page), see
the count, tag them after a confirmation, then change their status with a reason; no console
errors."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.models import Customer, CustomerStatus, StatusChange
from patron.customers.tests.factories import customer_factory
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tick_rows_tag_them_and_change_their_status_with_a_reason(page: Page, live_server):
    for first, number in (("Anna", "K-1"), ("Bert", "K-2"), ("Cleo", "K-3")):
        customer_factory(first_name=first, last_name="Kern", account_number=number)
    errors = console_errors(page)
    log_in(page, live_server, Role.MANAGER)
    count = page.locator("#bulk-count")
    expect(count).to_have_text("0")

    page.get_by_label("Select Anna Kern (K-1)").check()
    page.get_by_label("Select Cleo Kern (K-3)").check()
    expect(count).to_have_text("2")
    page.get_by_label("Action").select_option("tag")
    expect(page.get_by_label("Change to")).to_be_hidden()  # only what the action needs
    page.get_by_label("Tag", exact=True).fill("VIP")
    page.get_by_role("button", name="Apply to the selected").click()
    expect(page.get_by_role("heading", name="Tag 2 customers as “VIP”?")).to_be_visible()
    page.get_by_role("button", name="Tag 2 customers as “VIP”").click()
    expect(page.get_by_text("2 changed, 0 already so, 0 not changed.")).to_be_visible()
    assert sorted(Customer.objects.filter(tags__name="VIP").values_list("account_number", flat=True)) == [
        "K-1", "K-3"]

    page.get_by_label("Select all customers on this page").check()
    expect(count).to_have_text("3")
    page.get_by_label("Select Bert Kern (K-2)").uncheck()
    expect(count).to_have_text("2")
    expect(page.get_by_label("Select all customers on this page")).not_to_be_checked()
    page.get_by_label("Action").select_option("status")
    page.get_by_label("Change to").select_option("credit_hold")
    page.get_by_label("Reason").fill("Unpaid invoices")
    page.get_by_role("button", name="Apply to the selected").click()
    page.get_by_role("button", name="Change the status of 2 customers to “On credit hold”").click()
    expect(page.get_by_text("2 changed, 0 already so, 0 not changed.")).to_be_visible()
    assert sorted(Customer.objects.filter(status=CustomerStatus.CREDIT_HOLD).values_list(
        "account_number", flat=True)) == ["K-1", "K-3"]
    assert set(StatusChange.objects.filter(to_status="credit_hold").values_list("reason", flat=True)) == {
        "Unpaid invoices"}
    assert errors == []


def test_choose_the_lists_columns_from_the_menu(page: Page, live_server):
    customer_factory(first_name="Anna", last_name="Kern", account_number="K-1", tags=["VIP"])
    errors = console_errors(page)
    log_in(page, live_server, Role.MANAGER)
    table = page.locator("table.customers")
    expect(table.get_by_role("columnheader", name="Phone")).to_be_visible()
    page.get_by_text("Columns", exact=True).click()
    page.get_by_role("checkbox", name="Phone").uncheck()
    page.get_by_role("checkbox", name="Tags").check()
    page.get_by_role("button", name="Save columns").click()
    expect(page.get_by_text("Columns saved.")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Phone")).to_have_count(0)
    expect(table.get_by_role("columnheader", name="Tags")).to_be_visible()
    expect(table.get_by_role("cell", name="VIP")).to_be_visible()
    page.reload()
    expect(table.get_by_role("columnheader", name="Tags")).to_be_visible()  # kept for this user
    assert errors == []
