"""Staff users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict, ValidationFailed
from patron.core.normalize import clean_text
from patron.core.permissions import Role, require
from patron.core.validation import FieldErrors
from patron.locations.models import Location
from patron.staff.models import ApiToken, User

TOKEN_PREFIX = "ptn_"
_LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def create_user(*, actor: Actor, username: str, password: str, role: str, location: Location | None = None,
                first_name: str = "", last_name: str = "", email: str = "") -> User:
    require(actor, "staff.manage")
    errors = FieldErrors()
    username = errors.clean("username", clean_text, username, max_length=150)
    if username == "":
        errors.add("username", "Enter a username.")
    elif username and User.objects.filter(username__iexact=username).exists():
        errors.add("username", "This username is taken.")
    if role not in Role.values:
        errors.add("role", "Choose admin, manager or cashier.")
    user = User(username=username or "", role=role, location=location, first_name=first_name,
                last_name=last_name, email=email)
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        for message in error.messages:
            errors.add("password", message)
    errors.raise_if_any()
    user.set_password(password)
    user.save()
    record_event(actor=actor, action="staff.user_created", subject=user,
                 data={"role": role, "location": location.code if location else None})
    return user


@transaction.atomic
def set_user_role(*, actor: Actor, user: User, role: str, location: Location | None) -> User:
    require(actor, "staff.manage")
    if role not in Role.values:
        raise ValidationFailed("Choose admin, manager or cashier.", field="role")
    if user.role == Role.ADMIN and role != Role.ADMIN and not User.objects.filter(
            role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists():
        raise Conflict("Patron needs at least one admin; make someone else admin first.", field="role")
    changes = {"role": [user.role, role], "location": [str(user.location or ""), str(location or "")]}
    user.role, user.location = role, location
    user.save(update_fields=["role", "location"])
    record_event(actor=actor, action="staff.user_role_changed", subject=user, changes=changes)
    return user


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, actor: Actor, name: str, role: str, location: Location | None = None,
                     created_by: User | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is never stored and cannot be shown again."""
    require(actor, "staff.manage")
    errors = FieldErrors()
    name = errors.clean("name", clean_text, name, max_length=100)
    if name == "":
        errors.add("name", "Name the token after the terminal or shop that uses it.")
    if role not in Role.values:
        errors.add("role", "Choose admin, manager or cashier.")
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(name=name, prefix=secret[:12], secret_hash=_hash(secret), role=role,
                                    location=location, created_by=created_by)
    record_event(actor=actor, action="staff.token_created", subject=token,
                 data={"role": role, "location": location.code if location else None})
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    require(actor, "staff.manage")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(actor=actor, action="staff.token_revoked", subject=token)
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The active token with this secret, or None. Marks it used at most once a minute."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (ApiToken.objects.select_related("location")
             .filter(secret_hash=_hash(secret), revoked_at__isnull=True).first())
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
