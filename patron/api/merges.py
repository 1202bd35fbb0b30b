"""Customer merges: merge customers into a survivor, read a merge, undo it.

An old id keeps working after a merge: GET /customers/{old id} answers 200 with the survivor (its
own id in the body), and charges, sales and webshop deliveries naming it land on the survivor.
"""

from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.idempotency import idempotent
from patron.api.responses import respond
from patron.api.schemas.merging import MergeIn, MergeOut
from patron.core.validation import FieldErrors
from patron.customers.models import Customer
from patron.merging import actions

router = Router(tags=["merges"])
MERGE = "/merges/{uuid:merge_id}"


def _customers(payload: MergeIn) -> tuple[Customer, list[Customer]]:
    """The records the body names, as they are (a merged record is not followed: merging it again
    is refused as already-merged); an unknown id is invalid input (422), like any body field."""
    found = {customer.uuid: customer for customer in
             Customer.with_tombstones.filter(uuid__in=[payload.survivor, *payload.others])}
    errors = FieldErrors()
    if payload.survivor not in found:
        errors.add("survivor", "No customer has this id.")
    for index, uuid in enumerate(payload.others):
        if uuid not in found:
            errors.add(f"others.{index}", "No customer has this id.")
    errors.raise_if_any()
    return found[payload.survivor], [found[uuid] for uuid in payload.others]


def _response(merge, *, status: int = 200):
    location = reverse("api-v1:get_merge", kwargs={"merge_id": merge.uuid}) if status == 201 else None
    return respond(MergeOut.of(merge), status=status, location=location)


@router.post("/customers/merge", response={201: MergeOut})
@checked_by_action("customers.merge")
@idempotent(required=True)
def merge_customers(request: HttpRequest, payload: MergeIn):
    """Merge ``others`` into ``survivor`` in one transaction. 409 already-merged when a record was
    merged before (also the loser of two merges of the same records at once), 409
    merge-into-itself, 409 merge-kinds-differ."""
    survivor, others = _customers(payload)
    merge = actions.merge_customers(
        actor=actor_of(request), survivor=survivor, others=others,
        field_choices={field: str(uuid) for field, uuid in payload.field_choices.items()},
        idempotency_key=f"api:{request.auth.pk}:{request.headers.get('Idempotency-Key', '')}")
    return _response(merge, status=201)


@router.get(MERGE, response={200: MergeOut})
@requires("customers.merge")
def get_merge(request: HttpRequest, merge_id: UUID):
    return _response(actions.merge_by_uuid(merge_id))


@router.post(MERGE + "/undo", response={200: MergeOut})
@checked_by_action("customers.merge")
@idempotent()
def undo_merge(request: HttpRequest, merge_id: UUID):
    """Undo the merge within the undo window (PATRON_MERGE_UNDO_DAYS, 30 by default): 409
    merge-already-undone the second time, 409 merge-undo-window-passed after the window."""
    merge = actions.unmerge(actor=actor_of(request), merge=actions.merge_by_uuid(merge_id))
    return _response(merge)
