"""The dashboard in Chromium (issue 18): a manager lands on it after logging in and sees each
chart with its figures (on the axis, on hover and in the tables), with no console errors; at a
phone's width the page does not scroll sideways."""

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.sales.tests.factories import line, sale_factory
from patron.staff.tests.factories import PASSWORD, user_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("PATRON_SCREENSHOTS")  # a folder: keep screenshots to look at


def test_a_manager_lands_on_the_dashboard_and_reads_its_figures(page: Page, live_server):
    anna = customer_factory(first_name="Anna", last_name="Big")
    sale_factory(anna, lines=[line(unit_price="120.00")])
    sale_factory(anna, lines=[line(unit_price="30.00")], occurred_at=timezone.now() - datetime.timedelta(days=3))
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user_factory(Role.MANAGER).username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.locator("#revenue")).to_have_text("$150.00")
    revenue = page.get_by_role("img", name="Revenue by day")
    expect(revenue).to_be_visible()
    expect(revenue.locator(".bar")).to_have_count(30)
    expect(revenue.locator(".tick text")).to_have_text(["$0.00", "$50.00", "$100.00", "$150.00"])  # value axis
    today = revenue.locator(".bar rect").last
    expect(today.locator("title")).to_have_text(re.compile(r": \$120\.00$"))  # what hovering shows
    page.get_by_text("Figures").first.click()
    expect(page.locator("#revenue-table tbody tr")).to_have_count(30)
    expect(page.locator("#top-table")).to_contain_text("Anna Big")
    for chart in ("New customers by week", "What overdue accounts owe, by age", "Top customers by spend",
                  "Share of customers who gave consent"):
        expect(page.get_by_role("img", name=chart)).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/dashboard-1280.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 391
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/dashboard-390.png", full_page=True)
    assert errors == []
