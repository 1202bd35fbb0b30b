"""The one call a till makes when a cashier selects a customer."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from patron.api.auth import requires
from patron.api.customers import CUSTOMER
from patron.api.responses import respond
from patron.api.schemas.terms import TermsOut
from patron.customers import queries
from patron.sales.terms import customer_terms

router = Router(tags=["at the till"])


@router.get(CUSTOMER + "/terms", response={200: TermsOut})
@requires("customers.view")
def get_customer_terms(request: HttpRequest, customer_id: UUID):
    """Whether the customer may buy (and on account, or why not), prices, discount, tax exemption,
    available credit, points and who may buy on the account."""
    return respond(TermsOut.of(customer_terms(queries.get_customer(customer_id))))
