"""Which location groups cover which location (``Coverage``), kept in step with the hierarchy and
the groups by the location actions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from patron.locations.models import Coverage, Location, LocationGroup


def covering_pairs(parent_of: dict[int, int | None],
                   group_locations: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """(location id, group id) for every location and every group holding it or a location above
    it, from each location's parent and each group's locations."""
    groups_at: dict[int, set[int]] = {}
    for group_id, location_id in group_locations:
        groups_at.setdefault(location_id, set()).add(group_id)
    pairs = set()
    for location_id in parent_of:
        seen, current = set(), location_id
        while current is not None and current not in seen:  # a cycle cannot loop forever
            seen.add(current)
            pairs.update((location_id, group_id) for group_id in groups_at.get(current, ()))
            current = parent_of.get(current)
    return pairs


def stored_covering_pairs(location_model, group_model) -> set[tuple[int, int]]:
    """``covering_pairs`` of the hierarchy and groups in the database, read through these models
    (the app's, or a migration's historical ones)."""
    return covering_pairs(dict(location_model.objects.values_list("pk", "parent_id")),
                          group_model.locations.through.objects.values_list("locationgroup_id", "location_id"))


@transaction.atomic
def refresh_coverage() -> None:
    """Rewrite the coverage rows that changed (in the caller's transaction, if any). A hierarchy
    holds tens or hundreds of locations, so all of it is worked out again."""
    if connection.vendor == "postgresql":  # two admins' changes at once: the second works from the first's
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Coverage._meta.db_table} IN EXCLUSIVE MODE")
    wanted = stored_covering_pairs(Location, LocationGroup)
    existing = set(Coverage.objects.values_list("location_id", "group_id"))
    for location_id, group_id in existing - wanted:
        Coverage.objects.filter(location_id=location_id, group_id=group_id).delete()
    Coverage.objects.bulk_create([Coverage(location_id=location_id, group_id=group_id)
                                  for location_id, group_id in sorted(wanted - existing)])
