"""Sale numbers for sources that Patron numbers itself (the back office's tills): 000001,
000002 ... per source, unique however many tills ask at once."""

from __future__ import annotations

from django.db import transaction

from patron.sales.models import Sale, SaleCounter

DIGITS = 6


@transaction.atomic
def next_sale_number(source: str) -> str:
    """The next free number of ``source``. The counter row is locked until the transaction ends
    (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the write lock of BEGIN IMMEDIATE), so two
    callers never get the same number; numbers another client already used are skipped."""
    SaleCounter.objects.get_or_create(source=source)
    counter = SaleCounter.objects.select_for_update().get(source=source)
    number = counter.last_number + 1
    while Sale.objects.filter(source=source, number=_formatted(number)).exists():
        number += 1
    counter.last_number = number
    counter.save(update_fields=["last_number"])
    return _formatted(number)


def _formatted(number: int) -> str:
    return f"{number:0{DIGITS}d}"
