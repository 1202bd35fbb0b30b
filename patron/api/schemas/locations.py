from uuid import UUID

from ninja import Field, Schema

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
    country: str = Field(description="The location's own ISO 3166-1 alpha-2 code; \"\" inherits from the parent.")
    time_zone: str = Field(description="The location's own IANA time zone; \"\" inherits from the parent.")
    effective_country: str = Field(
        description="The country in force: its own, else the nearest parent's; \"\" when none is set.")
    effective_time_zone: str = Field(
        description="The time zone in force: its own, else the nearest parent's; \"\" for the installation's.")

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
