"""A customer's photo: uploaded as the raw image body or as multipart field ``photo``, checked and
re-encoded by the domain, served back as WebP from a path that never executes anything."""

from uuid import UUID

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from ninja import Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER, customer_response
from patron.api.errors import REQUEST_INVALID, ApiProblem
from patron.api.etag import IfMatch, expected_version
from patron.api.idempotency import idempotent
from patron.api.parser import max_upload_bytes, read_raw_body
from patron.api.schemas.customers import CustomerOut
from patron.core.errors import NotFound
from patron.customers import actions, queries
from patron.customers.photos import photo_too_large

router = Router(tags=["customers"])
RAW_IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/octet-stream")
_BINARY = {"schema": {"type": "string", "format": "binary"}}
UPLOAD_BODY = {"requestBody": {"required": True, "content": {
    **{content_type: _BINARY for content_type in RAW_IMAGE_TYPES},
    "multipart/form-data": {"schema": {"type": "object", "required": ["photo"],
                                       "properties": {"photo": {"type": "string", "format": "binary"}}}},
}}}


def uploaded_photo(request: HttpRequest) -> bytes:
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        return _multipart_photo(request)
    if content_type in RAW_IMAGE_TYPES:
        return read_raw_body(request)
    raise ApiProblem("unsupported-media-type", "Send a JPEG, PNG or WebP image as the body, "
                                               "or as the field “photo” of multipart/form-data.")


def _multipart_photo(request: HttpRequest) -> bytes:
    upload = request.FILES.get("photo")
    if upload is None:
        raise ApiProblem("validation-failed", REQUEST_INVALID,
                         errors=[{"pointer": "/photo", "detail": "Attach the image as the field “photo”."}])
    if upload.size > max_upload_bytes():
        raise photo_too_large()
    return upload.read()


@router.post(CUSTOMER + "/photo", response={200: CustomerOut}, openapi_extra=UPLOAD_BODY)
@checked_by_action("customers.edit")
@idempotent()
def upload_customer_photo(request: HttpRequest, customer_id: UUID, if_match: IfMatch = None):
    """Replace the photo (If-Match optional). Only JPEG, PNG and WebP are accepted, judged by content."""
    customer = queries.get_customer(customer_id)
    actions.set_photo(actor=actor_of(request), customer=customer, data=uploaded_photo(request),
                      expected_version=expected_version(if_match, required=False))
    return customer_response(customer_id)


@router.get(CUSTOMER + "/photo", openapi_extra={"responses": {"200": {
    "description": "The photo", "content": {"image/webp": _BINARY}}}})
@requires("customers.view")
def get_customer_photo(request: HttpRequest, customer_id: UUID):
    customer = queries.get_customer(customer_id)
    if not customer.photo:
        raise NotFound("This customer has no photo.", code="photo-not-found")
    response = FileResponse(default_storage.open(customer.photo, "rb"), content_type="image/webp",
                            as_attachment=False, filename=f"{customer.uuid}.webp")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@router.delete(CUSTOMER + "/photo", response={200: CustomerOut})
@checked_by_action("customers.edit")
def remove_customer_photo(request: HttpRequest, customer_id: UUID, if_match: IfMatch = None):
    """Remove the photo (If-Match: the customer's ETag); answers with the changed customer."""
    customer = queries.get_customer(customer_id)
    actions.remove_photo(actor=actor_of(request), customer=customer,
                         expected_version=expected_version(if_match))
    return customer_response(customer_id)
