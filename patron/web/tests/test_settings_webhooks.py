"""Settings > Webhooks: an admin adds a subscription (the secret shown once), sees the delivery log,
pauses, resumes, sends again and removes; bad input stays on the form with nothing saved."""

import re

import pytest
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.events.delivery import deliver_due
from patron.events.models import Delivery, Subscription
from patron.web.tests.settings_support import assert_form_rejected, audit_actions, log_in

pytestmark = pytest.mark.django_db


def test_an_admin_adds_a_webhook_and_follows_its_deliveries(client, webhook_receiver):
    log_in(client, Role.ADMIN)
    page = client.post(reverse("web:settings_webhook_add"),
                       {"url": webhook_receiver.url, "event_types": ["customer.created"], "description": "POS vendor"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    secret = re.search(r'value="(whsec_[A-Za-z0-9+/=]+)"', page.content.decode()).group(1)
    subscription = Subscription.objects.get()
    assert subscription.event_types == ["customer.created"] and "webhook.created" in audit_actions()

    customer_factory()
    deliver_due()
    assert Webhook(secret).verify(webhook_receiver.received[0]["body"], webhook_receiver.received[0]["headers"])
    detail = client.get(reverse("web:settings_webhook", args=[subscription.uuid])).content.decode()
    assert "customer.created" in detail and "HTTP 204 in" in detail

    client.post(reverse("web:settings_webhook_pause", args=[subscription.uuid]))
    assert Subscription.objects.get().paused_at is not None
    client.post(reverse("web:settings_webhook_redeliver", args=[subscription.uuid, Delivery.objects.get().pk]))
    assert deliver_due() == 0  # paused: held back
    client.post(reverse("web:settings_webhook_resume", args=[subscription.uuid]))
    assert deliver_due() == 1 and len(webhook_receiver.received) == 2

    client.post(reverse("web:settings_webhook_remove", args=[subscription.uuid]))
    assert not Subscription.objects.get().is_active
    listing = client.get(reverse("web:settings_webhooks")).content.decode()
    assert webhook_receiver.url not in listing


def test_a_bad_address_is_shown_at_the_field_and_nothing_is_saved(client):
    log_in(client, Role.ADMIN)
    response = client.post(reverse("web:settings_webhook_add"), {"url": "pos.example.com", "description": "x"})
    assert_form_rejected(response, "url", "https://", kept={"url": "pos.example.com"})
    assert not Subscription.objects.exists()


def test_managers_do_not_see_the_webhooks(client):
    log_in(client, Role.MANAGER)
    assert client.get(reverse("web:settings_webhooks")).status_code == 403
    assert reverse("web:settings_webhooks") not in client.get(reverse("web:settings")).content.decode()
