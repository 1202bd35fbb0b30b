"""Merging duplicates in the back office in a real browser: from the customer page to the merge
screen, a field's value picked from the other record, merge, then undo the merge."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merge_with_a_field_from_the_other_record_then_undo(page: Page, live_server):
    survivor = customer_factory(first_name="Greta", last_name="Berg", account_number="M-1",
                                phones=[{"kind": "mobile", "number": "+31611112222"}])
    other = customer_factory(first_name="Margareta", last_name="Berg", account_number="M-2",
                             birth_date="1961-04-05", phones=[{"kind": "home", "number": "+31203334444"}])
    log_in(page, live_server, Role.MANAGER)
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/customers/{survivor.uuid}/")
    page.locator("#more-menu > summary").click()  # rare actions live behind "More"
    page.get_by_role("link", name="Merge duplicates…").click()
    page.get_by_label("Account numbers of the duplicates (separated by spaces)").fill("M-2")
    page.get_by_role("button", name="Compare").click()
    table = page.locator("#merge-form table")
    expect(table).to_contain_text("Margareta")
    expect(page.locator('input[name="pick_first_name"][data-record="M-1"]')).to_be_checked()
    expect(page.locator('input[name="pick_birth_date"][data-record="M-2"]')).to_be_checked()  # M-1 has none
    page.locator('input[name="pick_first_name"][data-record="M-2"]').check()
    page.get_by_role("button", name="Merge", exact=True).click()

    expect(page.locator("#merge-summary")).to_contain_text("M-2")
    page.goto(f"{live_server.url}/customers/{survivor.uuid}/")  # the customer page lists its merges
    page.locator("#merges").get_by_role("link").click()
    survivor.refresh_from_db()
    assert (survivor.first_name, str(survivor.birth_date)) == ("Margareta", "1961-04-05")
    assert sorted(survivor.phones.values_list("e164", flat=True)) == ["+31203334444", "+31611112222"]
    assert Customer.with_tombstones.get(pk=other.pk).merged_into_id == survivor.pk
    page.goto(f"{live_server.url}/customers/{other.uuid}/")  # the old page shows the survivor
    expect(page.get_by_role("heading", name="Margareta Berg")).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="Undo merge").click()
    expect(page.locator("#merge-undone")).to_be_visible()
    expect(page.locator("#merge-summary")).to_contain_text("1 record restored as it was.")
    survivor.refresh_from_db()
    other.refresh_from_db()
    assert (survivor.first_name, survivor.birth_date, other.merged_into_id) == ("Greta", None, None)
    assert list(other.phones.values_list("e164", flat=True)) == ["+31203334444"]
