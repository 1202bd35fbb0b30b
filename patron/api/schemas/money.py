"""Money in request and response bodies: decimal strings such as "12.50", never JSON numbers.

The patterns live in the schema so clients (and schema-driven tests) know them; a JSON number, a
third decimal, an exponent, "NaN" or an amount over 99,999,999.99 is refused (422) with a pointer
to the field. The actions still parse every amount with ``core.money.parse_amount``, the one
place amounts are decided and rounded. Digits are [0-9]: ``\\d`` would also let other scripts'
digits through.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from patron.core.money import quantize

_POSITIVE = r"(?:[1-9][0-9]{0,7}(?:\.[0-9]{1,2})?|0\.(?:0[1-9]|[1-9][0-9]?))"

Amount = Annotated[str, StringConstraints(pattern=f"^{_POSITIVE}$"), Field(
    description='A positive amount as a decimal string with at most two decimals, e.g. "12.50" '
                '(at most "99999999.99").', examples=["12.50"])]
SignedAmount = Annotated[str, StringConstraints(pattern=f"^-?{_POSITIVE}$"), Field(
    description='A non-zero amount as a decimal string, negative to lower, e.g. "-5.00".', examples=["-5.00"])]
AmountOrZero = Annotated[str, StringConstraints(pattern=r"^(?:0|[1-9][0-9]{0,7})(?:\.[0-9]{1,2})?$"), Field(
    description='An amount of zero or more as a decimal string, e.g. "0.00" or "500.00".', examples=["500.00"])]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), Field(
    description="ISO 4217 code; when given it must be the shop's currency (422 mismatching-currency).",
    examples=["USD"])]
MoneyOut = Annotated[str, Field(description='A decimal string with two decimals, e.g. "12.50".',
                                examples=["12.50"])]


def money(amount: Decimal) -> str:
    """An amount as the API writes it: two decimals, and never "-0.00"."""
    return str(quantize(amount) + 0)
