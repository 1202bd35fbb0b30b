"""What the back-office browser tests share: logging in, and catching what the console reports."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from patron.staff.tests.factories import PASSWORD, user_factory


def log_in(page: Page, live_server, role: str = Role.MANAGER, *, heading: str = "Customers"):
    """Log in as a fresh user of ``role`` and open the customer list (managers land on the
    dashboard, cashiers on the customers); returns the user."""
    user = user_factory(role)
    page.set_default_timeout(10_000)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(dashboard|customers)/$"))
    page.goto(f"{live_server.url}/customers/")
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    return user


# Chromium reports a page answered with 422 (a refused form, shown again with its errors, by design)
# as a failed resource; that is the status, not a fault of the page.
REFUSED_FORM = "the server responded with a status of 422"


def console_errors(page: Page) -> list[str]:
    """A list that fills with every console error and uncaught exception of ``page`` from now on
    (htmx logs its failures as console errors)."""
    seen: list[str] = []

    def seen_error(message) -> None:
        if message.type == "error" and REFUSED_FORM not in message.text:
            seen.append(message.text)

    page.on("console", seen_error)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def htmx_settled(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
