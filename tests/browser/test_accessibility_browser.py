"""Accessibility of the main pages in a real browser (issue 18): axe-core, the engine behind most
accessibility checkers, finds no serious or critical violation on the dashboard, the customer
list, each tab of a customer page, the till, the import page, the settings, the duplicates queue,
the segments, the orders form and the overdue accounts. axe-core comes bundled in the
``axe-playwright-python`` package (a test dependency), never from a CDN."""

from importlib.resources import files

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.customers.actions import add_contact
from patron.customers.tests.factories import customer_factory
from patron.duplicates.scan import full_scan
from patron.locations.queries import default_location
from patron.marketing.actions import create_segment
from patron.sales.actions import record_order
from patron.sales.tests.factories import line, sale_factory
from tests.browser.support import htmx_settled, log_in
from tests.browser.test_till_browser import add_line, open_till

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = ("serious", "critical")
TABS = ("overview", "details", "purchases", "account", "contacts", "messages", "marketing", "history")
AXE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    """The serious and critical violations axe-core finds on the page as shown, one line each:
    the rule, its impact, what it asks and the first elements that break it."""
    page.wait_for_load_state("load")
    page.evaluate(AXE)  # evaluated by the browser's devtools protocol: the page's CSP does not apply
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{rule['id']} ({rule['impact']}): {rule['help']} at "
            + "; ".join(" ".join(node["target"]) for node in rule["nodes"][:5])
            for rule in results["violations"] if rule["impact"] in BLOCKING]


def test_the_main_pages_have_no_serious_accessibility_violations(page: Page, live_server):
    if connection.vendor != "sqlite":
        pytest.skip("the pages' markup is the same on either engine: checked once, in the SQLite run")
    system = system_actor()
    credit.set_credit_enabled(actor=system, is_enabled=True)
    anna = customer_factory(first_name="Anna", last_name="Schmidt", emails=[{"address": "anna@example.org"}],
                            phones=[{"kind": "mobile", "number": "202 555 0100"}])
    customer_factory(first_name="Anne", last_name="Schmidt", emails=[{"address": "anna@example.org"}])
    full_scan()
    credit.set_credit_limit(actor=system, customer=anna, credit_limit="500.00")
    add_contact(actor=system, customer=anna, values={"first_name": "Ben", "last_name": "Schmidt",
                                                     "is_authorized_buyer": True})
    sale = sale_factory(anna, lines=[line(unit_price="35.00", quantity="2")],
                 payments=[{"tender": "on_account", "amount": "70.00"}])
    order = record_order(actor=system, customer=anna, source="till-1", number="WO-1", kind="work_order",
                         location=default_location(), amount_due="20.00")
    create_segment(actor=system, values={"name": "Regulars"})
    log_in(page, live_server, Role.MANAGER)

    pages = {
        "dashboard": "/dashboard/",
        "customer list": "/customers/?view=list",
        "customer cards": "/customers/?view=cards",
        **{f"customer page, {tab}": f"/customers/{anna.uuid}/#{tab}" for tab in TABS},
        "new order": f"/customers/{anna.uuid}/orders/new/",
        "edit order": f"/customers/{anna.uuid}/orders/{order.uuid}/edit/",
        "till": "/till/",
        "import": "/customers/import/",
        "settings": "/settings/",
        "credit and loyalty settings": "/settings/credit-loyalty/",
        "duplicates queue": "/duplicates/",
        "segments": "/segments/",
        "overdue accounts": "/overdue-accounts/",
        "sales": "/sales/",
        "sale": f"/sales/{sale.uuid}/",
        "statement": f"/customers/{anna.uuid}/account/statement/",
        "new customer": "/customers/new/",
        "new company": "/customers/new/company/",
        "edit customer": f"/customers/{anna.uuid}/edit/",
        "my account": "/account/",
        "staff settings": "/settings/staff/",
        "customer settings": "/settings/customers/",
    }
    found = {}
    for name, path in pages.items():
        page.goto("about:blank")  # a new load each time, also where only the #tab differs
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_be_visible()
        if "#" in path:
            expect(page.locator("[data-section-tabs] [aria-current=page]")).to_have_count(1)
        if problems := violations(page):
            found[name] = problems

    # states a page load does not show: a refused form, the overpayment question, a message
    page.goto(f"{live_server.url}/customers/{anna.uuid}/orders/new/")
    page.get_by_role("button", name="Record order").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    found["refused order form"] = violations(page)
    page.goto(f"{live_server.url}/customers/new/company/")
    page.get_by_role("button", name="Create company").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    found["refused company form"] = violations(page)
    page.goto(f"{live_server.url}/customers/{anna.uuid}/#account")
    payment = page.locator("#account .payment-form")
    payment.get_by_label("Amount").fill("100.00")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.locator("#overpayment-rule")).to_be_visible()
    found["overpayment confirmation"] = violations(page)
    page.get_by_role("button", name="Record the payment of $100.00").click()
    expect(page.locator(".messages")).to_be_visible()
    found["customer page with a message"] = violations(page)
    open_till(page)
    page.get_by_placeholder("Name, phone or account number").fill("schmidt")
    expect(page.locator("#till-results")).to_contain_text("Anne Schmidt")
    htmx_settled(page)
    found["till with results"] = violations(page)
    page.locator("#till-results").get_by_role("button", name="Select Anna Schmidt").click()
    expect(page.locator("#cart-customer")).to_contain_text("Anna Schmidt")
    add_line(page, "Teapot", "35.00")
    found["till with a customer and a cart"] = violations(page)
    page.set_viewport_size({"width": 390, "height": 844})  # the sidebar becomes a top bar
    for name, path in (("dashboard at 390 px", "/dashboard/"), ("customer page at 390 px", f"/customers/{anna.uuid}/")):
        page.goto(f"{live_server.url}{path}")
        found[name] = violations(page)
    found = {name: problems for name, problems in found.items() if problems}
    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(problems) for name, problems in found.items())
