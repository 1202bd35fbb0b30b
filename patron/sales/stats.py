"""Keeping each customer's purchase figures (Customer.total_purchases, sale_count, visit_count,
last_purchase_at) current as sales are recorded."""

from __future__ import annotations

import datetime

from django.utils import timezone

from patron.core.days import start_of_day
from patron.customers.models import Customer
from patron.sales.models import Sale, SaleKind


def local_day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the shop's local day containing ``moment``."""
    day = timezone.localtime(moment).date()
    start = start_of_day(day)
    return start, start + datetime.timedelta(days=1)


def _is_new_visit(sale: Sale) -> bool:
    """A visit is a day on which the customer bought or returned something."""
    start, end = local_day_bounds(sale.occurred_at)
    same_day = Sale.objects.filter(customer=sale.customer, occurred_at__gte=start, occurred_at__lt=end)
    return not same_day.exclude(pk=sale.pk).exists()


def add_to_purchase_figures(sale: Sale) -> Customer:
    """Count ``sale`` in its customer's figures, under the customer's row lock."""
    # FOR NO KEY UPDATE, the lock record_sale took first: a stronger one would wait for the key
    # locks of rows other transactions are adding for this customer, which may wait for this one.
    customer = Customer.objects.select_for_update(no_key=True).get(pk=sale.customer_id)
    changes = {
        "total_purchases": customer.total_purchases + sale.total,
        "sale_count": customer.sale_count + (1 if sale.kind == SaleKind.SALE else 0),
        "visit_count": customer.visit_count + (1 if _is_new_visit(sale) else 0),
        "last_purchase_at": max(filter(None, (customer.last_purchase_at, sale.occurred_at))),
    }
    Customer.objects.filter(pk=customer.pk).update(**changes)  # update(): leaves updated_at alone
    return customer
