"""Events out: written in the change's transaction, signed the Standard Webhooks way, delivered at
least once and in order per customer to a real HTTP receiver that answers slowly, fails, times out
and goes away; retried with backoff, logged, paused after a day of failures, sent again by hand."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from patron.core.errors import PermissionDenied, ValidationFailed
from patron.core.permissions import Role
from patron.customers import actions as customer_actions
from patron.customers.tests.factories import customer_factory
from patron.events import actions
from patron.events.delivery import deliver_due
from patron.events.duties import tell_admins
from patron.events.models import Delivery, DeliveryAttempt, DeliveryStatus, Event, Subscription
from patron.events.tests.receiver import Receiver
from patron.jobs.models import Job
from patron.staff.models import User

pytestmark = pytest.mark.django_db


def _subscribe(system, receiver, *types):
    subscription, secret = actions.create_subscription(actor=system, url=receiver.url, event_types=list(types))
    return subscription, secret


def _due_again():
    """The retry's backoff has passed (the test does not wait for it)."""
    Delivery.objects.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=timezone.now())


def test_a_rolled_back_change_sends_nothing(system, webhook_receiver):
    _subscribe(system, webhook_receiver)
    with transaction.atomic():
        customer_factory(first_name="Rolled", last_name="Back")
        assert Event.objects.count() == 1  # written with the change ...
        transaction.set_rollback(True)
    assert not Event.objects.exists() and not Delivery.objects.exists()  # ... and gone with it
    assert deliver_due() == 0 and webhook_receiver.received == []


def test_a_new_customer_is_delivered_signed_and_the_signature_verifies(system, webhook_receiver):
    subscription, secret = _subscribe(system, webhook_receiver)
    customer = customer_factory(first_name="Anna", last_name="Berg")
    assert Job.objects.filter(duty="webhooks.deliver", status="queued").exists()  # sent soon after the commit
    assert deliver_due() == 1
    [request] = webhook_receiver.received
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload["type"] == "customer.created"
    assert payload["data"]["id"] == str(customer.uuid) and payload["data"]["customer_id"] == str(customer.uuid)
    assert "first_name" in payload["data"]["changed"] and "Anna" not in request["body"].decode()  # no personal values
    with pytest.raises(Exception, match="signature"):
        Webhook(actions.new_secret()).verify(request["body"], request["headers"])  # another secret: refused
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert DeliveryAttempt.objects.get().status_code == 204


def test_each_kind_of_change_is_an_event(system, webhook_receiver):
    _subscribe(system, webhook_receiver)
    customer = customer_factory()
    customer_actions.update_customer(actor=system, customer=customer, values={"notes": "likes tea"})
    customer_actions.change_status(actor=system, customer=customer, status="inactive", reason="moved away")
    deliver_due()
    kinds = [item["payload"]["type"] for item in webhook_receiver.received]
    assert kinds == ["customer.created", "customer.updated", "customer.status_changed"]
    assert webhook_receiver.received[2]["payload"]["data"]["to"] == "inactive"


def test_a_subscription_gets_only_the_types_it_asked_for(system, webhook_receiver):
    _subscribe(system, webhook_receiver, "customer.status_changed")
    customer = customer_factory()
    customer_actions.change_status(actor=system, customer=customer, status="inactive", reason="moved")
    deliver_due()
    assert [item["payload"]["type"] for item in webhook_receiver.received] == ["customer.status_changed"]


def test_a_failure_is_retried_later_and_holds_back_that_customers_later_events(system, webhook_receiver):
    _subscribe(system, webhook_receiver)
    webhook_receiver.answer((500, 0))
    customer = customer_factory()
    customer_actions.update_customer(actor=system, customer=customer, values={"notes": "second"})
    other = customer_factory()
    assert deliver_due() == 1  # the other customer's event went; this one's second waits for its first
    first = Delivery.objects.filter(customer_uuid=customer.uuid).order_by("event_id").first()
    assert first.status == DeliveryStatus.PENDING and first.attempts == 1 and first.last_error == "HTTP 500"
    assert first.next_attempt_at > timezone.now() + timedelta(seconds=2)  # backoff
    assert deliver_due() == 0  # not due yet
    _due_again()
    assert deliver_due() == 2
    ids = [item["payload"]["data"]["customer_id"] for item in webhook_receiver.received]
    assert ids == [str(customer.uuid), str(other.uuid), str(customer.uuid), str(customer.uuid)]
    mine = [item["payload"]["type"] for item in webhook_receiver.received if item["status"] < 300
            and item["payload"]["data"]["customer_id"] == str(customer.uuid)]
    assert mine == ["customer.created", "customer.updated"]


def test_a_timeout_is_a_failure_and_the_repeat_has_the_same_webhook_id(system, webhook_receiver, settings):
    settings.PATRON_WEBHOOK_TIMEOUT_SECONDS = 0.3
    _subscribe(system, webhook_receiver)
    webhook_receiver.answer((204, 1.0))  # took it, but answered too late
    customer_factory()
    assert deliver_due() == 0
    assert "timed out" in Delivery.objects.get().last_error
    _due_again()
    assert deliver_due() == 1
    first, again = webhook_receiver.received
    assert first["id"] == again["id"]


def test_a_receiver_that_went_away_keeps_its_deliveries_until_it_is_back(system, webhook_receiver):
    _subscribe(system, webhook_receiver)
    url = webhook_receiver.url
    webhook_receiver.stop()
    customer_factory()
    assert deliver_due() == 0
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "refused" in delivery.last_error.lower()
    back = Receiver()
    try:
        Subscription.objects.update(url=back.url)
        _due_again()
        assert deliver_due() == 1 and len(back.received) == 1
    finally:
        back.stop()
    assert url != back.url


def test_a_subscription_failing_for_a_day_is_paused_and_the_admins_told(system, webhook_receiver, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.create_user(username="boss", password="x" * 12, role=Role.ADMIN, email="boss@example.com")
    subscription, _ = _subscribe(system, webhook_receiver)
    webhook_receiver.default = (503, 0)
    customer_factory()
    Subscription.objects.update(failing_since=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        deliver_due(on_pause=tell_admins)
    subscription.refresh_from_db()
    assert subscription.paused_at is not None and "503" in subscription.paused_reason
    assert [message.to for message in mail.outbox] == [["boss@example.com"]]
    # paused: nothing is sent, the delivery waits
    webhook_receiver.default = (204, 0)
    _due_again()
    assert deliver_due() == 0
    # resumed: sent at once
    actions.resume_subscription(actor=system, subscription=subscription)
    assert deliver_due() == 1


def test_a_delivery_can_be_sent_again_by_hand(system, webhook_receiver):
    _subscribe(system, webhook_receiver)
    customer_factory()
    deliver_due()
    actions.redeliver(actor=system, delivery=Delivery.objects.get())
    assert deliver_due() == 1
    first, again = webhook_receiver.received
    assert first["id"] == again["id"]
    assert DeliveryAttempt.objects.count() == 2


def test_in_order_per_customer_with_random_failures_and_none_lost(system, webhook_receiver):
    _subscribe(system, webhook_receiver)
    rng = random.Random(19)
    webhook_receiver.answer(*[(rng.choice([204, 204, 500, 503]), 0) for _ in range(200)])
    customers = [customer_factory() for _ in range(4)]
    for round_number in range(5):
        for customer in rng.sample(customers, len(customers)):
            customer_actions.update_customer(actor=system, customer=customer,
                                             values={"notes": f"round {round_number}"})
            customer.refresh_from_db()
    expected = {str(customer.uuid): list(Event.objects.filter(customer_uuid=customer.uuid)
                                         .order_by("id").values_list("uuid", flat=True)) for customer in customers}
    for _ in range(60):
        deliver_due()
        _due_again()
        if not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists():
            break
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()  # none lost
    for customer_id, events in expected.items():
        taken = [item["id"] for item in webhook_receiver.received
                 if item["status"] < 300 and item["payload"]["data"]["customer_id"] == customer_id]
        assert taken == [f"msg_{uuid.hex}" for uuid in events]  # each once, in order
    assert any(item["status"] >= 500 for item in webhook_receiver.received)  # the failures really happened


def test_only_admins_manage_subscriptions_and_bad_input_is_refused(system):
    from patron.core.actors import Actor

    manager = Actor(kind="user", label="m", role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        actions.create_subscription(actor=manager, url="https://example.com/hooks")
    with pytest.raises(ValidationFailed) as refused:
        actions.create_subscription(actor=system, url="ftp://example.com", event_types=["customer.nonsense"])
    assert set(refused.value.errors) == {"url", "event_types"}
    assert not Subscription.objects.exists()


def test_sales_credit_consent_merge_erasure_and_imports_are_events_too(system, webhook_receiver, settings, tmp_path):
    from patron.credit.actions import post_payment, set_credit_enabled, set_credit_limit
    from patron.marketing.actions import record_consent
    from patron.merging.actions import merge_customers
    from patron.privacy.erasure import erase_customer
    from patron.sales.tests.factories import sale_factory
    from patron.transfer.imports import jobs as imports

    _subscribe(system, webhook_receiver)
    set_credit_enabled(actor=system, is_enabled=True)
    customer, twin = customer_factory(), customer_factory()
    set_credit_limit(actor=system, customer=customer, credit_limit="100")
    sale_factory(customer)
    post_payment(actor=system, customer=customer, amount="5.00", method="cash")
    record_consent(actor=system, customer=customer, channel="email", granted=True, source="pos")
    merge_customers(actor=system, survivor=customer, others=[twin])
    erase_customer(actor=system, customer=customer_factory(), reason="asked by letter")
    source = tmp_path / "few.csv"
    source.write_text("first_name,last_name\nAda,Lovelace\n", encoding="utf-8")
    job = imports.create_job(actor=system, source=str(source), file_name="few.csv", match_key="none")
    imports.run_job(job, actor=system)
    deliver_due()
    kinds = {item["payload"]["type"] for item in webhook_receiver.received}
    assert {"sale.recorded", "credit.entry_posted", "consent.changed", "customer.merged", "customer.erased",
            "import.finished"} <= kinds
    sale = next(item["payload"]["data"] for item in webhook_receiver.received
                if item["payload"]["type"] == "sale.recorded")
    assert sale["total"] == "10.00" and sale["customer_id"] == str(customer.uuid)
    merged = next(item["payload"]["data"] for item in webhook_receiver.received
                  if item["payload"]["type"] == "customer.merged")
    assert merged["merged"] == [str(twin.uuid)]
