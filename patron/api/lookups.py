"""Records named by id in request bodies and paths."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from patron.core.errors import NotFound
from patron.core.validation import FieldErrors
from patron.customers.models import Customer
from patron.customers.queries import survivor_uuid
from patron.locations.models import Location
from patron.locations.queries import default_location


def by_id(model: type[Model] | QuerySet, uuid: UUID | None, errors: FieldErrors, field: str):
    """The record with this id, or None after noting "no such record" under ``field`` (a body
    field naming a missing record is invalid input, 422, unlike a missing record in the path)."""
    records = model if isinstance(model, QuerySet) else model.objects.all()
    found = _found(records, uuid)
    if found is None:
        errors.add(field, f"No {records.model._meta.verbose_name} has this id.")
    return found


def in_path(queryset: QuerySet, uuid: UUID, *, code: str):
    """The record a path names, or 404 with ``code``."""
    found = _found(queryset, uuid)
    if found is None:
        raise NotFound(f"No such {queryset.model._meta.verbose_name}.", code=code)
    return found


def _found(records: QuerySet, uuid: UUID | None):
    found = records.filter(uuid=uuid).first()
    if found is None and uuid is not None and records.model is Customer:
        # A merged record's id stands for the survivor it was merged into (patron/merging).
        try:
            found = records.filter(uuid=survivor_uuid(uuid)).first()
        except NotFound:
            pass
    return found


def optional_by_id(model: type[Model] | QuerySet, uuid: UUID | None, errors: FieldErrors, field: str):
    """Like ``by_id``, for a field that may be left out (None)."""
    return None if uuid is None else by_id(model, uuid, errors, field)


def location_or_home(request: HttpRequest, uuid: UUID | None, errors: FieldErrors) -> Location | None:
    """The location a body names, else the token's store, else the shop's first store."""
    if uuid is not None:
        return by_id(Location, uuid, errors, "location")
    return request.auth.location or default_location()
