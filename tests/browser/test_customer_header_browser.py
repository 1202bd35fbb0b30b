"""The customer page's header in a real browser (issue 18): after creating a customer the page
opens at the top with the header and the success message in view; the header says who this is
(name, account number, status, photo, balance, points, last visit, tags); erasing personal data
sits behind "More" and asks first."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.customers.models import Customer
from patron.loyalty import actions as loyalty
from patron.sales.tests.factories import line, sale_factory
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_customer_lands_on_the_header_and_rare_actions_are_behind_more(page: Page, live_server):
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    loyalty.update_loyalty_settings(actor=system_actor(), is_enabled=True, points_per_unit=Decimal("1"),
                                    point_value=Decimal("0.01"))
    log_in(page, live_server, Role.ADMIN)
    errors = console_errors(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    page.goto(f"{live_server.url}/customers/new/person/")
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("Schmidt")
    page.get_by_label("Tags").fill("VIP")
    page.get_by_label("Notes").fill("Long notes.\n" * 20)  # a long page: the landing must not scroll away
    page.get_by_role("button", name="Create private person").click()
    expect(page).to_have_url(re.compile(r"\?open=contact-details$"))
    message = page.locator(".messages li.success")
    expect(message).to_contain_text("Anna Schmidt was created with account number")
    page.wait_for_load_state("load")
    expect(message).to_be_in_viewport()
    expect(page.locator("h1")).to_be_in_viewport()
    expect(page.locator("#contact-details")).to_have_class(re.compile(r"\bopened\b"))
    customer = Customer.objects.get(last_name="Schmidt")

    # the header: who this is at a glance, also once there is a balance, points and a visit
    credit.set_credit_limit(actor=system_actor(), customer=customer, credit_limit="100.00")
    sale_factory(customer, lines=[line(unit_price="35.00")], payments=[{"tender": "on_account", "amount": "35.00"}])
    page.reload()
    head = page.locator("header.customer-head")
    expect(head.locator("h1")).to_have_text("Anna Schmidt")
    expect(head.locator("#head-account-number")).to_have_text(customer.account_number)
    expect(head.locator("#status-badge")).to_have_text("Active")
    expect(head.locator(".photo")).to_be_visible()
    expect(head.locator("#head-balance")).to_have_text("$35.00")
    expect(head.locator("#head-points")).to_have_text("35")
    expect(head.locator("#head-last-visit")).not_to_have_text("None yet")
    expect(head.locator("#head-tags")).to_contain_text("VIP")

    # erasure and deletion are behind "More", and erasure asks first
    erase = page.get_by_role("button", name="Erase personal data")
    expect(erase).to_be_hidden()
    expect(page.get_by_role("button", name="Delete")).to_be_hidden()
    page.get_by_text("More", exact=True).click()
    expect(erase).to_be_visible()
    page.get_by_label("Reason for erasure").fill("Asked by the customer")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    erase.click()
    assert asked and "Erase the personal data of Anna Schmidt?" in asked[0]
    expect(page.locator("h1")).to_have_text("Anna Schmidt")
    assert Customer.objects.get(pk=customer.pk).first_name == "Anna"
    assert errors == []
