"""What every back-office view shares: the permission gate, the acting user, and turning domain
errors that are not about the input into HTTP answers (403, 404)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from patron.core import errors
from patron.core.actors import Actor, user_actor
from patron.core.permissions import allows


def requires(permission: str):
    """Log-in required (anonymous users go to the login page), then the permission (403)."""
    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not allows(request.user.role, permission):
                raise PermissionDenied(_("Your role may not do this (%(permission)s).") % {"permission": permission})
            return view(request, *args, **kwargs)
        return login_required(checked)
    return decorator


def actor(request) -> Actor:
    return user_actor(request.user)


def raise_http(error: errors.DomainError) -> None:
    """An action refused the user's role or could not find the record: end the request the HTTP
    way. Other domain errors are about the input and go back onto the form or into a message."""
    if isinstance(error, errors.PermissionDenied):
        raise PermissionDenied(error.message) from error
    if isinstance(error, errors.NotFound):
        raise Http404(error.message) from error
