"""Staff users and API tokens for tests."""

from __future__ import annotations

import itertools

from patron.core.actors import Actor, system_actor, user_actor
from patron.core.permissions import Role
from patron.locations.queries import default_location
from patron.staff import actions
from patron.staff.models import User

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def user_factory(role: str = Role.CASHIER, *, username: str | None = None, location=None) -> User:
    return actions.create_user(
        actor=system_actor(), username=username or f"{role}{next(_numbers)}", password=PASSWORD, role=role,
        location=location or default_location(),
    )


def actor_for(role: str) -> Actor:
    return user_actor(user_factory(role))


def token_factory(role: str = Role.CASHIER, *, name: str | None = None, location=None):
    """(token, secret) for an API client of the given role."""
    return actions.create_api_token(actor=system_actor(), name=name or f"till {next(_numbers)}", role=role,
                                    location=location or default_location())
