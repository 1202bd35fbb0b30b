"""Helpers for the customer page tests: logged-in clients and counts that must not move."""

from __future__ import annotations

import re

from django.test import Client

from patron.core.models import AuditEvent
from patron.customers.models import Customer
from patron.staff.tests.factories import user_factory


def client_for(role: str, **client_options) -> Client:
    client = Client(**client_options)
    client.force_login(user_factory(role))
    return client


def store_state() -> tuple[int, int, list[int]]:
    """Customers, audit entries and every customer's version: a refused request moves none."""
    return (Customer.objects.count(), AuditEvent.objects.count(),
            list(Customer.objects.order_by("pk").values_list("version", flat=True)))


def field_error(html: str, field_id: str) -> str:
    """The error text shown next to the field with this id ('' when none)."""
    match = re.search(rf'id="{field_id}".*?(?:<ul class="errorlist"[^>]*>(.*?)</ul>|</div>)', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match and match.group(1) else ""


def input_value(html: str, field_id: str) -> str | None:
    """The value attribute of the input with this id, as the page sends it (escaped)."""
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""
