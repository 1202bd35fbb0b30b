"""Privacy duties: a customer's subject-access export and erasure (admins' tokens only)."""

from uuid import UUID

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Router, Schema

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER
from patron.api.idempotency import idempotent
from patron.api.responses import respond
from patron.api.schemas.common import InputSchema, Timestamp, text
from patron.customers import queries
from patron.privacy.erasure import erase_customer
from patron.privacy.export import archive_name, export_pieces
from patron.privacy.models import PrivacyRequest, RequestStatus

router = Router(tags=["privacy"])


class ErasureIn(InputSchema):
    reason: text(500) = Field(..., min_length=1, description="Why, e.g. 'request by e-mail of 3 May'. "
                                                             "No personal data: it is kept.")


class PrivacyRequestOut(Schema):
    id: UUID
    kind: str
    customer_id: UUID
    status: str = Field(description="queued (waiting for a hold to clear) or done")
    reason: str
    waiting_for: str = Field(description="Why a queued erasure waits: an open credit balance, the retention hold.")
    received_at: Timestamp
    completed_at: Timestamp | None

    @classmethod
    def of(cls, request: PrivacyRequest) -> "PrivacyRequestOut":
        return cls(id=request.uuid, kind=request.kind, customer_id=request.customer_uuid, status=request.status,
                   reason=request.reason, waiting_for=request.waiting_for, received_at=request.received_at,
                   completed_at=request.completed_at)


@router.get(CUSTOMER + "/privacy-export", openapi_extra={"responses": {200: {
    "description": "A zip: manifest.json, a JSON and a CSV part per table holding the customer's rows (personal "
                   "and financial-record fields), and the photo. CSV text cells that a spreadsheet would run as "
                   "a formula begin with an apostrophe.",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}})
@requires("privacy.manage")
def privacy_export(request: HttpRequest, customer_id: UUID):
    """Everything Patron holds about the customer (GDPR Art. 15/20), as a zip download. Audited."""
    customer = queries.get_customer(customer_id)
    response = StreamingHttpResponse(export_pieces(actor=actor_of(request), customer=customer),
                                     content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(customer)}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(CUSTOMER + "/erasure", response={200: PrivacyRequestOut, 202: PrivacyRequestOut})
@checked_by_action("privacy.manage")
@idempotent()
def erase(request: HttpRequest, customer_id: UUID, payload: ErasureIn):
    """Erase the customer's personal data, keeping sales and credit entries (200, ``done``). While the
    credit balance is not zero or the retention hold after the last sale runs, the request is queued
    (202, ``queued``, with ``waiting_for``) and carried out when that clears. A second request
    answers with the first."""
    done = erase_customer(actor=actor_of(request), customer=queries.get_customer(customer_id), reason=payload.reason)
    return respond(PrivacyRequestOut.of(done), status=200 if done.status == RequestStatus.DONE else 202)
