"""A customer's message log: calls, e-mails, visits."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER
from patron.api.idempotency import idempotent
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import respond
from patron.api.schemas.history import MessageIn, MessageOut
from patron.customers import actions, queries

router = Router(tags=["messages"])


@router.get(CUSTOMER + "/messages", response={200: page_of(MessageOut)})
@requires("customers.view")
def list_messages(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    """Newest first."""
    customer = queries.get_customer(customer_id)
    return paginated_response(customer.messages.all(), page, ordering=("-occurred_at", "-id"),
                              item=MessageOut)


@router.post(CUSTOMER + "/messages", response={201: MessageOut})
@checked_by_action("messages.log")
@idempotent()
def log_message(request: HttpRequest, customer_id: UUID, payload: MessageIn):
    message = actions.log_message(actor=actor_of(request), customer=queries.get_customer(customer_id),
                                  **payload.model_dump(exclude_unset=True))
    return respond(MessageOut.of(message), status=201)
