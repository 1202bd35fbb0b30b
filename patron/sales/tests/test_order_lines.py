"""Orders with lines (issue 18): the amount due is the lines' total, lines are replaced whole,
and only a pending order's lines and note change; orders without lines (the API's) keep their
amount due as given."""

from decimal import Decimal

import pytest

from patron.core.errors import Conflict, ValidationFailed
from patron.customers.tests.factories import customer_factory
from patron.locations.queries import default_location
from patron.sales.actions import record_order, update_order
from patron.sales.models import OrderLine

pytestmark = pytest.mark.django_db
TEA = {"sku": "T-1", "description": "Tea", "quantity": "3", "unit_price": "2.50"}


def order_with(system, **values):
    return record_order(actor=system, customer=customer_factory(), source="web", number="1", kind="backorder",
                        location=default_location(), **values)


def test_the_amount_due_of_an_order_with_lines_is_their_total(system):
    order = order_with(system, lines=[TEA, {**TEA, "sku": "", "quantity": "0.5", "unit_price": "1.01"}])
    assert order.amount_due == Decimal("8.00")  # 7.50 + 0.505 rounded half-even to 0.50
    assert [line.line_total for line in order.lines.all()] == [Decimal("7.50"), Decimal("0.50")]


def test_lines_and_an_amount_due_together_are_refused(system):
    with pytest.raises(ValidationFailed) as refused:
        order_with(system, lines=[TEA], amount_due="1.00")
    assert "amount_due" in refused.value.errors
    with pytest.raises(ValidationFailed) as empty:
        order_with(system, lines=[])
    assert "lines" in empty.value.errors


def test_an_order_without_lines_keeps_its_amount_due(system):
    order = order_with(system, amount_due="12.00")
    assert order.amount_due == Decimal("12.00") and not order.lines.exists()
    assert update_order(actor=system, order=order, amount_due="15.00").amount_due == Decimal("15.00")


def test_a_closed_orders_lines_and_note_stay(system):
    order = order_with(system, lines=[TEA], status="completed")
    assert order.closed_at is not None
    with pytest.raises(Conflict) as refused:
        update_order(actor=system, order=order, lines=[{**TEA, "quantity": "4"}])
    assert refused.value.code == "order-closed"
    with pytest.raises(Conflict):
        update_order(actor=system, order=order, description="changed")
    same = update_order(actor=system, order=order, lines=[TEA], description="", status="pending")
    assert same.status == "pending" and same.closed_at is None and same.version == 2
    assert list(OrderLine.objects.values_list("quantity", flat=True)) == [Decimal("3")]
