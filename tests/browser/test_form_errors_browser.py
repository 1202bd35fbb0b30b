"""A refused form in a real browser (issue 18): every field's error at once, next to its field and
in a summary at the top, with the cursor on the first wrong field, scrolled into view."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.models import Customer
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_three_bad_fields_show_three_errors_at_once_and_the_cursor_is_on_the_first(page: Page, live_server):
    log_in(page, live_server, Role.CASHIER)
    errors = console_errors(page)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{live_server.url}/customers/new/company/")
    page.locator("#id_name").fill("Mug Shop")
    page.locator("#id_email").fill("nope")
    page.get_by_text("+ Add representative").click()
    page.locator("#id_rep_first_name").fill("Rita")
    page.locator("#id_rep_mobile_phone").fill("12")
    page.locator("#id_rep_email").fill("rita@")
    page.get_by_role("button", name="Create company").click()

    wrong = page.locator(".field.field-error")
    expect(wrong).to_have_count(3)
    for field_id in ("id_email", "id_rep_mobile_phone", "id_rep_email"):
        expect(page.locator(".field", has=page.locator(f"#{field_id}")).locator(".errorlist")).to_be_visible()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Please correct 3 errors:")
    expect(summary.locator("li")).to_have_count(3)
    expect(page.locator("#id_email")).to_be_focused()
    expect(page.locator("#id_email")).to_be_in_viewport()
    # the summary's links go to their fields
    summary.get_by_role("link", name="E-mail").last.click()
    assert Customer.objects.count() == 0
    assert errors == []
