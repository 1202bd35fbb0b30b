"""Schemathesis over every operation of the OpenAPI document: the document says what the server does.

Each operation gets requests generated from the document (valid ones, and some that break it) with
an admin token, against the WSGI application, with a fixed seed and a modest number of examples, so
the run is the same every time and stays short. The checks: no 500; every answer's status, content
type and body are declared; and a request the document calls valid is not refused for its form
(only 404 for ids that do not exist, and the business rules docs/api.md lists under 409 and 422).

SQLite only: the document and the checks are the same on both engines (CI runs the rest of the
suite on both), and one run is enough for its time.
"""

from __future__ import annotations

import json
import uuid

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from patron.api.errors import REQUEST_INVALID, REQUEST_WITHOUT_BODY
from patron.api.site import api
from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.staff.tests.factories import token_factory

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="Schemathesis runs on one engine: SQLite")

EXAMPLES_PER_OPERATION = 20
SEED = 2026

# What a request that fits the document may still be answered with: nothing at the address (a
# generated id), and the business rules of docs/api.md (the current state, the values' meaning).
# A 400, 415 or 428, or a 422 from reading the request, would mean the document is looser than
# the server.
ACCEPTED = {200, 201, 202, 204, 404, 409, 412, 413, 422}

config = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "mode": "all"},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": False}, "fuzzing": {"enabled": True},
               "stateful": {"enabled": False}},
})
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"), config=config)


@schemathesis.check
def valid_request_not_rejected(ctx, response, case):
    """A request the document calls valid is answered, or refused by a documented business rule."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if case.operation.path.startswith("/api/v1/channels/"):
        return None  # signed by the webshop's secret, which no document can give: 401 for any body
    status = response.status_code
    problem = json.loads(response.content) if status >= 400 else {}
    if problem.get("code") == "invalid-cursor":
        return None  # a cursor is signed by the server: like an id, the document gives its form, not its values
    assert status in ACCEPTED, f"A valid request was refused with {status}: {response.text[:500]}"
    assert problem.get("detail") not in (REQUEST_INVALID, REQUEST_WITHOUT_BODY), (
        f"A valid request failed the server's own validation: {response.text[:500]}")
    return None


class Records:
    """One record of each kind the paths name, made through the API, so that most generated
    requests reach the operation's rules instead of a 404."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}
        self.keys = iter(range(1_000_000))
        person = self.post("/customers", {"kind": "person", "first_name": "Ada", "last_name": "Lee"})
        company = self.post("/customers", {"kind": "company", "name": "Acme"})
        self.post(f"/customers/{company}/representatives", {"person_id": person})
        self.ids = {
            "customer_id": [person, company],
            "person_id": [person],
            "contact_id": [self.post(f"/customers/{company}/contacts", {"first_name": "Bo", "last_name": "Ray"})],
            "address_id": [self.post(f"/customers/{person}/addresses", {"kind": "contact", "line1": "1 Main St",
                                                                        "city": "Springfield", "country": "US"})],
            "sale_id": [self.post("/sales", {"source": "till-1", "number": "1", "customer": person, "lines": [
                {"description": "Mug", "quantity": "1", "unit_price": "10.00"}],
                "payments": [{"tender": "cash", "amount": "10.00"}]})],
            "order_id": [self.post("/orders", {"customer": person, "source": "web", "number": "1",
                                               "kind": "special_order", "amount_due": "5.00"})],
            "segment_id": [self.post("/segments", {"name": "Everyone"})],
        }
        self.request("PUT", f"/customers/{person}/credit", {"credit_limit": "500.00"})
        self.ids["entry_id"] = [self.post(f"/customers/{person}/credit/charges", {"amount": "20.00"})]
        self.ids["location_id"] = [item["id"] for item in self.request("GET", "/locations")["items"]]

    def request(self, method: str, path: str, body=None) -> dict:
        headers = {**self.headers, "Idempotency-Key": f"setup-{next(self.keys)}"}
        response = self.client.generic(method, "/api/v1" + path, data=json.dumps(body) if body else "",
                                       content_type="application/json", headers=headers)
        assert response.status_code < 300, response.content
        return response.json()

    def post(self, path: str, body: dict) -> str:
        return self.request("POST", path, body)["id"]

    def use_in(self, case) -> None:
        """Most ids of the case become those of the records (chosen by the generated id, so a run is
        repeatable); the others stay as generated, for the 404s."""
        for name, value in (case.path_parameters or {}).items():
            try:
                generated = uuid.UUID(str(value))
            except ValueError:
                continue  # a case that breaks the document on purpose
            choices = self.ids.get(name)
            if choices and generated.int % 4:
                case.path_parameters[name] = choices[generated.int % len(choices)]


@pytest.fixture
def admin_token(db):
    return token_factory(Role.ADMIN)[1]


@pytest.fixture
def records(db, client, admin_token):
    from patron.credit.actions import set_credit_enabled

    set_credit_enabled(actor=system_actor(), is_enabled=True)
    made = Records(client, admin_token)
    # Django's test client connects close_old_connections again after each request; the raw WSGI
    # calls below would then close the test's database (see the suite's _keep_db_connection_open).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    return made


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # one token for all
def test_every_operation_keeps_to_the_document(case, admin_token, records):
    from patron.wsgi import application

    records.use_in(case)
    response = case.call(app=application, headers={"Authorization": f"Bearer {admin_token}"})
    case.validate_response(response, checks=[
        not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
        valid_request_not_rejected,
    ])
