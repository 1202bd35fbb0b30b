"""Sales and returns recorded by tills and webshops, the Sales list, and e-mailed receipts."""

import logging
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.errors import ApiProblem
from patron.api.idempotency import idempotent
from patron.api.lookups import location_or_home, optional_by_id
from patron.api.openapi import also_answers
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import respond
from patron.api.schemas.sales import ReceiptIn, ReceiptOut, SaleIn, SaleOut, SaleQuery, SaleSummaryOut
from patron.core.validation import FieldErrors
from patron.customers.models import Contact, Customer
from patron.sales import actions, queries
from patron.sales.models import Sale, SalePayment
from patron.sales.receipts import send_receipt

router = Router(tags=["sales"])
SALE = "/sales/{uuid:sale_id}"
SALE_ORDERING = ("-occurred_at", "-id")
logger = logging.getLogger("patron.api")


def sale_summaries(sales: QuerySet[Sale]) -> QuerySet[Sale]:
    """What a list of sales shows, loaded in a fixed number of queries (replacing the query's own
    prefetches, which leave out the payments' entries)."""
    payments = SalePayment.objects.select_related("ledger_entry", "points_entry")
    return sales.select_related("customer", "location", "original_sale").prefetch_related(None).prefetch_related(
        Prefetch("payments", queryset=payments))


def _sale_response(uuid: UUID, *, status: int = 200) -> HttpResponse:
    sale = queries.get_sale(uuid)
    location = reverse("api-v1:get_sale", kwargs={"sale_id": sale.uuid}) if status == 201 else None
    return respond(SaleOut.of(sale), status=status, location=location)


def _sale_values(request: HttpRequest, payload: SaleIn) -> dict:
    """The action's arguments: the body, with the records it names by id."""
    errors = FieldErrors()
    records = {
        "customer": optional_by_id(Customer, payload.customer, errors, "customer"),
        "bought_by": optional_by_id(Contact, payload.bought_by, errors, "bought_by"),
        "original_sale": optional_by_id(Sale, payload.original_sale, errors, "original_sale"),
        "location": location_or_home(request, payload.location, errors),
    }
    errors.raise_if_any()
    return {**payload.model_dump(exclude=set(records)), **records}


@router.post("/sales", response={201: SaleOut})
@checked_by_action("sales.record")
@idempotent(required=True)
def record_sale(request: HttpRequest, payload: SaleIn):
    """Record a sale or a return with its lines and payments, in one transaction: paying
    "on_account" charges the customer's credit account (a return refunds it) and "points" redeems
    points. A charge over the limit refuses the whole sale (422 credit-limit-exceeded)."""
    sale = actions.record_sale(actor=actor_of(request), **_sale_values(request, payload))
    return _sale_response(sale.uuid, status=201)


@router.get("/sales", response={200: page_of(SaleSummaryOut)})
@requires("sales.view")
def list_sales(request: HttpRequest, filters: Query[SaleQuery], page: Query[PageParams]):
    """Newest first, with the customer's name."""
    sales = queries.list_sales(search=filters.q, start=filters.start, end=filters.end)
    if filters.customer is not None:
        sales = sales.filter(customer__uuid=filters.customer)
    return paginated_response(sale_summaries(sales), page, ordering=SALE_ORDERING, item=SaleSummaryOut)


@router.get(SALE, response={200: SaleOut})
@requires("sales.view")
def get_sale(request: HttpRequest, sale_id: UUID):
    """The sale with its lines and payments; a return names its original sale, a sale its returns."""
    return _sale_response(sale_id)


@router.post(SALE + "/receipt", response={200: ReceiptOut}, openapi_extra=also_answers(503))
@checked_by_action("sales.email_receipt")
@idempotent()
def email_receipt(request: HttpRequest, sale_id: UUID, payload: ReceiptIn):
    """E-mail the receipt (an invoice for customers who always want one) to ``to`` or to the
    customer's e-mail address; 409 no-email-address when there is neither."""
    sale = queries.get_sale(sale_id)
    try:
        recipient = send_receipt(actor=actor_of(request), sale=sale, to=payload.to)
    except OSError as error:  # smtplib's errors included: the mail server is down or refused
        logger.warning("Receipt of sale %s not sent: %s", sale.uuid, error)
        raise ApiProblem("mail-unavailable", "The mail server could not take the message; try again later.",
                         headers={"Retry-After": "60"}) from None
    return respond(ReceiptOut(sale=sale.uuid, sent_to=recipient))
