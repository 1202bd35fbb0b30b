"""GET /exports/customers: the customer list as a file, with the list's filters."""

import json

import pytest

from patron.core.permissions import Role
from patron.customers.models import CustomerKind
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(system):
    customer_factory(last_name="Lee", account_number="C-1")
    customer_factory(CustomerKind.COMPANY, name="=Mug Shop", account_number="C-3")


def test_the_api_exports_with_the_list_filters(shop, api_as):
    api = api_as(Role.MANAGER)
    response = api.get("/exports/customers?format=json&kind=company")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert [item["account_number"] for item in json.loads(b"".join(response.streaming_content))] == ["C-3"]
    refused = api.get("/exports/customers?format=pdf")
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    csv_text = b"".join(api.get("/exports/customers?kind=company").streaming_content).decode("utf-8-sig")
    assert "'=Mug Shop" in csv_text  # CSV by default, formula neutralised


def test_a_cashier_token_may_not_export(shop, api_as):
    assert api_as(Role.CASHIER).get("/exports/customers").status_code == 403
