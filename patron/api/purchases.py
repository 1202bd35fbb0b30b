"""A customer's purchase history and figures (total, sales, visits, average basket, charts)."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from patron.api.auth import requires
from patron.api.customers import CUSTOMER
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import respond
from patron.api.sales import SALE_ORDERING, sale_summaries
from patron.api.schemas.sales import PeriodQuery, PurchaseSummaryOut, SaleSummaryOut
from patron.customers import queries as customer_queries
from patron.sales import queries

router = Router(tags=["sales"])
PURCHASES = CUSTOMER + "/purchases"


@router.get(PURCHASES, response={200: page_of(SaleSummaryOut)})
@requires("sales.view")
def list_purchases(request: HttpRequest, customer_id: UUID, period: Query[PeriodQuery], page: Query[PageParams]):
    """The customer's sales and returns, newest first, with how they were paid."""
    customer = customer_queries.get_customer(customer_id)
    history = queries.purchase_history(customer, period.start, period.end)
    return paginated_response(sale_summaries(history), page, ordering=SALE_ORDERING, item=SaleSummaryOut)


@router.get(PURCHASES + "/summary", response={200: PurchaseSummaryOut})
@requires("sales.view")
def get_purchase_summary(request: HttpRequest, customer_id: UUID, period: Query[PeriodQuery]):
    """Figures of the period: total, sales, returns, visits, average basket, last visit, spend per
    month (for a chart) and revenue per department."""
    customer = customer_queries.get_customer(customer_id)
    arguments = (customer, period.start, period.end)
    return respond(PurchaseSummaryOut.of(period, queries.purchase_summary(*arguments),
                                         queries.spend_by_month(*arguments), queries.revenue_by_department(*arguments)))
