"""Who is calling, and what they may read.

API clients authenticate with ``Authorization: Bearer <token>`` only. Session cookies are
ignored (so CSRF cannot apply) and tokens in query strings are never looked at. Revoked tokens
fail on the very next request because every request looks the token up.

Every operation declares the permission it needs: reads check it here with ``requires``; writes
name it with ``checked_by_action`` because the action they call checks it (``tests`` make sure no
operation declares neither).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from ninja.security import HttpBearer

from patron.api.errors import unauthenticated
from patron.core.actors import Actor, token_actor
from patron.core.permissions import PERMISSIONS, require
from patron.staff.actions import authenticate_token
from patron.staff.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate_token(token)


bearer_token = BearerToken()


def actor_of(request: HttpRequest) -> Actor:
    return token_actor(request.auth)


def requires(permission: str):
    """Refuse (403) unless the token's role has ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            require(actor_of(request), permission)
            return view(request, *args, **kwargs)

        checked.api_permission = (permission, "endpoint")
        return checked

    return decorate


def checked_by_action(permission: str):
    """Name the permission an operation needs when the action it calls checks it."""
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")

    def decorate(view):
        view.api_permission = (permission, "action")
        return view

    return decorate


def docs_access(view):
    """The OpenAPI document and the interactive docs: for logged-in staff or a valid API token.
    A browser without a session is sent to the login page; other clients get a 401 problem."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.is_active) or bearer_token(request):
            return view(request, *args, **kwargs)
        if getattr(view, "func", view).__name__ == "openapi_view" and "Authorization" not in request.headers:
            return redirect_to_login(request.get_full_path())
        return unauthenticated(request)

    return guarded
