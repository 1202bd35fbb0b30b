"""Exporting a filtered customer list from the back office in a real browser: the Export links
follow the filters chosen on the page, and the file downloaded holds exactly that list."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from tests.browser.support import log_in
from tests.browser.test_lookup_browser import SETTLED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_of_a_filtered_list_downloads_that_list(page: Page, live_server):
    customer_factory(first_name="Anna", last_name="Active", account_number="E-1")
    customer_factory(first_name="Ida", last_name="Inactive", account_number="E-2", status=CustomerStatus.INACTIVE)
    customer_factory(first_name="=cmd", last_name="Formula", account_number="E-3", status=CustomerStatus.INACTIVE)
    log_in(page, live_server, Role.MANAGER)

    page.get_by_label("Status").select_option(CustomerStatus.INACTIVE)
    page.wait_for_function(SETTLED)
    expect(page.locator("#results")).not_to_contain_text("Anna Active")
    with page.expect_download() as download_info:
        page.get_by_role("navigation", name="Export this list").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert re.fullmatch(r"customers-status-inactive-\d{4}-\d\d-\d\d-\d{4}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(io.StringIO(stream.read())))
    assert sorted(row["account_number"] for row in rows) == ["E-2", "E-3"]
    assert next(row for row in rows if row["account_number"] == "E-3")["first_name"] == "'=cmd"
