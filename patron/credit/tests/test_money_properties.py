"""Reliability test L4: money arithmetic, by property (Hypothesis).

Amount parsing is checked on 10,000 generated examples; random sequences of ledger operations on
fewer (each example writes to the database) but every one must leave balance == sum of entries
exactly, with a gap-free sequence and correct running balances.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.core.errors import Conflict, Refused, ValidationFailed
from patron.core.money import MAX_AMOUNT, parse_amount, quantize
from patron.credit import actions
from patron.credit.models import LedgerEntry
from patron.credit.queries import derived_balance, ledger_problems
from patron.customers.tests.factories import customer_factory

CENTS = st.integers(min_value=1, max_value=int(MAX_AMOUNT * 100))


@settings(max_examples=10_000, deadline=None)
@given(cents=CENTS)
def test_every_two_decimal_amount_in_range_is_taken_exactly(cents):
    text = f"{cents // 100}.{cents % 100:02d}"
    assert parse_amount(text) == Decimal(cents) / 100
    if cents >= 100:
        assert parse_amount(str(cents // 100)) == Decimal(cents // 100)


@settings(max_examples=2_000, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_never_taken(value):
    with pytest.raises(ValueError):
        parse_amount(value)


@settings(max_examples=2_000, deadline=None)
@given(cents=CENTS, extra=st.integers(min_value=1, max_value=9))
def test_more_than_two_decimals_are_refused(cents, extra):
    with pytest.raises(ValueError):
        parse_amount(f"{cents // 100}.{cents % 100:02d}{extra}")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e3", "1E-2", "0x10", "1_000", " ", "12,50",
                                  "100000000.00", "-0.01", "0", "0.00", "+5"])
def test_special_and_out_of_range_forms_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@settings(max_examples=2_000, deadline=None)
@given(parts=st.lists(st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False), min_size=1,
                      max_size=20))
def test_quantize_rounds_half_even_once(parts):
    total = quantize(sum(parts, Decimal("0")))
    assert total == sum(parts, Decimal("0")).quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN")
    assert quantize(total) == total


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["charge", "payment", "refund", "adjustment", "reversal"]), CENTS.filter(
        lambda cents: cents <= 30_000), st.booleans()),
    min_size=1, max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_any_sequence_of_operations_keeps_balance_equal_to_the_sum_of_entries(system, operations):
    actions.set_credit_enabled(actor=system, is_enabled=True)
    customer = customer_factory()
    account = actions.set_credit_limit(actor=system, customer=customer, credit_limit="500.00")
    for kind, cents, flag in operations:
        amount = f"{cents // 100}.{cents % 100:02d}"
        try:
            _apply(system, customer, kind, amount, flag)
        except (Refused, Conflict, ValidationFailed):
            pass  # refusals are part of the game: they must leave no trace
    assert ledger_problems(account) == []
    account.refresh_from_db()
    assert account.balance == derived_balance(account)
    # no accepted charge ever took the balance over the limit (only reversals and adjustments may)
    assert not account.entries.filter(kind="charge", balance_after__gt=Decimal("500.00")).exists()


def _apply(system, customer, kind, amount, flag):
    if kind == "charge":
        actions.post_charge(actor=system, customer=customer, amount=amount)
    elif kind == "payment":
        actions.post_payment(actor=system, customer=customer, amount=amount, method="cash")
    elif kind == "refund":
        actions.post_refund(actor=system, customer=customer, amount=amount)
    elif kind == "adjustment":
        actions.post_adjustment(actor=system, customer=customer, amount=("-" if flag else "") + amount,
                                note="property test")
    else:
        entry = LedgerEntry.objects.filter(account__customer=customer).order_by("?" if flag else "-sequence").first()
        if entry is not None:
            actions.reverse_entry(actor=system, entry=entry)
