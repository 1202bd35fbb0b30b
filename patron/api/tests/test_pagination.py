"""Cursor pagination: stable walks while rows come and go, and refused cursors."""

import pytest
from django.core import signing

from patron.api.tests.conftest import assert_problem
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def _walk(api, query: str, between_pages=lambda page: None) -> list[str]:
    seen, cursor, page = [], None, 0
    while True:
        response = api.get(f"/customers?{query}" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        cursor, page = body["next_cursor"], page + 1
        if cursor is None:
            return seen
        between_pages(page)


@pytest.mark.parametrize("sort", ["name", "-created"])
def test_walk_while_others_insert_and_delete_gives_every_untouched_row_exactly_once(api, system, sort):
    from patron.customers import actions

    customers = [customer_factory(first_name="Same" if index % 3 else "Other", last_name=f"N{index % 7}")
                 for index in range(30)]
    doomed = {str(customer.uuid) for customer in customers[::5]}

    def meddle(page: int):
        customer_factory(first_name="New", last_name=f"A{page}")  # lands before and after the cursor
        customer_factory(first_name="New", last_name=f"Z{page}")
        for customer in customers[page * 5 - 5: page * 5: 5]:
            actions.delete_customer(actor=system, customer=customer)

    seen = _walk(api, f"limit=4&sort={sort}", meddle)
    untouched = {str(customer.uuid) for customer in customers} - doomed
    assert len(seen) == len(set(seen))  # no row twice
    assert untouched <= set(seen)  # no row that existed throughout is skipped


def test_default_and_maximum_page_sizes(api):
    for _ in range(3):
        customer_factory()
    body = api.get("/customers").json()
    assert (len(body["items"]), body["next_cursor"]) == (3, None)
    assert len(api.get("/customers?limit=100").json()["items"]) == 3
    assert_problem(api.get("/customers?limit=101"), 422, "validation-failed")
    assert_problem(api.get("/customers?limit=0"), 422, "validation-failed")


def test_tampered_or_foreign_cursor_is_400(api):
    for _ in range(3):
        customer_factory()
    cursor = api.get("/customers?limit=1").json()["next_cursor"]
    assert_problem(api.get(f"/customers?limit=1&cursor={cursor[:-2]}xx"), 400, "invalid-cursor")
    assert_problem(api.get(f"/customers?limit=1&sort=-created&cursor={cursor}"), 400, "invalid-cursor")
    forged = signing.dumps({"o": ["sort_name", "id"], "v": ["a", 1]}, salt="not-ours")
    assert_problem(api.get(f"/customers?cursor={forged}"), 400, "invalid-cursor")
    assert_problem(api.get("/customers?cursor=%27%20OR%201%3D1"), 422, "validation-failed")
    assert Customer.objects.count() == 3


def test_sub_lists_paginate_too(api, system):
    from patron.customers import actions

    customer = customer_factory()
    for index in range(5):
        actions.log_message(actor=system, customer=customer, channel="phone", direction="inbound",
                            body=f"m{index}")
    first = api.get(f"/customers/{customer.uuid}/messages?limit=2").json()
    rest = api.get(f"/customers/{customer.uuid}/messages?limit=10&cursor={first['next_cursor']}").json()
    bodies = [item["body"] for item in first["items"] + rest["items"]]
    assert sorted(bodies) == [f"m{index}" for index in range(5)]
    assert rest["next_cursor"] is None
