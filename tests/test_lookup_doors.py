"""Every door that searches customers answers any query: the lookup is one engine, but each door
has its own way in (issue 15: "anna anna" answered 500 at all of them)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import token_factory, user_factory

pytestmark = pytest.mark.django_db

QUERIES = ["anna anna", "Lee Lee", "1 1", "{{7*7}}"]


@pytest.fixture
def annas(system):
    customer_factory(first_name="Anna", last_name="Schmidt")
    customer_factory(first_name="Lee", last_name="Lee")


@pytest.mark.parametrize("query", QUERIES)
def test_the_api_answers(annas, client, query):
    _, secret = token_factory(Role.MANAGER)
    headers = {"Authorization": f"Bearer {secret}"}
    for path, params in [("/api/v1/lookup", {}), ("/api/v1/lookup", {"scope": "all"}), ("/api/v1/customers", {}),
                         ("/api/v1/exports/customers", {"format": "json"})]:
        response = client.get(path, {"q": query, **params}, headers=headers)
        assert response.status_code == 200, (path, response.content[:300])
    found = client.get("/api/v1/lookup", {"q": "Lee Lee"}, headers=headers).json()["items"]
    assert found[0]["customer"]["sort_name"].lower() == "lee lee"


@pytest.mark.parametrize("query", QUERIES)
def test_the_back_office_list_and_till_answer(annas, query):
    staff = Client()
    staff.force_login(user_factory(Role.MANAGER))
    assert staff.get(reverse("web:customer_list"), {"q": query}).status_code == 200
    assert staff.get(reverse("web:till"), {"q": query}).status_code == 200


@pytest.mark.parametrize("query", QUERIES)
def test_the_command_line_answers(annas, cli, query):
    status, out, err = cli("customers", "list", "--format", "json", "--search", query)
    assert status == 0, err
    assert isinstance(json.loads(out), list)
