"""Duplicates in a real browser (Chromium through Playwright): "Did you mean ...?" while creating a
customer, choosing the existing one, creating anyway, and "not the same customer" in the queue."""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.duplicates.models import DuplicatePair, PairStatus
from patron.duplicates.scan import incremental_scan
from tests.browser.support import log_in
from tests.browser.test_customers_browser import start_new

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type_anna_again(page: Page) -> None:
    start_new(page, "Private person")
    page.get_by_label("First name").fill("ANNA")
    page.get_by_label("Last name").fill("schmidt")
    page.get_by_label("Mobile phone").fill("202-555-0143")
    page.get_by_role("button", name="Create private person").click()


def test_did_you_mean_then_use_the_existing_customer_or_create_anyway(page: Page, live_server):
    existing = customer_factory(first_name="Anna", last_name="Schmidt", phones=[{"number": "(202) 555-0143"}])
    log_in(page, live_server)

    start_new(page, "Private person")  # while typing, before anything is sent
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("Schmidt")
    page.get_by_label("Mobile phone").fill("+1 202 555 0143")
    page.get_by_label("Mobile phone").press("Tab")
    expect(page.get_by_test_id("did-you-mean")).to_contain_text("Anna Schmidt")

    _type_anna_again(page)
    warning = page.get_by_test_id("did-you-mean")
    expect(warning).to_contain_text("Did you mean")
    expect(warning).to_contain_text("Anna Schmidt")
    expect(warning).to_contain_text("same phone, same name")
    expect(page.get_by_label("Mobile phone")).to_have_value("202-555-0143")  # what was typed stays
    warning.get_by_role("link", name="Use this customer").click()
    expect(page).to_have_url(re.compile(rf"/customers/{existing.uuid}/"))
    expect(page.locator("h1")).to_have_text("Anna Schmidt")
    assert Customer.objects.count() == 1

    _type_anna_again(page)
    page.get_by_test_id("did-you-mean").get_by_role("button", name="Create anyway").click()
    expect(page).to_have_url(re.compile(r"\?open=contact-details$"))
    assert Customer.objects.count() == 2

    incremental_scan()
    page.goto(f"{live_server.url}/duplicates/")
    pair = page.locator(".duplicate-pair")
    expect(pair).to_contain_text("same phone, same name")
    expect(pair.locator("tr.differs").first).to_be_visible()
    pair.get_by_role("button", name="Not the same customer").click()
    expect(page.get_by_text("No likely duplicates to review.")).to_be_visible()
    assert DuplicatePair.objects.get().status == PairStatus.NOT_SAME
