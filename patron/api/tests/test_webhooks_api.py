"""Webhook subscriptions through the API: admins only, the secret shown once, bad input as
problem+json, pausing and resuming, the delivery log and sending a delivery again."""

import pytest
from standardwebhooks.webhooks import Webhook

from patron.api.tests.conftest import assert_problem, key, pointers
from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.events.delivery import deliver_due
from patron.events.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api_as):
    return api_as(Role.ADMIN)


def test_an_admin_subscribes_and_receives_signed_events(admin_api, webhook_receiver):
    created = admin_api.post("/webhooks", {"url": webhook_receiver.url, "event_types": ["customer.created"]},
                             headers=key("w-1"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["event_types"] == ["customer.created"]
    assert "secret" not in admin_api.get(f"/webhooks/{body['id']}").json()  # shown once only
    customer_factory()
    deliver_due()
    [request] = webhook_receiver.received
    assert Webhook(body["secret"]).verify(request["body"], request["headers"])["type"] == "customer.created"
    log = admin_api.get(f"/webhooks/{body['id']}/deliveries").json()
    assert log[0]["status"] == "delivered" and log[0]["log"][0]["status_code"] == 204
    assert log[0]["event_id"] == request["id"]
    again = admin_api.post(f"/webhooks/{body['id']}/deliveries/{log[0]['id']}/redeliver", headers=key("w-2"))
    assert again.status_code == 202 and again.json()["status"] == "pending"
    deliver_due()
    assert [item["id"] for item in webhook_receiver.received] == [request["id"], request["id"]]


def test_bad_input_is_a_problem_and_nothing_is_saved(admin_api):
    refused = admin_api.post("/webhooks", {"url": "not a url", "event_types": ["customer.nonsense"]})
    problem = assert_problem(refused, 422, "validation-failed")
    assert pointers(problem) == {"/url", "/event_types"}
    assert not Subscription.objects.exists()


def test_managers_and_cashiers_may_not_see_or_change_subscriptions(api_as):
    for role in (Role.MANAGER, Role.CASHIER):
        assert_problem(api_as(role).get("/webhooks"), 403, "permission-denied")
        assert_problem(api_as(role).post("/webhooks", {"url": "https://pos.example.com/h"}), 403,
                       "permission-denied")
    assert not Subscription.objects.exists()


def test_pause_resume_and_remove_need_the_current_version(admin_api, webhook_receiver):
    body = admin_api.post("/webhooks", {"url": webhook_receiver.url}).json()
    path = f"/webhooks/{body['id']}"
    stale = admin_api.patch(path, {"paused": True}, if_match=99)
    assert_problem(stale, 412, "stale-version")
    paused = admin_api.patch(path, {"paused": True}, if_match=admin_api.get(path)["ETag"])
    assert paused.status_code == 200 and paused.json()["paused"] is True
    customer_factory()
    assert deliver_due() == 0  # held back
    resumed = admin_api.patch(path, {"paused": False}, if_match=paused["ETag"])
    assert resumed.json()["paused"] is False
    assert deliver_due() == 1
    assert admin_api.delete(path, if_match=resumed["ETag"]).status_code == 204
    assert_problem(admin_api.get(path), 404, "webhook-not-found")
