"""The country and time zone in force at each location (``Location.effective_country`` and
``effective_time_zone``): its own, else inherited from the nearest location above that has one."""

from __future__ import annotations

from patron.locations.models import Location


def inherited_values(rows: dict[int, tuple[int | None, str, str]]) -> dict[int, tuple[str, str]]:
    """(country, time zone) in force for each location, from ``{id: (parent id, own country,
    own time zone)}``."""
    resolved: dict[int, tuple[str, str]] = {}

    def resolve(location_id: int, seen: frozenset = frozenset()) -> tuple[str, str]:
        if location_id in resolved:
            return resolved[location_id]
        parent_id, country, time_zone = rows[location_id]
        above = ("", "")
        if parent_id is not None and parent_id in rows and parent_id not in seen:  # a cycle cannot loop
            above = resolve(parent_id, seen | {location_id})
        resolved[location_id] = (country or above[0], time_zone or above[1])
        return resolved[location_id]

    for location_id in rows:
        resolve(location_id)
    return resolved


def refresh_inherited() -> None:
    """Store the country and time zone in force at every location whose values moved (after a
    location was created, changed or moved: its descendants follow). A hierarchy holds tens or
    hundreds of locations, so all of it is worked out again, in the caller's transaction."""
    stored = {pk: (parent_id, country, time_zone, effective_country, effective_time_zone)
              for pk, parent_id, country, time_zone, effective_country, effective_time_zone
              in Location.objects.values_list("pk", "parent_id", "country", "time_zone",
                                              "effective_country", "effective_time_zone")}
    wanted = inherited_values({pk: row[:3] for pk, row in stored.items()})
    for pk, (country, time_zone) in wanted.items():
        if stored[pk][3:] != (country, time_zone):
            Location.objects.filter(pk=pk).update(effective_country=country, effective_time_zone=time_zone)
