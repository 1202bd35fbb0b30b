"""The customer pages in a real browser (Chromium through Playwright): create each kind, find
them, edit, quick edit, deactivate, and a rejected form keeping its input."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_list(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.wait_for_url(re.compile(r"/customers/$"))
    page.wait_for_load_state("load")  # htmx has wired up the search box


def start_new(page: Page, kind_label: str) -> None:
    open_list(page)
    page.get_by_role("link", name="+ New customer").click()
    page.locator(".kind-choice a", has_text=kind_label).click()


def search(page: Page, term: str) -> None:
    """Type in the list's search box: the results follow by htmx without a page load."""
    open_list(page)
    page.get_by_placeholder("Name, e-mail, phone or account number").fill(term)
    # htmx pushed this search into the address bar, then swapped and settled the results: only
    # then are the new rows wired up for quick edit.
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(quote(term)) + r"(&|$)"))
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def results(page: Page):
    return page.locator("#results")


def test_create_each_kind_find_edit_and_deactivate(page: Page, live_server):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server)

    # a private person (E04): the page opens on "Contact details" (E11)
    start_new(page, "Private person")
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("Schmidt")
    page.get_by_label("Mobile phone").fill("(202) 555-0143")
    page.get_by_label("E-mail", exact=True).fill("anna@example.com")
    page.get_by_role("button", name="Create private person").click()
    expect(page).to_have_url(re.compile(r"\?open=contact-details$"))
    expect(page.locator("h1")).to_have_text("Anna Schmidt")

    # a company with a representative (E05-E07)
    start_new(page, "Company")
    page.get_by_label("Company name").fill("Mug Shop")
    page.get_by_label("Phone", exact=True).fill("202 555 0100")
    page.get_by_text("+ Add representative").click()
    page.locator("#id_rep_first_name").fill("Rita")
    page.locator("#id_rep_last_name").fill("Rep")
    page.locator("#id_rep_mobile_phone").fill("202 555 0111")
    page.locator("#id_rep_role").fill("Owner")
    page.get_by_role("button", name="Create company").click()
    expect(page.locator("h1")).to_have_text("Mug Shop")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Contacts").click()  # the tab
    page.locator("#representatives").get_by_role("link", name="Rita Rep").click()
    expect(page.locator("#representatives")).to_contain_text("Mug Shop")

    # a placeholder (E08-E10): opens on "Notes"
    start_new(page, "Placeholder")
    page.get_by_label("Name", exact=True).fill("Walk-in counter")
    page.get_by_label("Customer number").fill("WALKIN-1")
    page.get_by_label("Always issue a formal invoice").check()
    page.get_by_role("button", name="Create placeholder").click()
    expect(page).to_have_url(re.compile(r"\?open=notes$"))
    expect(page.locator("#notes")).to_have_class(re.compile(r"\bopened\b"))

    # find them by name, phone and account number
    search(page, "schmidt anna")
    expect(results(page)).to_contain_text("Anna Schmidt")
    expect(results(page)).not_to_contain_text("Mug Shop")
    search(page, "202.555.0143")
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page)).to_contain_text("Anna Schmidt")
    search(page, "walkin-1")
    expect(results(page)).to_contain_text("Walk-in counter")
    expect(results(page).locator("tbody tr")).to_have_count(1)

    # quick edit of the e-mail in the list (G12)
    search(page, "Anna")
    results(page).get_by_text("anna@example.com").click()
    quick = results(page).locator(".quick-form input[name=value]")
    quick.fill("anna.schmidt@example.com")
    quick.press("Enter")  # at once: the form must already be wired up (no plain submit to the edit page)
    expect(results(page)).to_contain_text("anna.schmidt@example.com")
    expect(results(page).locator(".quick-form")).to_have_count(0)

    # edit on the full form (G11)
    results(page).get_by_role("link", name="Anna Schmidt", exact=True).click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Last name").fill("Schmidt-Berg")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("h1")).to_have_text("Anna Schmidt-Berg")

    # deactivate: gone from the default (till) list, found with the "inactive" filter
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator("#status-badge")).to_have_text("Inactive")
    search(page, "Schmidt-Berg")
    expect(results(page)).to_contain_text("No customers match")
    page.get_by_label("Status").select_option("inactive")
    expect(results(page)).to_contain_text("Anna Schmidt-Berg")


def test_rejected_form_keeps_the_input_and_shows_the_error_at_the_field(page: Page, live_server):
    log_in(page, live_server, Role.CASHIER)
    start_new(page, "Private person")
    page.get_by_label("First name").fill("Bert")
    page.get_by_label("Last name").fill("<b>Jones</b>")
    page.get_by_label("Mobile phone").fill("12")
    page.get_by_label("City").fill("Springfield")
    page.get_by_role("button", name="Create private person").click()
    field = page.locator(".field", has=page.locator("#id_mobile_phone"))
    expect(field.locator(".errorlist")).to_contain_text("phone number")
    expect(page.get_by_label("First name")).to_have_value("Bert")
    expect(page.get_by_label("Last name")).to_have_value("<b>Jones</b>")
    expect(page.get_by_label("Mobile phone")).to_have_value("12")
    expect(page.get_by_label("City")).to_have_value("Springfield")
    # fixed, it saves; the name with markup shows as text
    page.get_by_label("Mobile phone").fill("202 555 0190")
    page.get_by_role("button", name="Create private person").click()
    expect(page.locator("h1")).to_have_text("Bert <b>Jones</b>")
