"""Finding a customer at the till in a real browser (Chromium through Playwright): the results follow
what the cashier types, key by key, without Enter and without a page load; part of a name, a phone
in another format and a misspelt name all find the customer, and an inactive one is never offered."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from tests.browser.support import log_in
from tests.browser.test_till_browser import open_till

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SETTLED = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def type_in_search(page: Page, text: str) -> None:
    """Clear "Select customer" and type ``text`` key by key, as a cashier does (no Enter); return
    once htmx has fetched and swapped in the results for the whole text."""
    box = page.get_by_placeholder("Name, phone or account number")
    box.clear()
    with page.expect_response(lambda response: _searched(response.url) == text):
        box.press_sequentially(text, delay=40)
    page.wait_for_function(SETTLED)


def _searched(url: str) -> str | None:
    parts = urlsplit(url)
    return parse_qs(parts.query).get("q", [None])[0] if parts.path == "/till/" else None


def test_the_till_finds_the_customer_as_the_cashier_types(page: Page, live_server):
    customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-100",
                     phones=[{"kind": "mobile", "number": "(202) 555-0143"}])
    customer_factory(first_name="Bert", last_name="Jones", phones=[{"kind": "mobile", "number": "(415) 555-0199"}])
    customer_factory(first_name="Ingrid", last_name="Schmidtbauer", status=CustomerStatus.INACTIVE)
    log_in(page, live_server, Role.CASHIER)
    open_till(page)
    page.evaluate("window.tillPageNotReloaded = true")  # gone if typing ever loads a new page
    results = page.locator("#till-results")

    # part of a name
    type_in_search(page, "schm")
    expect(results).to_contain_text("Anna Schmidt")
    expect(results).to_contain_text("matched: name (start)")
    expect(results).not_to_contain_text("Bert Jones")

    # the phone, typed in another format than it was entered
    type_in_search(page, "202.555.0143")
    expect(results).to_contain_text("matched: phone")
    expect(results.locator("li")).to_have_count(1)
    expect(results).to_contain_text("Anna Schmidt")

    # a misspelt name
    type_in_search(page, "Shcmidt")
    expect(results).to_contain_text("matched: name (similar spelling)")
    expect(results).to_contain_text("Anna Schmidt")

    # an inactive customer is never offered, however exactly typed
    type_in_search(page, "Ingrid Schmidtbauer")
    expect(results).to_contain_text("No customer found at this store")
    expect(results).not_to_contain_text("Ingrid")

    assert page.evaluate("window.tillPageNotReloaded") is True
    assert page.get_by_placeholder("Name, phone or account number").input_value() == "Ingrid Schmidtbauer"

    # and the customer found by typing is the one selected
    type_in_search(page, "k-100")
    expect(results).to_contain_text("matched: account number")
    results.get_by_role("button", name="Select Anna Schmidt").click()
    expect(page.locator("#cart-customer")).to_contain_text("Anna Schmidt")
