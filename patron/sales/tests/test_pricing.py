"""Pricing a till's cart before it is recorded: the same totals and checks as ``record_sale``."""

from decimal import Decimal

import pytest

from patron.core.errors import ValidationFailed
from patron.sales.actions import percent_discount, price_lines
from patron.sales.tests.factories import line, sale_factory

D = Decimal


@pytest.mark.django_db
def test_cart_totals_are_those_the_recorded_sale_gets():
    lines = [line("Mug", "2", "12.50", discount="5.00", tax="3.80"), line("Tea", "0.5", "9.99")]
    line_totals, totals = price_lines(lines)
    sale = sale_factory(lines=lines)
    assert line_totals == [item.line_total for item in sale.lines.all()] == [D("23.80"), D("5.00")]
    assert totals == {"subtotal": sale.subtotal, "discount_total": sale.discount_total,
                      "tax_total": sale.tax_total, "total": sale.total}


def test_bad_lines_are_refused_per_field():
    with pytest.raises(ValidationFailed) as raised:
        price_lines([line(), line(description="", quantity="0")])
    assert set(raised.value.errors) == {"lines.1.description", "lines.1.quantity"}


@pytest.mark.parametrize("quantity, price, percent, discount", [
    ("2", "35.00", "10", "7.00"),
    ("1", "0.05", "50", "0.02"),  # 0.025 rounds half-even
    ("3", "9.99", "0", "0.00"),
])
def test_percent_discount_is_rounded_once_to_cents(quantity, price, percent, discount):
    assert percent_discount(D(quantity), D(price), D(percent)) == D(discount)
