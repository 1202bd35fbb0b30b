"""Sales for tests, recorded through the real action."""

from __future__ import annotations

import itertools
from decimal import Decimal

from patron.core.actors import system_actor
from patron.locations.queries import default_location
from patron.sales import actions

_numbers = itertools.count(1001)


def line(description="Blue mug", quantity="1", unit_price="10.00", **extra) -> dict:
    return {"description": description, "quantity": quantity, "unit_price": unit_price, **extra}


def sale_factory(customer=None, *, lines=None, payments=None, actor=None, number=None, **fields):
    """A sale of one 10.00 line paid in cash unless told otherwise."""
    lines = lines or [line()]
    if payments is None:
        total = sum((Decimal(item["quantity"]) * Decimal(item["unit_price"]) - Decimal(item.get("discount", "0"))
                     + Decimal(item.get("tax", "0")) for item in lines), Decimal("0"))
        payments = [{"tender": "cash", "amount": f"{total:.2f}"}]
    return actions.record_sale(actor=actor or system_actor(), source="till-1", number=number or str(next(_numbers)),
                               location=default_location(), lines=lines, payments=payments, customer=customer,
                               **fields)
