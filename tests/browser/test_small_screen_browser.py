"""Every main page at a phone's width in a real browser (issue 18): at 390 px nothing makes the
page scroll sideways (a wide table scrolls inside its own box), long e-mail addresses wrap, and
photos keep their shape."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.customers.actions import add_contact
from patron.customers.tests.factories import customer_factory
from patron.sales.tests.factories import line, sale_factory
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_WIDTH = 390
LONG_EMAIL = "accounts.payable.department-north@very-long-company-name-for-testing.example"

# the widest elements, to say what overflows when the check fails
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8)
  .map((element) => `${element.tagName}.${element.className} ${Math.round(element.getBoundingClientRect().right)}`)"""


def assert_no_sideways_scroll(page: Page, name: str) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE_WIDTH + 1, f"{name} is {width} px wide: {page.evaluate(WIDEST)}"


def test_every_main_page_fits_a_phone(page: Page, live_server):
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    customers = [customer_factory(first_name=f"Alexandra-Josephine {index}", last_name="Featherstonehaugh-Worthington",
                                  emails=[{"kind": "work", "address": LONG_EMAIL}],
                                  phones=[{"kind": "mobile", "number": "202 555 0100"}]) for index in range(3)]
    anna = customers[0]
    credit.set_credit_limit(actor=system_actor(), customer=anna, credit_limit="500.00")
    add_contact(actor=system_actor(), customer=anna, values={"first_name": "Ben", "last_name": "Long-Name",
                                                             "email": LONG_EMAIL, "is_authorized_buyer": True})
    sale_factory(anna, lines=[line(unit_price="35.00", quantity="2")])
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})

    page.goto(f"{live_server.url}/login/")
    assert_no_sideways_scroll(page, "login")
    log_in(page, live_server, Role.ADMIN)
    pages = {
        "customer list": "/customers/?view=list",
        "customer cards": "/customers/?view=cards",
        "customer page": f"/customers/{anna.uuid}/",
        "new customer": "/customers/new/company/",
        "imports": "/customers/import/",
        "settings": "/settings/",
        "segments": "/segments/",
        "sales": "/sales/",
        "overdue accounts": "/overdue-accounts/",
        "till": "/till/",
        "dashboard": "/dashboard/",
        "customer's account": f"/customers/{anna.uuid}/?open=account",
        "new order": f"/customers/{anna.uuid}/orders/new/",
        "likely duplicates": "/duplicates/",
        "webhooks": "/settings/webhooks/",
        "new webhook": "/settings/webhooks/new/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        assert_no_sideways_scroll(page, name)

    # the till with a customer and a line in the cart
    page.goto(f"{live_server.url}/till/")
    page.locator("#id_q").fill("Featherstonehaugh")
    page.get_by_role("button", name=f"Select {anna.name}").click()
    expect(page.locator("#cart-customer")).to_contain_text(anna.name)
    page.locator(".line-form").get_by_label("Description").fill("A teapot with a remarkably long description")
    page.locator(".line-form").get_by_label("Unit price").fill("35.00")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("#cart-total")).to_be_visible()
    assert_no_sideways_scroll(page, "till with a cart")

    # photos (initials here) keep their shape in the cards
    page.goto(f"{live_server.url}/customers/?view=cards")
    box = page.locator(".customer-card .photo").first.bounding_box()
    assert abs(box["width"] - box["height"]) <= 1, box
