"""Reading the location hierarchy."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from patron.core.db import hot_cursor
from patron.core.errors import NotFound
from patron.locations.models import Coverage, Location, LocationGroup, LocationKind


def get_location(uuid) -> Location:
    try:
        return Location.objects.get(uuid=uuid)
    except (Location.DoesNotExist, ValueError, ValidationError):
        raise NotFound(_("No such location."), code="location-not-found") from None


def get_location_by_code(code: str) -> Location:
    """The location with this code, ignoring case and surrounding space (what admins type)."""
    location = Location.objects.annotate(key=Lower("code")).filter(key=(code or "").strip().lower()).first()
    if location is None:
        known = ", ".join(Location.objects.order_by("code").values_list("code", flat=True))
        raise NotFound(_("No location has the code “%(code)s” (known: %(known)s).") % {
            "code": code, "known": known}, code="location-not-found")
    return location


def ancestor_ids(location: Location) -> list[int]:
    """The location's id and those of every location above it, nearest first (one query: the
    hierarchy is small, and lookups at the till ask this on every request)."""
    parents = dict(Location.objects.values_list("pk", "parent_id"))
    ids, current = [], location.pk
    while current is not None and current not in ids:
        ids.append(current)
        current = parents.get(current)
    return ids


def groups_covering(location: Location):
    """Location groups that make a customer available at this location."""
    return LocationGroup.objects.filter(coverage__location=location)


def covering_group_ids(location: Location) -> tuple[int, ...]:
    """The ids of ``groups_covering(location)`` in one plain query."""
    select, params = covering_groups_select(location.pk)
    with hot_cursor() as cursor:
        cursor.execute(f"{select} ORDER BY 1", params)
        return tuple(group_id for (group_id,) in cursor.fetchall())


def covering_groups_select(location_id: int) -> tuple[str, list]:
    """A SELECT of the ids of the groups covering a location (``groups_covering``), and its
    parameters, to put inside another statement: the till's lookups run it as part of theirs
    rather than as a statement of its own on every request."""
    return f"SELECT group_id FROM {Coverage._meta.db_table} WHERE location_id = %s", [location_id]


def default_location() -> Location | None:
    """Where customers are homed when the acting user or token has no location: the first store."""
    return (
        Location.objects.filter(is_active=True, kind=LocationKind.STORE).order_by("pk").first()
        or Location.objects.filter(is_active=True).order_by("pk").first()
    )


def default_groups():
    return LocationGroup.objects.filter(is_default=True)


def location_tree() -> list[tuple[Location, int]]:
    """Every location with its depth, in hierarchy order, for pickers and the settings page."""
    children: dict[int | None, list[Location]] = {}
    for location in Location.objects.order_by("name"):
        children.setdefault(location.parent_id, []).append(location)
    ordered: list[tuple[Location, int]] = []

    def visit(parent_id, depth):
        for location in children.get(parent_id, []):
            ordered.append((location, depth))
            visit(location.pk, depth + 1)

    visit(None, 0)
    return ordered


def location_groups() -> QuerySet[LocationGroup]:
    """Every location group with its locations, for the settings page."""
    return LocationGroup.objects.prefetch_related("locations")
