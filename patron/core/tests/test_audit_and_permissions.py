"""The audit trail is append-only; the permission matrix and its document agree."""

import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from patron.core.db import append_only_unlocked
from patron.core.errors import PermissionDenied
from patron.core.models import AuditEvent
from patron.core.permissions import PERMISSIONS, Role, allows, require
from patron.customers.tests.factories import customer_factory

DOCS = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(system):
    customer_factory()
    event = AuditEvent.objects.get()
    for statement in (f"UPDATE core_auditevent SET action = 'forged' WHERE id = {event.pk}",
                      f"DELETE FROM core_auditevent WHERE id = {event.pk}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    event.refresh_from_db()
    assert event.action == "customer.created"


@pytest.mark.django_db
def test_a_deliberate_rewrite_is_possible_inside_the_unlocked_block(system):
    customer_factory()
    with append_only_unlocked():
        AuditEvent.objects.update(object_label="erased")
    assert AuditEvent.objects.get().object_label == "erased"
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(object_label="again")


@pytest.mark.django_db
def test_audit_event_records_who_when_and_request(client, system):
    from patron.core.context import request_context

    with request_context("req-123", "10.0.0.7"):
        customer = customer_factory()
    event = AuditEvent.objects.get()
    assert (event.actor_kind, event.action, event.customer_uuid, event.request_id, event.ip_address) == (
        "system", "customer.created", customer.uuid, "req-123", "10.0.0.7")


def _documented_matrix() -> dict[str, set[str]]:
    matrix = {}
    for line in DOCS.read_text().splitlines():
        match = re.match(r"\| `([a-z_.]+)` \| .+? \| (.+) \|$", line)
        if match:
            cells = [cell.strip() for cell in match.group(2).split("|")]
            matrix[match.group(1)] = {role for role, cell in zip(("admin", "manager", "cashier"), cells, strict=True)
                                      if cell == "yes"}
    return matrix


def test_docs_permissions_table_matches_the_code():
    in_code = {name: {str(role) for role in roles} for name, (roles, _) in PERMISSIONS.items()}
    assert _documented_matrix() == in_code


@pytest.mark.parametrize("permission", sorted(PERMISSIONS))
@pytest.mark.parametrize("role", list(Role))
def test_require_follows_the_matrix_cell_by_cell(permission, role):
    class Someone:
        pass

    someone = Someone()
    someone.role = role
    if role in PERMISSIONS[permission][0]:
        require(someone, permission)
    else:
        with pytest.raises(PermissionDenied):
            require(someone, permission)


def test_unknown_permission_is_a_programming_error_not_a_grant():
    with pytest.raises(KeyError):
        allows(Role.ADMIN, "customers.fly")
