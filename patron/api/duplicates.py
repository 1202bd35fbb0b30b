"""Duplicates: the check a till calls before creating, and the review queue."""

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import _location_parameter
from patron.api.idempotency import idempotent
from patron.api.pagination import PageParams, page_of, paginate
from patron.api.responses import respond
from patron.api.schemas.customers import CustomerFields
from patron.api.schemas.duplicates import (
    CandidateOut,
    DuplicateCheckIn,
    DuplicateCheckOut,
    DuplicatePairOut,
    DuplicateQuery,
)
from patron.core.errors import NotFound
from patron.customers.queries import get_customer
from patron.duplicates import actions, queries
from patron.duplicates.entry import candidate_summary, candidates_for_entry
from patron.duplicates.models import DuplicatePair
from patron.duplicates.rules import reason_words

router = Router(tags=["duplicates"])
PAIR = "/duplicates/{int:pair_id}"


@router.post("/customers/duplicate-check", response={200: DuplicateCheckOut})
@requires("customers.view")
@idempotent()
def duplicate_check(request: HttpRequest, payload: DuplicateCheckIn):
    """Customers likely the same as the one about to be created (or changed: customer_id), strongest
    first, with a score and the reasons. Writes nothing."""
    customer = get_customer(payload.customer_id) if payload.customer_id else None
    candidates = candidates_for_entry(
        actor_of(request), kind=payload.kind, customer=customer,
        values=payload.model_dump(exclude_unset=True, include=set(CustomerFields.model_fields)),
        addresses=[address.model_dump(exclude_unset=True) for address in payload.addresses])
    return respond(DuplicateCheckOut(candidates=[CandidateOut(**candidate_summary(c)) for c in candidates]))


def pair_out(pair: DuplicatePair, *, with_fields: bool = False) -> DuplicatePairOut:
    def customer(record):
        return {"id": record.uuid, "account_number": record.account_number, "name": record.name,
                "home_location": str(record.home_location)}

    return DuplicatePairOut(
        id=pair.pk, score=pair.score, status=pair.status, reasons=reason_words(pair.codes), reason_codes=pair.codes,
        first=customer(pair.first), second=customer(pair.second), merge_url=queries.merge_url(pair.first, pair.second),
        fields=queries.side_by_side(pair) if with_fields else None)


@router.get("/duplicates", response={200: page_of(DuplicatePairOut)})
@requires("duplicates.review")
def list_duplicates(request: HttpRequest, filters: Query[DuplicateQuery], page: Query[PageParams]):
    """The review queue: pairs of likely duplicates, strongest first."""
    rows = queries.pairs(queries.QueueFilter(status=filters.status, reason=filters.reason,
                                             location=_location_parameter(filters.location, "location")))
    found = paginate(rows, page, ordering=("-score", "id"))
    return respond(page_of(DuplicatePairOut)(items=[pair_out(pair) for pair in found.items],
                                              next_cursor=found.next_cursor))


def _pair(pair_id: int) -> DuplicatePair:
    pair = queries.pairs(queries.QueueFilter(status="")).filter(pk=pair_id).first()
    if pair is None:
        raise NotFound(gettext("No such pair of likely duplicates."), code="duplicate-pair-not-found")
    return pair


@router.get(PAIR, response={200: DuplicatePairOut})
@requires("duplicates.review")
def get_duplicate(request: HttpRequest, pair_id: int):
    """One pair, with the two records side by side (fields that differ are marked)."""
    return respond(pair_out(_pair(pair_id), with_fields=True))


@router.post(PAIR + "/not-same", response={200: DuplicatePairOut})
@checked_by_action("duplicates.review")
@idempotent()
def not_same(request: HttpRequest, pair_id: int):
    """The two customers are different people: the pair is never proposed again."""
    actions.mark_not_same(actor=actor_of(request), pair_id=pair_id)
    return respond(pair_out(_pair(pair_id)))
