"""The interactive API documentation renders in a real browser (issue 18): Swagger UI refused the
whole document while it named a response twice."""

import pytest
from playwright.sync_api import Page, expect

from patron.core.permissions import Role
from tests.browser.support import console_errors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_their_operations(page: Page, live_server):
    log_in(page, live_server, Role.MANAGER)
    errors = console_errors(page)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Patron API")
    photo = page.locator(".opblock-get", has=page.locator("[data-path='/api/v1/customers/{customer_id}/photo']"))
    expect(photo).to_have_count(1)
    assert page.locator(".opblock").count() > 50
    expect(page.locator(".swagger-ui .errors-wrapper")).to_have_count(0)
    assert errors == []
