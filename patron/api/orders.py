"""Work orders, backorders, special orders and layaways recorded by tills."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER
from patron.api.etag import IfMatch, expected_version
from patron.api.idempotency import idempotent
from patron.api.lookups import by_id, in_path, location_or_home
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import respond
from patron.api.schemas.sales import OrderIn, OrderOut, OrderPatch
from patron.core.validation import FieldErrors
from patron.customers import queries as customer_queries
from patron.customers.models import Customer
from patron.sales import actions, queries
from patron.sales.models import Order

router = Router(tags=["orders"])
ORDER = "/orders/{uuid:order_id}"


def _orders():
    return Order.objects.select_related("customer", "location").prefetch_related("lines")


def _order_response(order: Order, *, status: int = 200) -> HttpResponse:
    location = reverse("api-v1:get_order", kwargs={"order_id": order.uuid}) if status == 201 else None
    return respond(OrderOut.of(order), status=status, version=order.version, location=location)


@router.post("/orders", response={201: OrderOut})
@checked_by_action("orders.record")
@idempotent()
def record_order(request: HttpRequest, payload: OrderIn):
    """409 customer-may-not-order for a customer on credit hold or entered by mistake."""
    errors = FieldErrors()
    customer = by_id(Customer, payload.customer, errors, "customer")
    location = location_or_home(request, payload.location, errors)
    errors.raise_if_any()
    order = actions.record_order(actor=actor_of(request), customer=customer, location=location,
                                 **payload.model_dump(exclude={"customer", "location"}))
    return _order_response(order, status=201)


@router.get(ORDER, response={200: OrderOut})
@requires("sales.view")
def get_order(request: HttpRequest, order_id: UUID):
    return _order_response(in_path(_orders(), order_id, code="order-not-found"))


@router.patch(ORDER, response={200: OrderOut})
@checked_by_action("orders.record")
def update_order(request: HttpRequest, order_id: UUID, payload: OrderPatch, if_match: IfMatch = None):
    """Change the status or the amount due (If-Match: the order's ETag). An order with lines is due
    their total: its amount due is not set directly (422)."""
    order = in_path(_orders(), order_id, code="order-not-found")
    order = actions.update_order(actor=actor_of(request), order=order, expected_version=expected_version(if_match),
                                 **payload.model_dump(exclude_unset=True))
    return _order_response(order)


@router.get(CUSTOMER + "/orders", response={200: page_of(OrderOut)})
@requires("sales.view")
def list_customer_orders(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    """Newest first."""
    customer = customer_queries.get_customer(customer_id)
    return paginated_response(queries.customer_orders(customer).select_related("customer"), page,
                              ordering=("-placed_at", "-id"), item=OrderOut)
