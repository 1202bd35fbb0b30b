"""Segments: saved filters over customers, for exports and the newsletter sync."""

from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.etag import IfMatch, expected_version
from patron.api.idempotency import idempotent
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import no_content, respond
from patron.api.schemas.marketing import SegmentFields, SegmentIn, SegmentMemberOut, SegmentOut
from patron.core.errors import NotFound, ValidationFailed
from patron.locations.models import Location, LocationGroup
from patron.marketing import actions, queries
from patron.marketing.models import Segment

router = Router(tags=["segments"])
SEGMENT = "/segments/{uuid:segment_id}"


def _segment(segment_id: UUID) -> Segment:
    segment = queries.list_segments().filter(uuid=segment_id).first()
    if segment is None:
        raise NotFound("No such segment.", code="segment-not-found")
    return segment


def _values(payload: SegmentFields) -> dict:
    values = payload.model_dump(exclude_unset=True)
    for field, model in (("home_location", Location), ("location_group", LocationGroup)):
        if f"{field}_id" in values:
            uuid = values.pop(f"{field}_id")
            values[field] = None if uuid is None else model.objects.filter(uuid=uuid).first()
            if uuid is not None and values[field] is None:
                raise ValidationFailed(f"No such {model._meta.verbose_name}.", field=f"{field}_id")
    for field in ("email_consent", "sms_consent"):
        if field in values and values[field] is None:
            values[field] = ""
    return values


def _response(segment: Segment, *, status: int = 200):
    location = reverse("api-v1:get_segment", kwargs={"segment_id": segment.uuid}) if status == 201 else None
    return respond(SegmentOut.of(segment), status=status, version=segment.version, location=location)


@router.get("/segments", response={200: page_of(SegmentOut)})
@requires("segments.manage")
def list_segments(request: HttpRequest, page: Query[PageParams]):
    return paginated_response(queries.list_segments(), page, item=SegmentOut, ordering=("name", "id"))


@router.post("/segments", response={201: SegmentOut})
@checked_by_action("segments.manage")
@idempotent()
def create_segment(request: HttpRequest, payload: SegmentIn):
    """Criteria left out keep everyone; those given must all hold."""
    return _response(actions.create_segment(actor=actor_of(request), values=_values(payload)), status=201)


@router.get(SEGMENT, response={200: SegmentOut})
@requires("segments.manage")
def get_segment(request: HttpRequest, segment_id: UUID):
    return _response(_segment(segment_id))


@router.patch(SEGMENT, response={200: SegmentOut})
@checked_by_action("segments.manage")
def update_segment(request: HttpRequest, segment_id: UUID, payload: SegmentFields, if_match: IfMatch = None):
    segment = actions.update_segment(actor=actor_of(request), segment=_segment(segment_id), values=_values(payload),
                                     expected_version=expected_version(if_match))
    return _response(_segment(segment.uuid))


@router.delete(SEGMENT, response={204: None})
@checked_by_action("segments.manage")
def delete_segment(request: HttpRequest, segment_id: UUID, if_match: IfMatch = None):
    actions.delete_segment(actor=actor_of(request), segment=_segment(segment_id),
                           expected_version=expected_version(if_match))
    return no_content()


@router.get(SEGMENT + "/customers", response={200: page_of(SegmentMemberOut)})
@requires("segments.manage")
def list_segment_customers(request: HttpRequest, segment_id: UUID, page: Query[PageParams]):
    """The customers the segment keeps now, in order of creation."""
    customers = queries.segment_customers(_segment(segment_id)).only("uuid", "account_number", "name", "status")
    return paginated_response(customers, page, item=SegmentMemberOut, ordering=("id",))
