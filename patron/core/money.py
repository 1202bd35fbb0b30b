"""Money: the only place amounts are parsed, rounded and formatted.

Amounts are ``Decimal`` with two places, rounded half-even (banker's rounding) when a computation
yields more. They arrive as decimal strings ("12.50"), never as floats; see ``parse_amount``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from patron.core.errors import ValidationFailed

CENT = Decimal("0.01")
DECIMALS = -CENT.as_tuple().exponent  # places an amount may have
MAX_AMOUNT = Decimal("99999999.99")
_AMOUNT = re.compile(r"^-?\d{1,8}(\.\d{1,2})?$")


def quantize(amount) -> Decimal:
    """Round to cents, half-even. Also turns SQLite's float-built SUM results into exact cents."""
    if amount is None:
        return Decimal("0.00")
    if isinstance(amount, float):
        amount = Decimal(repr(amount))
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)


def parse_amount(value, *, allow_negative: bool = False, allow_zero: bool = False) -> Decimal:
    """A Decimal amount from a string like "12.50" (at most two decimals, at most 99,999,999.99).

    Floats, NaN, infinities, exponents and extra decimals are refused with ``ValueError``
    carrying a message for the user.
    """
    if isinstance(value, (float, bool)):
        raise ValueError(_("Give amounts as decimal strings such as \"12.50\", never as floating-point numbers."))
    if isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else "nan"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(_("Enter an amount."))
    if not _AMOUNT.match(text):
        raise ValueError(_("Enter an amount with at most two decimals, e.g. 12.50 (at most 99,999,999.99)."))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Enter an amount.")) from None
    if amount < 0 and not allow_negative:
        raise ValueError(_("The amount must be positive."))
    if amount == 0 and not allow_zero:
        raise ValueError(_("The amount must not be zero."))
    return quantize(amount)


def currency() -> str:
    return settings.PATRON_CURRENCY


def check_currency(code: str | None) -> None:
    """Refuse an amount said to be in another currency than the shop's (no code: the shop's)."""
    if code and code.upper() != settings.PATRON_CURRENCY:
        raise ValidationFailed(_("This shop keeps amounts in %(patron_currency)s, not %(code)s.") % {
            "patron_currency": settings.PATRON_CURRENCY, "code": code},
                               field="currency", code="mismatching-currency")

