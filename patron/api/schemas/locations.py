from uuid import UUID

from ninja import Schema

from patron.api.schemas.common import from_record
from patron.api.schemas.customers import LocationRef
from patron.locations.models import Location, LocationGroup


class LocationOut(Schema):
    id: UUID
    code: str
    name: str
    kind: str
    parent: LocationRef | None
    is_active: bool

    @classmethod
    def of(cls, location: Location) -> "LocationOut":
        parent = LocationRef.of(location.parent) if location.parent else None
        return from_record(cls, location, id=location.uuid, parent=parent)


class LocationGroupOut(Schema):
    id: UUID
    name: str
    is_default: bool
    locations: list[LocationRef]

    @classmethod
    def of(cls, group: LocationGroup) -> "LocationGroupOut":
        locations = [LocationRef.of(location) for location in group.locations.all()]
        return from_record(cls, group, id=group.uuid, locations=locations)
