"""Bulk actions on the customer list in Chromium: tick rows (one by one and the whole page), see
the count, tag them after a confirmation, then change their status with a reason; the Columns
menu; the new pages at a phone's width; no console errors."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers.models import Customer, CustomerStatus, StatusChange
from patron.customers.tests.factories import customer_factory
from patron.marketing import actions as marketing
from tests.browser.support import console_errors, log_in
from tests.browser.test_small_screen_browser import PHONE_WIDTH, assert_no_sideways_scroll

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


def test_the_new_parts_fit_a_phone(page: Page, live_server):
    customers = [customer_factory(first_name=f"Alexandra-Josephine {index}", last_name="Featherstonehaugh-Worthington",
                                  tags=["VIP"]) for index in range(2)]
    segment = marketing.create_segment(actor=system_actor(), values={"name": "Very important customers",
                                                                     "tags": ["VIP"]})
    errors = console_errors(page)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    log_in(page, live_server, Role.MANAGER)
    page.get_by_text("Columns", exact=True).click()
    expect(page.get_by_role("button", name="Save columns")).to_be_visible()
    assert_no_sideways_scroll(page, "list with the Columns menu open")
    page.get_by_text("Columns", exact=True).click()  # closed again
    page.get_by_label(f"Select {customers[0].name}", exact=False).check()
    page.get_by_label("Action").select_option("segment")
    page.get_by_label("Segment").select_option(label="Very important customers")
    page.get_by_role("button", name="Apply to the selected").click()
    question = "Add 1 customer to the segment “Very important customers”?"
    expect(page.get_by_role("heading", name=question)).to_be_visible()
    assert_no_sideways_scroll(page, "bulk confirmation")
    page.goto(f"{live_server.url}/segments/{segment.uuid}/edit/")
    assert_no_sideways_scroll(page, "segment edit")
    page.get_by_role("link", name="Open as a customer list").click()
    expect(page.locator("#segment-note")).to_contain_text("Very important customers")
    assert_no_sideways_scroll(page, "segment as a list")
    assert errors == []
