"""Sales and orders are customer history: such a customer is deactivated, never deleted."""

from patron.customers.history import register_history_check
from patron.sales.models import Order, Sale


def _count(noun: str, count: int) -> str | None:
    return f"{count} {noun}{'s' if count != 1 else ''}" if count else None


@register_history_check
def sales(customer) -> str | None:
    return _count("sale", Sale.objects.filter(customer=customer).count())


@register_history_check
def orders(customer) -> str | None:
    return _count("order", Order.objects.filter(customer=customer).count())
