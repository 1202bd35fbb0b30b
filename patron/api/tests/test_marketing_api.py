"""Consent and segments through the API."""

import pytest

from patron.api.tests.conftest import assert_problem, key, pointers
from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.marketing.models import ConsentEvent, Segment

pytestmark = pytest.mark.django_db


def test_consent_is_recorded_and_read_back_with_its_history(api):
    customer = customer_factory()
    path = f"/customers/{customer.uuid}/consent"
    assert api.get(path).json() == {"email": None, "sms": None, "history": []}
    body = {"channel": "email", "granted": True, "source": "webshop", "proof": "doi:abc123",
            "occurred_at": "2026-01-05T10:00:00+01:00"}
    created = api.post(path, body, headers=key("c-1"))
    assert created.status_code == 201, created.content
    assert created.json()["occurred_at"] == "2026-01-05T09:00:00Z"
    assert created.json()["recorded_by"].startswith("API: ")
    same = api.post(path, {**body, "occurred_at": "2026-02-01T10:00:00Z"}, headers=key("c-2"))
    assert same.status_code == 200 and same.json()["id"] == created.json()["id"]
    api.post(path, {"channel": "email", "granted": False, "source": "pos"}, headers=key("c-3"))
    read = api.get(path).json()
    assert read["email"]["granted"] is False and read["sms"] is None
    assert [event["granted"] for event in read["history"]] == [False, True]
    assert ConsentEvent.objects.count() == 2


@pytest.mark.parametrize("body, pointer", [
    ({"channel": "fax", "granted": True, "source": "pos"}, "/channel"),
    ({"channel": "email", "granted": "yes", "source": "pos"}, "/granted"),
    ({"channel": "email", "granted": True, "source": "mail"}, "/source"),
    ({"channel": "email", "granted": True, "source": "pos", "occurred_at": "2026-01-05T10:00:00"}, "/occurred_at"),
    ({"channel": "email", "granted": True, "source": "pos", "occurred_at": "2099-01-05T10:00:00Z"},
     "/occurred_at"),
])
def test_bad_consent_is_refused_with_a_pointer(api, body, pointer):
    response = api.post(f"/customers/{customer_factory().uuid}/consent", body)
    assert pointer in pointers(assert_problem(response, 422, "validation-failed"))
    assert ConsentEvent.objects.count() == 0


def test_segments_crud_with_etags_and_members(api):
    vip = customer_factory(tags=["VIP"])
    customer_factory()
    created = api.post("/segments", {"name": "VIPs", "tags": ["vip"], "min_total_spend": "0"}, headers=key())
    assert created.status_code == 201, created.content
    segment = created.json()
    assert segment["tags"] == ["VIP"] and segment["min_total_spend"] == "0.00" and created["ETag"] == '"1"'
    path = f"/segments/{segment['id']}"
    assert created["Location"].endswith(path)
    members = api.get(path + "/customers").json()["items"]
    assert [member["id"] for member in members] == [str(vip.uuid)]
    changed = api.patch(path, {"tags": [], "email_consent": "granted"}, if_match=1)
    assert changed.status_code == 200 and changed.json()["email_consent"] == "granted"
    assert api.get(path + "/customers").json()["items"] == []
    assert_problem(api.patch(path, {"name": "Old"}, if_match=1), 412, "stale-version")
    assert_problem(api.post("/segments", {"name": "vips"}), 409, "segment-name-taken")
    assert_problem(api.post("/segments", {"name": "X", "home_location_id": segment["id"]}), 422,
                   "validation-failed")
    assert [item["name"] for item in api.get("/segments").json()["items"]] == ["VIPs"]
    assert api.delete(path, if_match=2).status_code == 204
    assert not Segment.objects.exists()
    assert_problem(api.get(path), 404, "segment-not-found")


def test_cashiers_record_consent_but_do_not_manage_segments(api_as):
    cashier = api_as(Role.CASHIER)
    customer = customer_factory()
    response = cashier.post(f"/customers/{customer.uuid}/consent", {"channel": "sms", "granted": True,
                                                                    "source": "pos"})
    assert response.status_code == 201
    assert_problem(cashier.get("/segments"), 403, "permission-denied")
