"""Keeping each customer's purchase totals current as sales are recorded."""

from __future__ import annotations

import datetime

from django.utils import timezone

from patron.sales.models import PurchaseStats, Sale, SaleKind


def local_day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the shop's local day containing ``moment``."""
    day = timezone.localtime(moment).date()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _is_new_visit(sale: Sale) -> bool:
    """A visit is a day on which the customer bought or returned something."""
    start, end = local_day_bounds(sale.occurred_at)
    same_day = Sale.objects.filter(customer=sale.customer, occurred_at__gte=start, occurred_at__lt=end)
    return not same_day.exclude(pk=sale.pk).exists()


def add_to_purchase_stats(sale: Sale) -> PurchaseStats:
    PurchaseStats.objects.get_or_create(customer=sale.customer)
    stats = PurchaseStats.objects.select_for_update().get(customer=sale.customer)
    stats.total += sale.total
    if sale.kind == SaleKind.SALE:
        stats.sale_count += 1
    else:
        stats.return_count += 1
    if _is_new_visit(sale):
        stats.visit_count += 1
    if stats.first_purchase_at is None or sale.occurred_at < stats.first_purchase_at:
        stats.first_purchase_at = sale.occurred_at
    if stats.last_purchase_at is None or sale.occurred_at > stats.last_purchase_at:
        stats.last_purchase_at = sale.occurred_at
    stats.save()
    return stats
