"""Locations and location groups (read only: admins change them in the back office)."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from patron.api.auth import requires
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import respond
from patron.api.schemas.locations import LocationGroupOut, LocationOut
from patron.core.errors import NotFound
from patron.locations.models import Location, LocationGroup
from patron.locations.queries import get_location

router = Router(tags=["locations"])


def _groups():
    return LocationGroup.objects.prefetch_related("locations")


@router.get("/locations", response={200: page_of(LocationOut)})
@requires("locations.view")
def list_locations(request: HttpRequest, page: Query[PageParams]):
    locations = Location.objects.select_related("parent")
    return paginated_response(locations, page, ordering=("name", "id"), item=LocationOut)


@router.get("/locations/{uuid:location_id}", response={200: LocationOut})
@requires("locations.view")
def get_location_by_id(request: HttpRequest, location_id: UUID):
    return respond(LocationOut.of(get_location(location_id)))


@router.get("/location-groups", response={200: page_of(LocationGroupOut)})
@requires("locations.view")
def list_location_groups(request: HttpRequest, page: Query[PageParams]):
    return paginated_response(_groups(), page, ordering=("name", "id"), item=LocationGroupOut)


@router.get("/location-groups/{uuid:group_id}", response={200: LocationGroupOut})
@requires("locations.view")
def get_location_group(request: HttpRequest, group_id: UUID):
    group = _groups().filter(uuid=group_id).first()
    if group is None:
        raise NotFound("No such location group.", code="location-group-not-found")
    return respond(LocationGroupOut.of(group))
