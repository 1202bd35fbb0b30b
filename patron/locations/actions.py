"""Changing the location hierarchy and the location groups."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.jsonable import changed_fields, snapshot
from patron.core.normalize import clean_text, normalize_country, normalize_time_zone
from patron.core.permissions import require
from patron.core.validation import FieldErrors
from patron.locations.coverage import refresh_coverage
from patron.locations.inherited import refresh_inherited
from patron.locations.models import ALLOWED_PARENTS, Location, LocationGroup, LocationKind
from patron.locations.queries import ancestor_ids, groups_covering

_LOCATION_FIELDS = ["code", "name", "kind", "parent", "is_active", "country", "time_zone"]
# What a location passes on to the locations beneath it.
_INHERITED_FIELDS = ("parent", "country", "time_zone")

# Called with the ids of location groups whose reach changed (which stores they cover): the
# customers app registers here to tell tills that those groups' customers changed availability.
GROUP_REACH_LISTENERS: list[Callable[[set[int]], None]] = []


def _reach_changed(group_ids: set[int]) -> None:
    if group_ids:
        for listener in GROUP_REACH_LISTENERS:
            listener(group_ids)


def _clean_place(errors: FieldErrors, *, country, time_zone) -> tuple[str | None, str | None]:
    """The location's own country (ISO code; names and aliases such as "UK" accepted) and time
    zone (IANA name); blank for "as the location above it"."""
    return (errors.clean("country", normalize_country, country or ""),
            errors.clean("time_zone", normalize_time_zone, time_zone or ""))


def _clean_location(errors: FieldErrors, *, code, name, kind, parent, current: Location | None):
    code = errors.clean("code", clean_text, code, max_length=20)
    name = errors.clean("name", clean_text, name, max_length=100)
    if code == "":
        errors.add("code", _("Enter a short code, e.g. S01."))
    if name == "":
        errors.add("name", _("Enter a name."))
    if kind not in LocationKind.values:
        errors.add("kind", _("Choose company, branch or store."))
        return code, name
    allowed = ALLOWED_PARENTS[LocationKind(kind)]
    if parent is None and allowed and kind != LocationKind.COMPANY:
        errors.add("parent", _("A %(kind)s must sit under a %(parents)s.") % {
            "kind": kind, "parents": ' or '.join(sorted(allowed))})
    if parent is not None and parent.kind not in allowed:
        errors.add("parent", _("A %(kind)s cannot sit under a %(kind2)s.") % {"kind": kind, "kind2": parent.kind})
    if parent is not None and current is not None and current.pk in ancestor_ids(parent):
        errors.add("parent", _("A location cannot sit under itself or one of its own locations."))
    if code:
        clash = Location.objects.annotate(key=Lower("code")).filter(key=code.lower())
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors.add("code", _("Another location already uses this code."))
    return code, name


@transaction.atomic
def create_location(*, actor: Actor, code: str, name: str, kind: str, parent: Location | None = None,
                    country: str = "", time_zone: str = "") -> Location:
    """Create a location; a blank country or time zone is inherited from the location above."""
    require(actor, "locations.manage")
    errors = FieldErrors()
    code, name = _clean_location(errors, code=code, name=name, kind=kind, parent=parent, current=None)
    country, time_zone = _clean_place(errors, country=country, time_zone=time_zone)
    errors.raise_if_any()
    location = Location.objects.create(code=code, name=name, kind=kind, parent=parent, country=country,
                                       time_zone=time_zone)
    refresh_coverage()
    refresh_inherited()
    location.refresh_from_db(fields=["effective_country", "effective_time_zone"])
    record_event(actor=actor, action="location.created", subject=location,
                 changes=changed_fields({}, snapshot(location, _LOCATION_FIELDS)))
    return location


@transaction.atomic
def update_location(*, actor: Actor, location: Location, **changes) -> Location:
    require(actor, "locations.manage")
    before = snapshot(location, _LOCATION_FIELDS)
    values = {name: changes.get(name, getattr(location, name)) for name in _LOCATION_FIELDS}
    errors = FieldErrors()
    values["code"], values["name"] = _clean_location(
        errors, code=values["code"], name=values["name"], kind=values["kind"], parent=values["parent"],
        current=location,
    )
    values["country"], values["time_zone"] = _clean_place(errors, country=values["country"],
                                                           time_zone=values["time_zone"])
    errors.raise_if_any()
    covering_before = set(groups_covering(location).values_list("pk", flat=True))
    for name, value in values.items():
        setattr(location, name, value)
    location.save()
    after = snapshot(location, _LOCATION_FIELDS)
    if before["parent"] != after["parent"]:
        refresh_coverage()
        _reach_changed(covering_before | set(groups_covering(location).values_list("pk", flat=True)))
    if any(before[name] != after[name] for name in _INHERITED_FIELDS):  # the locations beneath follow
        refresh_inherited()
        location.refresh_from_db(fields=["effective_country", "effective_time_zone"])
    record_event(actor=actor, action="location.updated", subject=location, changes=changed_fields(before, after))
    return location


def _clean_group_name(errors: FieldErrors, name: str, current: LocationGroup | None) -> str | None:
    name = errors.clean("name", clean_text, name, max_length=100)
    if name == "":
        errors.add("name", _("Enter a name."))
    elif name:
        clash = LocationGroup.objects.annotate(key=Lower("name")).filter(key=name.lower())
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors.add("name", _("Another location group already has this name."))
    return name


@transaction.atomic
def save_location_group(*, actor: Actor, name: str, locations: list[Location], is_default: bool = False,
                        group: LocationGroup | None = None) -> LocationGroup:
    """Create a location group, or change ``group`` when given."""
    require(actor, "locations.manage")
    errors = FieldErrors()
    name = _clean_group_name(errors, name, group)
    if not locations:
        errors.add("locations", _("Choose at least one location."))
    errors.raise_if_any()
    before = _group_snapshot(group) if group else {}
    group = group or LocationGroup()
    group.name, group.is_default = name, is_default
    group.save()
    reach_before = set(group.locations.values_list("pk", flat=True)) if before else set()
    group.locations.set(locations)
    refresh_coverage()
    if reach_before != {location.pk for location in locations}:
        _reach_changed({group.pk})
    record_event(actor=actor, action="location_group.updated" if before else "location_group.created",
                 subject=group, changes=changed_fields(before, _group_snapshot(group)))
    return group


def _group_snapshot(group: LocationGroup) -> dict:
    return {"name": group.name, "is_default": group.is_default,
            "locations": sorted(location.code for location in group.locations.all())}
