"""Deactivating and reactivating staff users and setting their passwords (patron.staff.actions)."""

import pytest

from patron.core.actors import user_actor
from patron.core.errors import Conflict, PermissionDenied, RuleViolation, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.staff import actions
from patron.staff.models import User
from patron.staff.tests.factories import PASSWORD, actor_for, user_factory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "tulip orbit canyon 42"


def _state() -> tuple:
    return (list(User.objects.order_by("pk").values_list("is_active", "password")),
            AuditEvent.objects.count())


def test_deactivating_and_reactivating_a_user_is_audited(system):
    carl = user_factory(username="carl")
    actions.deactivate_user(actor=system, user=carl)
    assert not User.objects.get(pk=carl.pk).is_active
    actions.reactivate_user(actor=system, user=carl)
    assert User.objects.get(pk=carl.pk).is_active
    events = AuditEvent.objects.filter(object_type="user", object_id=str(carl.pk)).order_by("id")
    assert [event.action for event in events] == ["staff.user_created", "staff.user_deactivated",
                                                  "staff.user_reactivated"]


def test_deactivating_an_inactive_user_again_writes_nothing(system):
    carl = user_factory(username="carl")
    actions.deactivate_user(actor=system, user=carl)
    before = _state()
    actions.deactivate_user(actor=system, user=carl)
    assert _state() == before


def test_nobody_can_deactivate_themselves():
    admin = user_factory(Role.ADMIN)
    user_factory(Role.ADMIN)
    before = _state()
    with pytest.raises(RuleViolation) as raised:
        actions.deactivate_user(actor=user_actor(admin), user=admin)
    assert raised.value.code == "deactivate-self"
    assert _state() == before


def test_the_last_active_admin_cannot_be_deactivated(system):
    admin = user_factory(Role.ADMIN)
    inactive_admin = user_factory(Role.ADMIN)
    actions.deactivate_user(actor=system, user=inactive_admin)
    before = _state()
    with pytest.raises(RuleViolation) as raised:
        actions.deactivate_user(actor=system, user=admin)
    assert raised.value.code == "last-admin"
    assert _state() == before


def test_the_last_active_admin_cannot_be_demoted_while_another_admin_is_inactive(system):
    admin = user_factory(Role.ADMIN)
    actions.deactivate_user(actor=system, user=user_factory(Role.ADMIN))
    before = _state()
    with pytest.raises(Conflict) as raised:
        actions.set_user_role(actor=system, user=admin, role=Role.MANAGER, location=None)
    assert raised.value.field == "role"
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN
    assert _state() == before


def test_setting_a_password_hashes_it_and_audits_without_the_password(system):
    carl = user_factory(username="carl")
    actions.set_user_password(actor=system, user=carl, password=NEW_PASSWORD)
    carl.refresh_from_db()
    assert carl.password.startswith("argon2$") and carl.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.latest("id")
    assert event.action == "staff.user_password_set"
    assert NEW_PASSWORD not in str(event.changes) + str(event.data)


@pytest.mark.parametrize("password, message", [
    ("short", "too short"),
    ("password123", "too common"),
    ("3141592653589", "entirely numeric"),
    ("carl-the-cashier", "too similar"),
])
def test_weak_passwords_are_refused(system, password, message):
    carl = user_factory(username="carl-the-cashier")
    before = _state()
    with pytest.raises(ValidationFailed) as raised:
        actions.set_user_password(actor=system, user=carl, password=password)
    assert any(message in text for text in raised.value.errors["password"])
    assert User.objects.get(pk=carl.pk).check_password(PASSWORD)
    assert _state() == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER])
def test_only_staff_managers_change_other_users(role):
    carl = user_factory(username="carl")
    actor = actor_for(role)
    before = _state()
    for call in (lambda: actions.deactivate_user(actor=actor, user=carl),
                 lambda: actions.reactivate_user(actor=actor, user=carl),
                 lambda: actions.set_user_password(actor=actor, user=carl, password=NEW_PASSWORD)):
        with pytest.raises(PermissionDenied):
            call()
    assert _state() == before


def test_new_users_names_and_email_are_cleaned(system):
    user = actions.create_user(actor=system, username="amy", password=NEW_PASSWORD, role=Role.CASHIER,
                               first_name="  Amy ", last_name="Lee", email=" Amy@Example.COM ")
    assert (user.first_name, user.email) == ("Amy", "Amy@example.com")
    with pytest.raises(ValidationFailed) as raised:
        actions.create_user(actor=system, username="bob", password=NEW_PASSWORD, role=Role.CASHIER,
                            first_name="x" * 151, email="not an address")
    assert set(raised.value.errors) == {"first_name", "email"}
    assert not User.objects.filter(username="bob").exists()
