"""Reading sales: a customer's purchase history and figures, and the Sales page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.errors import NotFound
from patron.core.money import quantize
from patron.customers.models import Customer
from patron.sales.models import Order, Sale, SaleKind, SaleLine


def get_sale(uuid) -> Sale:
    try:
        return (Sale.objects.select_related("customer", "location", "bought_by", "original_sale")
                .prefetch_related("lines", "payments").get(uuid=uuid))
    except (Sale.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such sale."), code="sale-not-found") from None


def _in_period(sales: QuerySet, start: datetime.date | None, end: datetime.date | None) -> QuerySet:
    if start:
        sales = sales.filter(occurred_at__date__gte=start)
    if end:
        sales = sales.filter(occurred_at__date__lte=end)
    return sales


def purchase_history(customer: Customer, start: datetime.date | None = None,
                     end: datetime.date | None = None) -> QuerySet[Sale]:
    """Sales and returns of a customer, newest first, with what paid them."""
    sales = Sale.objects.filter(customer=customer).prefetch_related("payments")
    return _in_period(sales, start, end).order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class PurchaseSummary:
    total: Decimal
    sale_count: int
    return_count: int
    visit_count: int
    average_basket: Decimal
    last_visit: datetime.datetime | None


def purchase_summary(customer: Customer, start: datetime.date | None = None,
                     end: datetime.date | None = None) -> PurchaseSummary:
    """Figures of the period (everything since the first purchase when no period is given)."""
    sales = _in_period(Sale.objects.filter(customer=customer), start, end)
    total = quantize(sales.aggregate(total=Sum("total"))["total"])
    counts = dict(sales.values_list("kind").annotate(count=Count("id")).order_by())
    sale_count = counts.get(SaleKind.SALE, 0)
    days = {timezone.localtime(moment).date() for moment in sales.values_list("occurred_at", flat=True)}
    last = sales.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    average = quantize(total / sale_count) if sale_count else Decimal("0.00")
    return PurchaseSummary(total=total, sale_count=sale_count, return_count=counts.get(SaleKind.RETURN, 0),
                           visit_count=len(days), average_basket=average, last_visit=last)


def spend_by_month(customer: Customer, start: datetime.date | None = None,
                   end: datetime.date | None = None) -> list[tuple[datetime.date, Decimal]]:
    """(first day of month, net spend) for the chart of spend over time."""
    sales = _in_period(Sale.objects.filter(customer=customer), start, end)
    rows = sales.annotate(month=TruncMonth("occurred_at")).values("month").annotate(total=Sum("total")).order_by(
        "month")
    return [(row["month"].date() if hasattr(row["month"], "date") else row["month"], quantize(row["total"]))
            for row in rows]


def revenue_by_department(customer: Customer, start: datetime.date | None = None,
                          end: datetime.date | None = None) -> dict[str, Decimal]:
    """Net revenue per department (returns count negative)."""
    lines = SaleLine.objects.filter(sale__in=_in_period(Sale.objects.filter(customer=customer), start, end))
    totals: dict[str, Decimal] = {}
    for department, kind, amount in lines.values_list("department", "sale__kind").annotate(
            amount=Sum("line_total")).order_by():
        sign = -1 if kind == SaleKind.RETURN else 1
        name = department or "(none)"
        totals[name] = quantize(totals.get(name, Decimal("0")) + sign * amount)
    return dict(sorted(totals.items()))


def list_sales(*, search: str = "", start: datetime.date | None = None, end: datetime.date | None = None):
    sales = Sale.objects.select_related("customer", "location")
    if search.strip():
        sales = sales.filter(number__icontains=search.strip()) | sales.filter(customer__name__icontains=search.strip())
    return _in_period(sales, start, end).order_by("-occurred_at", "-id")


def customer_orders(customer: Customer) -> QuerySet[Order]:
    return Order.objects.filter(customer=customer).select_related("location").prefetch_related("lines")
