"""API tokens: shown once, stored hashed, tied to a role and a store, revocable."""

import pytest

from patron.core.errors import PermissionDenied, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.locations.models import Location
from patron.staff import actions
from patron.staff.models import ApiToken
from patron.staff.tests.factories import actor_for, token_factory

pytestmark = pytest.mark.django_db


def test_secret_is_returned_once_and_only_its_hash_is_stored(system):
    token, secret = actions.create_api_token(actor=system, name="Till 1", role=Role.CASHIER,
                                             location=Location.objects.get(code="S01"))
    assert secret.startswith("ptn_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.secret_hash, stored.prefix, stored.name)
    assert stored.prefix == secret[:12]
    assert AuditEvent.objects.filter(action="staff.token_created").exists()


def test_token_authenticates_until_revoked(system):
    token, secret = token_factory(Role.MANAGER)
    found = actions.authenticate_token(secret)
    assert (found, found.role, found.location.code) == (token, Role.MANAGER, "S01")
    assert found.last_used_at is not None
    actions.revoke_api_token(actor=system, token=token)
    assert actions.authenticate_token(secret) is None


@pytest.mark.parametrize("secret", ["", "ptn_wrong", "Bearer ptn_x", "ptn_" + "a" * 500, "x" * 40])
def test_wrong_secrets_do_not_authenticate(secret):
    token_factory()
    assert actions.authenticate_token(secret) is None


def test_token_needs_a_name_and_a_known_role(system):
    with pytest.raises(ValidationFailed) as raised:
        actions.create_api_token(actor=system, name=" ", role="owner")
    assert set(raised.value.errors) == {"name", "role"}
    assert not ApiToken.objects.exists()


def test_only_admins_create_tokens_and_users():
    manager = actor_for(Role.MANAGER)
    with pytest.raises(PermissionDenied):
        actions.create_api_token(actor=manager, name="Till", role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        actions.create_user(actor=manager, username="eve", password="a long enough passphrase", role=Role.ADMIN)


def test_user_passwords_are_validated_and_hashed_with_argon2(system):
    with pytest.raises(ValidationFailed) as raised:
        actions.create_user(actor=system, username="amy", password="password", role=Role.CASHIER)
    assert "password" in raised.value.errors
    user = actions.create_user(actor=system, username="amy", password="tulip orbit canyon 42", role=Role.CASHIER)
    assert user.password.startswith("argon2")
    assert user.check_password("tulip orbit canyon 42")


def test_the_last_admin_cannot_be_demoted(system):
    from patron.core.errors import Conflict
    from patron.staff.tests.factories import user_factory

    admin = user_factory(Role.ADMIN)
    with pytest.raises(Conflict):
        actions.set_user_role(actor=system, user=admin, role=Role.CASHIER, location=None)
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
