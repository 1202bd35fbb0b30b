"""Fixtures for API tests: clients holding a token of each role."""

import json

import pytest

from patron.api.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE
from patron.core.permissions import Role
from patron.staff.tests.factories import token_factory

PREFIX = "/api/v1"


class ApiClient:
    """Django's test client speaking JSON to the API with one token."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    @property
    def client_auth(self) -> str:
        return f"Bearer {self.secret}"

    def request(self, method: str, path: str, body=None, *, headers: dict | None = None,
                raw: bytes | None = None, content_type: str = "application/json", **extra):
        headers = dict(headers or {})
        if self.secret:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.generic(method, PREFIX + path, data=data, content_type=content_type,
                                   headers=headers, **extra)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body, *, if_match=None, **kwargs):
        headers = _with_if_match(kwargs.pop("headers", None), if_match)
        return self.request("PATCH", path, body, headers=headers, **kwargs)

    def delete(self, path: str, *, if_match=None, **kwargs):
        return self.request("DELETE", path, headers=_with_if_match(kwargs.pop("headers", None), if_match),
                            **kwargs)


def _with_if_match(headers: dict | None, if_match) -> dict:
    headers = dict(headers or {})
    if if_match is not None:
        headers["If-Match"] = if_match if isinstance(if_match, str) else f'"{if_match}"'
    return headers


def assert_problem(response, status: int, code: str) -> dict:
    """The response is an RFC 9457 problem of this status and code; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["type"] == PROBLEM_BASE + code
    assert body["code"] == code
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def pointers(problem: dict) -> set[str]:
    return {error["pointer"] for error in problem.get("errors", []) if "pointer" in error}


@pytest.fixture
def api_as(db, client):
    """``api_as("cashier")``: a client with a fresh token of that role."""

    def make(role: str = Role.MANAGER) -> ApiClient:
        _, secret = token_factory(role)
        return ApiClient(client, secret)

    return make


@pytest.fixture
def api(api_as) -> ApiClient:
    return api_as(Role.MANAGER)


@pytest.fixture
def anonymous(db, client) -> ApiClient:
    return ApiClient(client, None)


def key(value: str = "key-1") -> dict:
    """An Idempotency-Key header."""
    return {"Idempotency-Key": value}


@pytest.fixture
def credit_on(system):
    from patron.credit.actions import set_credit_enabled

    set_credit_enabled(actor=system, is_enabled=True)


@pytest.fixture
def holder(system, credit_on):
    """A customer with a credit limit of 500.00 who owes nothing."""
    from patron.credit.actions import set_credit_limit
    from patron.customers.tests.factories import customer_factory

    customer = customer_factory()
    set_credit_limit(actor=system, customer=customer, credit_limit="500.00")
    return customer
