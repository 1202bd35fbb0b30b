"""Reading staff users and API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from patron.staff.models import ApiToken, User


def staff_users() -> QuerySet[User]:
    """Every user with their store, active ones first, for the Staff page."""
    return User.objects.select_related("location").order_by("-is_active", "username")


def api_tokens() -> QuerySet[ApiToken]:
    """Every API token with its store, newest first, for the API tokens page."""
    return ApiToken.objects.select_related("location").order_by("-created_at")
