"""Staff users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.db import PlainRead, model_columns, model_from_row
from patron.core.errors import Conflict, RuleViolation, ValidationFailed
from patron.core.normalize import clean_text, clean_username, normalize_email
from patron.core.permissions import Role, require
from patron.core.replicas import not_read_back
from patron.core.validation import FieldErrors
from patron.locations.models import Location
from patron.staff.models import ApiToken, User

TOKEN_PREFIX = "ptn_"
_LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def create_user(*, actor: Actor, username: str, password: str, role: str, location: Location | None = None,
                first_name: str = "", last_name: str = "", email: str = "", language: str = "") -> User:
    require(actor, "staff.manage")
    errors = FieldErrors()
    username = errors.clean("username", clean_username, username)
    if username == "":
        errors.add("username", _("Enter a username."))
    elif username and User.objects.filter(username__iexact=username).exists():
        errors.add("username", _("This username is taken."))
    if role not in Role.values:
        errors.add("role", _("Choose admin, manager or cashier."))
    first_name = errors.clean("first_name", clean_text, first_name, max_length=150)
    last_name = errors.clean("last_name", clean_text, last_name, max_length=150)
    email = errors.clean("email", normalize_email, email) if email and email.strip() else ""
    if not _is_language(language):
        errors.add("language", _language_refused())
    user = User(username=username or "", role=role, location=location, first_name=first_name or "",
                last_name=last_name or "", email=email or "", language=language)
    _check_password(errors, password, user)
    errors.raise_if_any()
    user.set_password(password)
    user.save()
    record_event(actor=actor, action="staff.user_created", subject=user,
                 data={"role": role, "location": location.code if location else None})
    return user


def _check_password(errors: FieldErrors, password: str, user: User) -> None:
    """Run Django's password validators (AUTH_PASSWORD_VALIDATORS) and note what they refuse."""
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        for message in error.messages:
            errors.add("password", message)


def _is_last_active_admin(user: User) -> bool:
    """Locks the active admins so two admins demoting each other at once cannot both pass."""
    active_admins = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True)
    admins = list(active_admins.values_list("pk", flat=True))
    return user.role == Role.ADMIN and user.is_active and admins == [user.pk]


@transaction.atomic
def set_user_role(*, actor: Actor, user: User, role: str, location: Location | None) -> User:
    require(actor, "staff.manage")
    if role not in Role.values:
        raise ValidationFailed(_("Choose admin, manager or cashier."), field="role")
    if role != Role.ADMIN and _is_last_active_admin(user):
        raise Conflict(_("Patron needs at least one admin; make someone else admin first."), field="role")
    changes = {"role": [user.role, role], "location": [str(user.location or ""), str(location or "")]}
    user.role, user.location = role, location
    user.save(update_fields=["role", "location"])
    record_event(actor=actor, action="staff.user_role_changed", subject=user, changes=changes)
    return user


def _is_language(language: str) -> bool:
    """Blank (follow the browser) or one of the back office's languages."""
    return language == "" or language in dict(settings.LANGUAGES)


def _language_refused() -> str:
    return _("Choose one of the languages offered, or none to follow the browser.")


@transaction.atomic
def set_user_language(*, actor: Actor, user: User, language: str) -> User:
    """The language the back office speaks to ``user``: everyone picks their own, an admin anyone's."""
    if actor.user_id != user.pk:
        require(actor, "staff.manage")
    if not _is_language(language):
        raise ValidationFailed(_language_refused(), field="language")
    if user.language != language:
        changes = {"language": [user.language, language]}
        user.language = language
        user.save(update_fields=["language"])
        record_event(actor=actor, action="staff.user_language_changed", subject=user, changes=changes)
    return user


LIST_COLUMNS_MAX = 30


@transaction.atomic
def set_user_list_columns(*, actor: Actor, user: User, columns: list[str]) -> User:
    """The customer list's columns ``user`` sees (keys the back office defines; empty: its
    defaults): everyone chooses their own."""
    if actor.user_id != user.pk:
        require(actor, "staff.manage")
    if len(columns) > LIST_COLUMNS_MAX or not all(isinstance(key, str) and key.isidentifier() for key in columns):
        raise ValidationFailed(_("Choose columns from the list offered."), field="columns")
    columns = list(dict.fromkeys(columns))
    if user.list_columns != columns:
        changes = {"list_columns": [user.list_columns, columns]}
        user.list_columns = columns
        user.save(update_fields=["list_columns"])
        record_event(actor=actor, action="staff.user_list_columns_changed", subject=user, changes=changes)
    return user


@transaction.atomic
def deactivate_user(*, actor: Actor, user: User) -> User:
    """Stop a user from logging in; their open sessions end at their next request."""
    require(actor, "staff.manage")
    if actor.user_id == user.pk:
        raise RuleViolation(_("You cannot deactivate yourself."), code="deactivate-self")
    if _is_last_active_admin(user):
        raise RuleViolation(_("Patron needs at least one active admin; make someone else admin first."),
                            code="last-admin")
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_event(actor=actor, action="staff.user_deactivated", subject=user)
    return user


@transaction.atomic
def reactivate_user(*, actor: Actor, user: User) -> User:
    require(actor, "staff.manage")
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event(actor=actor, action="staff.user_reactivated", subject=user)
    return user


@transaction.atomic
def set_user_password(*, actor: Actor, user: User, password: str) -> User:
    """Give a user a new password (checked by Django's validators); their other sessions end."""
    require(actor, "staff.manage")
    errors = FieldErrors()
    _check_password(errors, password, user)
    errors.raise_if_any()
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event(actor=actor, action="staff.user_password_set", subject=user)  # never the password itself
    return user


def _new_secret() -> str:
    """A secret whose shown prefix (how admins tell tokens apart and revoke them) is unique."""
    while True:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        if not ApiToken.objects.filter(prefix=secret[:12]).exists():
            return secret


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
        errors.add("name", _("Name the token after the terminal or shop that uses it."))
    if role not in Role.values:
        errors.add("role", _("Choose admin, manager or cashier."))
    errors.raise_if_any()
    secret = _new_secret()
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


_TOKEN_READ = PlainRead(
    [*model_columns(ApiToken, "t"), *model_columns(Location, "l", prefix="location.")],
    f"{ApiToken._meta.db_table} t LEFT JOIN {Location._meta.db_table} l ON l.id = t.location_id")


def _active_token(secret_hash: str) -> ApiToken | None:
    """The unrevoked token with this hash and its location, as ``select_related`` would load
    them, read on every API request without compiling the ORM's query each time."""
    found = _TOKEN_READ.rows("t.secret_hash = %s AND t.revoked_at IS NULL", [secret_hash])
    if not found:
        return None
    token = model_from_row(ApiToken, found[0])
    location = model_from_row(Location, found[0], prefix="location.") if token.location_id is not None else None
    ApiToken._meta.get_field("location").set_cached_value(token, location)
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The active token with this secret, or None. Marks it used at most once a minute."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = _active_token(_hash(secret))
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            with not_read_back():
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token
