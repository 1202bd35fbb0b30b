"""Sales figures for the back office's dashboard: revenue by day and the best customers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from patron.core.days import start_of_day
from patron.core.money import quantize
from patron.customers.models import Customer
from patron.sales.models import Sale, SaleKind


@dataclass(frozen=True)
class Day:
    day: datetime.date
    sales: int  # sales counted, returns not
    revenue: Decimal  # net of returns


def sales_by_day(days: int, now: datetime.datetime | None = None) -> list[Day]:
    """The last ``days`` days (today included, the current time zone's), oldest first, days
    without sales included."""
    today = timezone.localdate(now or timezone.now())
    first = today - datetime.timedelta(days=days - 1)
    start = start_of_day(first)
    rows = (Sale.objects.filter(occurred_at__gte=start)
            .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(sales=Count("id", filter=Q(kind=SaleKind.SALE)), revenue=Sum("total")))
    by_day = {row["day"]: row for row in rows}
    result = []
    for index in range(days):
        day = first + datetime.timedelta(days=index)
        row = by_day.get(day, {})
        result.append(Day(day=day, sales=row.get("sales", 0), revenue=quantize(row.get("revenue") or Decimal("0"))))
    return result


def top_customers(days: int, limit: int = 10, now: datetime.datetime | None = None) -> list[tuple[Customer, Decimal]]:
    """The customers who spent most (net of returns) in the last ``days`` days, most first."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    spent = (Sale.objects.filter(occurred_at__gte=since, customer__isnull=False)
             .values("customer_id").annotate(spent=Sum("total")).filter(spent__gt=0).order_by("-spent")[:limit])
    amounts = {row["customer_id"]: quantize(row["spent"]) for row in spent}
    customers = Customer.objects.in_bulk(list(amounts))
    return [(customers[customer_id], amount) for customer_id, amount in amounts.items()]
