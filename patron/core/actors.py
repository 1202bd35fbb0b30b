"""Who performs an action: a staff user, an API client (token) or the system (CLI, demo, jobs).

Actions take ``actor`` so audit entries, permissions and "created at which location" work the
same way whichever interface called them.
"""

from __future__ import annotations

from dataclasses import dataclass

from patron.core.permissions import Role


@dataclass(frozen=True)
class Actor:
    kind: str  # "user", "token" or "system"
    label: str  # shown in audit trails: a username, a token name, "system"
    role: str
    user_id: int | None = None
    token_id: int | None = None
    location_id: int | None = None

    @property
    def is_system(self) -> bool:
        return self.kind == "system"


def user_actor(user) -> Actor:
    return Actor(kind="user", label=user.get_username(), role=user.role, user_id=user.pk,
                 location_id=user.location_id)


def token_actor(token) -> Actor:
    return Actor(kind="token", label=f"API: {token.name}", role=token.role, token_id=token.pk,
                 location_id=token.location_id)


def system_actor(label: str = "system", location_id: int | None = None) -> Actor:
    """For the command line and background jobs; it holds every permission."""
    return Actor(kind="system", label=label, role=Role.ADMIN, location_id=location_id)
