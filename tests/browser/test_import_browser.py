"""Importing customers in a real browser: upload, the preview with its mapping, the dry run's report
by line and column, then the real run with its live progress bar, and the customers it made; a bad
e-mail is a warning (the customer comes in without it), or, asked for, a rejected row."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.models import Customer
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 2500


@pytest.fixture(autouse=True)
def _thread_worker(settings, tmp_path):
    settings.PATRON_JOBS_RUN = "thread"
    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"


def _file(tmp_path, rows: int = ROWS):
    lines = ["Customer no;First;Last;E-Mail"]
    lines += [f"N{number};Nora{number};Import;nora{number}@example.com" for number in range(1, rows + 1)]
    lines[7] = "N7;Nora7;Import;nora7-at-example.com"  # line 8 of the file: a bad e-mail
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_with_preview_dry_run_and_progress(page: Page, live_server, tmp_path):
    log_in(page, live_server, Role.MANAGER)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File").set_input_files(_file(tmp_path))
    page.get_by_role("button", name="Upload and preview").click()

    # the preview: the file's first rows under a field chooser per column, the guess filled in
    mapping = page.locator("#mapping")
    expect(mapping).to_contain_text("Nora1")
    expect(page.get_by_label("Field for E-Mail")).to_have_value("email")
    page.get_by_label("Field for Customer no").select_option("account_number")
    page.get_by_label("Match customers by").select_option("account_number")

    page.get_by_role("button", name="Dry run: check every row").click()
    expect(page.locator("#dry-run-report")).to_contain_text("Nothing was written", timeout=60_000)
    expect(page.locator("#dry-run-report")).to_contain_text(f"create {ROWS}")
    warning = page.locator("#import-warnings tbody tr")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("8")
    expect(warning).to_contain_text("E-Mail")
    expect(warning).to_contain_text("nora7-at-example.com")
    expect(page.locator("#import-problems")).to_have_count(0)
    assert Customer.objects.count() == 0

    page.get_by_role("button", name="Import now").click()
    expect(page.locator("#import-progress progress")).to_be_visible()
    expect(page.locator("#import-result")).to_contain_text(f"{ROWS} created", timeout=60_000)
    expect(page.locator("#import-result")).to_contain_text("1 warning")
    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.locator("#import-warnings tbody tr")).to_contain_text("nora7-at-example.com")
    assert Customer.objects.count() == ROWS
    assert not Customer.objects.get(first_name="Nora7").emails.exists()


def test_a_strict_import_rejects_the_row_with_a_bad_e_mail(page: Page, live_server, tmp_path):
    log_in(page, live_server, Role.MANAGER)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File").set_input_files(_file(tmp_path, rows=10))
    page.get_by_label("Reject rows with an invalid phone or e-mail").check()
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Import now").click()
    expect(page.locator("#import-result")).to_contain_text("9 created", timeout=60_000)
    expect(page.locator("#import-problems tbody tr")).to_contain_text("E-Mail")
    expect(page.locator("#import-warnings")).to_have_count(0)
