"""Helpers for the Settings page tests: logging in with a role, and checking a rejected form."""

from __future__ import annotations

from html import escape

from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.staff.tests.factories import user_factory


def log_in(client, role: str = Role.ADMIN, **kwargs):
    """Log ``client`` in as a new user of ``role``; returns the user."""
    user = user_factory(role, **kwargs)
    client.force_login(user)
    return user


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def assert_form_rejected(response, field: str, message_part: str, *, kept: dict[str, str] | None = None,
                         form_name: str = "form") -> None:
    """The page came back with ``field``'s error shown next to it and the typed values kept."""
    assert response.status_code == 200
    form = response.context[form_name]
    messages = form.errors.get(field, [])
    assert any(message_part in message for message in messages), form.errors
    page = response.content.decode()
    for message in messages:
        assert escape(message) in page
    for name, value in (kept or {}).items():
        assert form[name].value() == value
        assert escape(value) in page
