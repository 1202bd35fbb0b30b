"""Sale and order numbers for sources that Patron numbers itself (the back office's tills and
its order form): 000001, 000002 ... per source, unique however many tills ask at once."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model

from patron.sales.models import Order, Sale, SaleCounter

DIGITS = 6


def next_sale_number(source: str) -> str:
    """The next free sale number of ``source``."""
    return _next_number(source, Sale)


def next_order_number(source: str) -> str:
    """The next free order number of ``source`` (a source numbers either sales or orders)."""
    return _next_number(source, Order)


@transaction.atomic
def _next_number(source: str, model: type[Model]) -> str:
    """The next free number of ``source``. The counter row is locked until the transaction ends
    (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the write lock of BEGIN IMMEDIATE), so two
    callers never get the same number; numbers another client already used are skipped."""
    SaleCounter.objects.get_or_create(source=source)
    counter = SaleCounter.objects.select_for_update().get(source=source)
    number = counter.last_number + 1
    while model.objects.filter(source=source, number=_formatted(number)).exists():
        number += 1
    counter.last_number = number
    counter.save(update_fields=["last_number"])
    return _formatted(number)


def _formatted(number: int) -> str:
    return f"{number:0{DIGITS}d}"
