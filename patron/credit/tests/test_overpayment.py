"""Issue 15 (10): a payment larger than what is owed is kept as a credit balance. It can be spent,
but never raises what may be charged on account beyond the limit."""

from decimal import Decimal

import pytest

from patron.core.errors import Refused
from patron.core.models import AuditEvent
from patron.credit import actions
from patron.credit.models import CreditAccount
from patron.credit.queries import ledger_problems
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def overpaid(system):
    """Limit 500, 500 owed, then 750 paid: 250 in credit."""
    actions.set_credit_enabled(actor=system, is_enabled=True)
    account = actions.set_credit_limit(actor=system, customer=customer_factory(), credit_limit="500.00")
    actions.post_charge(actor=system, customer=account.customer, amount="500.00")
    actions.post_payment(actor=system, customer=account.customer, amount="750.00", method="cash")
    account.refresh_from_db()
    return account


def _figures(account: CreditAccount) -> tuple:
    return account.balance, account.owed, account.credit_balance, account.available_credit, account.chargeable


def test_an_overpayment_is_a_credit_balance_that_does_not_raise_the_available_credit(overpaid):
    assert _figures(overpaid) == (D("-250.00"), D("0.00"), D("250.00"), D("500.00"), D("750.00"))


def test_a_charge_takes_the_credit_balance_first_then_the_limit(system, overpaid):
    assert overpaid.split_charge(D("600.00")) == (D("250.00"), D("350.00"))
    entry = actions.post_charge(actor=system, customer=overpaid.customer, amount="600.00")
    overpaid.refresh_from_db()
    assert entry.balance_after == D("350.00") and not entry.exceeds_limit
    assert _figures(overpaid) == (D("350.00"), D("350.00"), D("0.00"), D("150.00"), D("150.00"))
    event = AuditEvent.objects.filter(action="credit.charge_posted").latest("id")
    assert (event.data["from_credit_balance"], event.data["on_account"]) == ("250.00", "350.00")
    assert ledger_problems(overpaid) == []


def test_a_charge_beyond_what_is_chargeable_is_refused_and_nothing_changes(system, overpaid):
    before = (_figures(overpaid), overpaid.entries.count(), AuditEvent.objects.count())
    with pytest.raises(Refused) as raised:
        actions.post_charge(actor=system, customer=overpaid.customer, amount="750.01")
    assert raised.value.code == "credit-limit-exceeded"
    assert "available: 750.00" in raised.value.message
    overpaid.refresh_from_db()
    assert (_figures(overpaid), overpaid.entries.count(), AuditEvent.objects.count()) == before
    actions.post_charge(actor=system, customer=overpaid.customer, amount="750.00")  # exactly all of it


def test_owing_more_than_a_lowered_limit_leaves_nothing_chargeable(system, overpaid):
    actions.post_charge(actor=system, customer=overpaid.customer, amount="650.00")
    actions.set_credit_limit(actor=system, customer=overpaid.customer, credit_limit="300.00")
    overpaid.refresh_from_db()
    assert _figures(overpaid) == (D("400.00"), D("400.00"), D("0.00"), D("0.00"), D("0.00"))
