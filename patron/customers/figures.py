"""Counts of customers for the back office's dashboard."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from patron.core.days import start_of_day
from patron.customers.models import Customer, CustomerKind

ACTIVE_WITHIN_DAYS = 90  # a customer who bought within this many days is "active"


def _real_customers():
    """Customers of flesh and blood or firms: placeholders (walk-in, webshop guest) left out."""
    return Customer.objects.exclude(kind=CustomerKind.PLACEHOLDER)


def new_customers_since(moment: datetime.datetime) -> int:
    return _real_customers().filter(created_at__gte=moment).count()


def active_customers(now: datetime.datetime | None = None) -> int:
    """Customers who bought something in the last ACTIVE_WITHIN_DAYS days."""
    since = (now or timezone.now()) - datetime.timedelta(days=ACTIVE_WITHIN_DAYS)
    return _real_customers().filter(last_purchase_at__gte=since).count()


def new_customers_by_week(weeks: int, now: datetime.datetime | None = None) -> list[tuple[datetime.date, int]]:
    """(Monday, customers created that week) for the last ``weeks`` weeks, oldest first, weeks
    without new customers included, in the current time zone."""
    today = timezone.localdate(now or timezone.now())
    first = today - datetime.timedelta(days=today.weekday() + 7 * (weeks - 1))
    start = start_of_day(first)
    counted = dict(_real_customers().filter(created_at__gte=start)
                   .annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
                   .values("week").annotate(count=Count("id")).values_list("week", "count"))
    by_monday = {_as_date(week): count for week, count in counted.items()}
    return [(monday, by_monday.get(monday, 0))
            for monday in (first + datetime.timedelta(weeks=index) for index in range(weeks))]


def _as_date(value) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value
