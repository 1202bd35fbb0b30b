"""A customer's marketing consent: the current state per channel with its history, and recording
a new answer (from a till, a webshop or the back office)."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER
from patron.api.idempotency import idempotent
from patron.api.responses import respond
from patron.api.schemas.marketing import ConsentEventOut, ConsentIn, ConsentOut
from patron.customers import queries as customer_queries
from patron.marketing import actions, queries

router = Router(tags=["consent"])
CONSENT = CUSTOMER + "/consent"


def _consent(customer) -> ConsentOut:
    history = [ConsentEventOut.of(event) for event in queries.consent_history(customer)]
    current = {channel: next((event for event in history if event.channel == channel), None)
               for channel in ("email", "sms")}
    return ConsentOut(**current, history=history)


@router.get(CONSENT, response={200: ConsentOut})
@requires("customers.view")
def get_consent(request: HttpRequest, customer_id: UUID):
    """The latest answer per channel (null: never asked) and every change, newest first."""
    return respond(_consent(customer_queries.get_customer(customer_id)))


@router.post(CONSENT, response={201: ConsentEventOut, 200: ConsentEventOut})
@checked_by_action("consent.record")
@idempotent()
def record_consent(request: HttpRequest, customer_id: UUID, payload: ConsentIn):
    """Record a grant or a withdrawal: 201 with the new event, or 200 with the current one when the
    answer changes nothing (the same answer again, or one older than the current answer)."""
    customer = customer_queries.get_customer(customer_id)
    before = queries.latest_consents([customer.pk]).get(customer.pk, {}).get(payload.channel)
    event = actions.record_consent(actor=actor_of(request), customer=customer, **payload.model_dump())
    return respond(ConsentEventOut.of(event), status=200 if before is not None and event.pk == before.pk else 201)
