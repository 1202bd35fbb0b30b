"""A customer's loyalty points: balance with its history, and a manager's adjustments."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER
from patron.api.idempotency import idempotent
from patron.api.pagination import PageParams, paginate
from patron.api.responses import respond
from patron.api.schemas.loyalty import PointsAdjustmentIn, PointsEntryOut, PointsOut
from patron.api.schemas.money import money
from patron.customers import queries as customer_queries
from patron.loyalty import actions, queries

router = Router(tags=["loyalty"])
POINTS = CUSTOMER + "/points"


@router.get(POINTS, response={200: PointsOut})
@requires("loyalty.view")
def get_points(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    """The balance and what it is worth, with the history newest first (cursor pagination)."""
    customer = customer_queries.get_customer(customer_id)
    balance = queries.points_balance(customer)
    history = paginate(queries.points_history(customer), page, ordering=("-sequence", "-id"))
    return respond(PointsOut(balance=balance, value=money(actions.value_of(balance)),
                             items=[PointsEntryOut.of(entry) for entry in history.items],
                             next_cursor=history.next_cursor))


@router.post(POINTS + "/adjustments", response={201: PointsEntryOut})
@checked_by_action("loyalty.adjust")
@idempotent(required=True)
def adjust_points(request: HttpRequest, customer_id: UUID, payload: PointsAdjustmentIn):
    """Add or take away points by hand, with a reason; 422 not-enough-points below zero."""
    entry = actions.adjust_points(actor=actor_of(request), customer=customer_queries.get_customer(customer_id),
                                  points=payload.points, note=payload.note)
    return respond(PointsEntryOut.of(entry), status=201)
