"""The client's address behind trusted proxies: the audit trail and the login lockout see it."""

import json

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.core.proxies import client_address
from patron.staff.tests.factories import token_factory

PROXY = "10.1.2.3"


def _address(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.PATRON_TRUSTED_PROXIES = []
    assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client(settings):
    settings.PATRON_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    assert _address(PROXY, "198.51.100.1") == "198.51.100.1"
    # A forged address the client put in front of its own stays to the left, unread.
    assert _address(PROXY, "1.1.1.1, 198.51.100.1") == "198.51.100.1"
    # Two trusted proxies in a row (the second appended the first's address).
    assert _address(PROXY, "198.51.100.1, 192.0.2.1, 10.9.9.9") == "198.51.100.1"
    assert _address(PROXY, "2001:db8::5") == "2001:db8::5"
    # Garbage in the header: the last address a trusted proxy vouched for.
    assert _address(PROXY, "not-an-address, 10.4.4.4") == "10.4.4.4"
    assert _address(PROXY) == PROXY


def test_an_untrusted_peer_cannot_claim_another_address(settings):
    settings.PATRON_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _address("203.0.113.9", "10.0.0.1, 198.51.100.1") == "203.0.113.9"


@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [True, False])
def test_the_audit_trail_records_the_client_behind_the_proxy(client, settings, trusted):
    settings.PATRON_TRUSTED_PROXIES = [PROXY] if trusted else []
    _, secret = token_factory(Role.MANAGER)
    body = json.dumps({"kind": "person", "first_name": "Ada", "last_name": "Byron"})
    response = client.post("/api/v1/customers", body, content_type="application/json", REMOTE_ADDR=PROXY,
                           headers={"Authorization": f"Bearer {secret}", "X-Forwarded-For": "198.51.100.20"})
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action="customer.created")
    assert event.ip_address == ("198.51.100.20" if trusted else PROXY)
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [True, False])
def test_the_login_lockout_records_the_client_behind_the_proxy(client, settings, trusted):
    settings.PATRON_TRUSTED_PROXIES = ["10.0.0.0/8"] if trusted else []
    client.post(reverse("web:login"), {"username": "nobody", "password": "wrong password"}, REMOTE_ADDR=PROXY,
                headers={"X-Forwarded-For": "198.51.100.30"})
    attempt = AccessAttempt.objects.get(username="nobody")
    assert attempt.ip_address == ("198.51.100.30" if trusted else PROXY)
