"""What every back-office view shares: the access it declares, the acting user, and turning domain
errors that are not about the input into HTTP answers (403, 404).

Every view reached by a URL declares who may open it with exactly one of ``requires(...)``,
``signed_in`` or ``public``, written as its outermost decorator, so the answer to someone who may
not use a page is the same whatever method they send: anonymous visitors go to the login page, a
role without the permission gets the 403 page. The declaration stays on the view as ``access``;
the back office's URL test reads it for every route and checks the answers of every role against
``patron.core.permissions.PERMISSIONS`` (a view without one fails it). Actions still check the
permission themselves; this gate keeps a role from even seeing what the API would refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from patron.core import errors
from patron.core.actors import Actor, user_actor
from patron.core.permissions import PERMISSIONS, allows


@dataclass(frozen=True)
class Access:
    """Who may open a view: anyone (``signed_in`` false), or signed-in staff whose role has every
    one of ``permissions`` (none: any signed-in staff member)."""

    permissions: tuple[str, ...] = ()
    signed_in: bool = True

    def allows(self, role: str | None) -> bool:
        return all(allows(role, permission) for permission in self.permissions)


def _declare(view, access: Access):
    view.access = access
    return view


def requires(*permissions: str):
    """Log-in required (anonymous users go to the login page), then every permission (403)."""
    if not permissions:
        raise TypeError("requires() needs a permission; use signed_in for pages every role may open")
    for permission in permissions:
        if permission not in PERMISSIONS:
            raise KeyError(f"Unknown permission {permission!r}")
    access = Access(permissions=permissions)

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not access.allows(request.user.role):
                missing = ", ".join(p for p in permissions if not allows(request.user.role, p))
                raise PermissionDenied(_("Your role may not do this (%(permission)s).") % {"permission": missing})
            return view(request, *args, **kwargs)
        return _declare(login_required(checked), access)
    return decorator


def signed_in(view):
    """Any signed-in staff member, whatever the role (the page shows only what the role may use)."""
    return _declare(login_required(view), Access())


def public(view):
    """No log-in needed: the login page itself, and logging out."""
    return _declare(view, Access(signed_in=False))


def actor(request) -> Actor:
    return user_actor(request.user)


def raise_http(error: errors.DomainError) -> None:
    """An action refused the user's role or could not find the record: end the request the HTTP
    way. Other domain errors are about the input and go back onto the form or into a message."""
    if isinstance(error, errors.PermissionDenied):
        raise PermissionDenied(error.message) from error
    if isinstance(error, errors.NotFound):
        raise Http404(error.message) from error
