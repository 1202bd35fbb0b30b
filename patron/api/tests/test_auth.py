"""Authentication: bearer tokens only; the OpenAPI document and the docs need a token or a session."""

import json
import re

import pytest

from patron.api.site import api as patron_api
from patron.api.tests.conftest import ApiClient, assert_problem
from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.staff.actions import revoke_api_token
from patron.staff.tests.factories import token_factory, user_factory

pytestmark = pytest.mark.django_db


def test_no_token_is_401_with_a_bearer_challenge(anonymous):
    response = anonymous.get("/customers")
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="patron"'


@pytest.mark.parametrize("header", ["Bearer ptn_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "ptn_x"])
def test_invalid_credentials_are_401(anonymous, header):
    response = anonymous.get("/customers", headers={"Authorization": header})
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_fails_on_the_next_request(client):
    token, secret = token_factory(Role.MANAGER)
    api = ApiClient(client, secret)
    assert api.get("/customers").status_code == 200
    revoke_api_token(actor=system_actor(), token=token)
    assert_problem(api.get("/customers"), 401, "unauthenticated")


def test_token_in_the_query_string_is_ignored(anonymous):
    _, secret = token_factory(Role.MANAGER)
    for name in ("token", "access_token", "api_key"):
        assert_problem(anonymous.get(f"/customers?{name}={secret}"), 401, "unauthenticated")


def test_a_back_office_session_alone_does_not_open_the_api(client, anonymous):
    client.force_login(user_factory(Role.ADMIN))
    assert_problem(anonymous.get("/customers"), 401, "unauthenticated")
    assert_problem(anonymous.post("/customers", {"kind": "person", "last_name": "Lee"}), 401,
                   "unauthenticated")
    assert not Customer.objects.exists()


def test_session_with_csrf_enforced_still_gets_401_not_a_csrf_403():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user_factory(Role.ADMIN))
    response = browser.post("/api/v1/customers", {"kind": "person", "last_name": "Lee"},
                            content_type="application/json")
    assert_problem(response, 401, "unauthenticated")
    assert not Customer.objects.exists()


def test_openapi_document_needs_a_token_or_a_session(client, anonymous, api):
    assert_problem(anonymous.get("/openapi.json"), 401, "unauthenticated")
    with_token = api.get("/openapi.json")
    assert with_token.status_code == 200
    client.force_login(user_factory(Role.CASHIER))
    assert client.get("/api/v1/openapi.json").json() == with_token.json()


def test_openapi_document_lists_every_operation_with_its_problems(api):
    document = json.loads(api.get("/openapi.json").content)
    operations = {(path, method) for path, methods in document["paths"].items() for method in methods}
    routed = {("/api/v1" + re.sub(r"\{\w+:", "{", operation.path), method.lower())
              for router in patron_api._get_bound_routers() for path_view in router.path_operations.values()
              for operation in path_view.operations for method in operation.methods}
    assert operations == routed
    assert len(operations) >= 30
    patch = document["paths"]["/api/v1/customers/{customer_id}"]["patch"]
    assert {"412", "422", "428"} <= set(patch["responses"])
    assert "application/problem+json" in patch["responses"]["428"]["content"]
    assert "Problem" in document["components"]["schemas"]
    create = document["paths"]["/api/v1/customers"]["post"]
    assert any(parameter["name"] == "Idempotency-Key" for parameter in create["parameters"])
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_docs_page_uses_bundled_swagger_and_needs_a_session(client, anonymous):
    response = anonymous.get("/docs")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert_problem(anonymous.get("/docs", headers={"Authorization": "Bearer ptn_wrong"}), 401,
                   "unauthenticated")
    client.force_login(user_factory(Role.CASHIER))
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
