"""Days and moments a client sends are RFC 3339 as the OpenAPI document says, nothing looser:
no Unix seconds, no date-time where a day is asked, no moment without its offset or its "T"."""

from urllib.parse import urlencode

import pytest

from patron.api.tests.conftest import assert_problem, key
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.marketing.models import ConsentEvent, Segment

pytestmark = pytest.mark.django_db

NOT_DAYS = ["0", "1700000000", "2026-01-01T00:00:00", "2026-01-01T00:00:00Z", "2026-1-1", " 2026-01-01",
            "٢٠٢٦-٠١-٠١"]


def _parameters(problem: dict) -> set[str]:
    return {error.get("parameter") for error in problem["errors"]}


@pytest.mark.parametrize("value", NOT_DAYS)
def test_query_days_refuse_anything_but_a_full_date(api, holder, value):
    for path in ("/sales", f"/customers/{holder.uuid}/purchases", f"/customers/{holder.uuid}/purchases/summary"):
        problem = assert_problem(api.get(path + "?" + urlencode({"start": value})), 422, "validation-failed")
        assert _parameters(problem) == {"start"}, path
    query = urlencode({"start": value, "end": "2026-01-31"})
    statement = api.get(f"/customers/{holder.uuid}/credit/statement?{query}")
    assert _parameters(assert_problem(statement, 422, "validation-failed")) == {"start"}


def test_query_days_still_take_a_full_date(api, holder):
    assert api.get("/sales?start=2026-01-01&end=2026-01-31").status_code == 200
    statement = api.get(f"/customers/{holder.uuid}/credit/statement?start=2026-01-01&end=2026-01-31")
    assert statement.json()["start"] == "2026-01-01"


@pytest.mark.parametrize("value", [0, "0", "1990-04-01T00:00:00Z", 1990])
def test_body_days_refuse_numbers_and_date_times(api, value):
    created = api.post("/customers", {"kind": "person", "last_name": "Day", "birth_date": value})
    problem = assert_problem(created, 422, "validation-failed")
    assert [error["pointer"] for error in problem["errors"]] == ["/birth_date"]
    segment = api.post("/segments", {"name": "Recent", "last_purchase_after": value}, headers=key())
    assert [error["pointer"] for error in assert_problem(segment, 422, "validation-failed")["errors"]] == [
        "/last_purchase_after"]
    assert not Customer.objects.exists() and not Segment.objects.exists()


@pytest.mark.parametrize("value", [0, 1700000000, "1700000000", "2026-01-05 10:00:00+01:00", "2026-01-05T10:00+01:00",
                                   "2026-01-05"])
def test_moments_are_rfc_3339_date_times_with_an_offset(api, value):
    customer = customer_factory()
    body = {"channel": "email", "granted": True, "source": "pos", "occurred_at": value}
    problem = assert_problem(api.post(f"/customers/{customer.uuid}/consent", body, headers=key()), 422,
                             "validation-failed")
    assert [error["pointer"] for error in problem["errors"]] == ["/occurred_at"]
    assert not ConsentEvent.objects.exists()


def test_a_moment_with_a_lower_case_t_and_z_is_still_rfc_3339(api):
    customer = customer_factory()
    body = {"channel": "email", "granted": True, "source": "pos", "occurred_at": "2026-01-05t10:00:00.5z"}
    created = api.post(f"/customers/{customer.uuid}/consent", body, headers=key())
    assert created.status_code == 201, created.content
    assert created.json()["occurred_at"] == "2026-01-05T10:00:00.500000Z"


def test_the_openapi_document_gives_the_forms(api):
    schemas = api.client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=api.client_auth).json()["components"]["schemas"]
    birth_date = next(part for part in schemas["CustomerIn"]["properties"]["birth_date"]["anyOf"] if part != {
        "type": "null"})
    assert birth_date == {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    occurred_at = next(part for part in schemas["ConsentIn"]["properties"]["occurred_at"]["anyOf"] if part != {
        "type": "null"})
    assert occurred_at["format"] == "date-time" and occurred_at["pattern"].startswith("^[0-9]{4}")
