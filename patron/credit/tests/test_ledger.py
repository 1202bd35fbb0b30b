"""Customer credit accounts: limits, charges, payments, adjustments, reversals, statements, aging."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from patron.core.errors import Conflict, NotFound, PermissionDenied, Refused, RuleViolation, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit import actions
from patron.credit.models import CreditAccount, EntryKind, LedgerEntry
from patron.credit.queries import aging, ledger_problems, overdue_accounts, statement
from patron.customers.actions import change_status, delete_customer
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def credit_on(system):
    actions.set_credit_enabled(actor=system, is_enabled=True)


@pytest.fixture
def account(system, credit_on):
    customer = customer_factory()
    return actions.set_credit_limit(actor=system, customer=customer, credit_limit="500.00")


def _state(account):
    account.refresh_from_db()
    return account.balance, account.entries.count(), AuditEvent.objects.count()


def test_credit_is_a_feature_an_admin_switches_on(system):
    customer = customer_factory()
    with pytest.raises(RuleViolation) as raised:
        actions.set_credit_limit(actor=system, customer=customer, credit_limit="500")
    assert raised.value.code == "credit-disabled"
    assert not CreditAccount.objects.exists()


def test_setting_a_limit_opens_the_account(account):
    assert (account.credit_limit, account.balance, account.available_credit) == (D("500.00"), D("0"), D("500.00"))


def test_charge_raises_balance_and_payment_lowers_it(system, account):
    customer = account.customer
    charge = actions.post_charge(actor=system, customer=customer, amount="120.50", reference="S1/1001")
    payment = actions.post_payment(actor=system, customer=customer, amount="20.50", method="card")
    account.refresh_from_db()
    assert (charge.amount, charge.balance_after, charge.sequence) == (D("120.50"), D("120.50"), 1)
    assert (payment.amount, payment.balance_after, payment.sequence) == (D("-20.50"), D("100.00"), 2)
    assert account.balance == D("100.00")
    assert ledger_problems(account) == []
    assert AuditEvent.objects.filter(action="credit.charge_posted").count() == 1


def test_charge_over_the_limit_is_refused_and_nothing_changes(system, account):
    actions.post_charge(actor=system, customer=account.customer, amount="499.99")
    before = _state(account)
    with pytest.raises(Refused) as raised:
        actions.post_charge(actor=system, customer=account.customer, amount="0.02")
    assert raised.value.code == "credit-limit-exceeded"
    assert "available: 0.01" in raised.value.message
    assert _state(account) == before
    actions.post_charge(actor=system, customer=account.customer, amount="0.01")  # exactly to the limit


@pytest.mark.parametrize("status", [CustomerStatus.CREDIT_HOLD, CustomerStatus.INACTIVE, CustomerStatus.DELETED])
def test_charge_refused_for_customers_on_hold_inactive_or_deleted(system, account, status):
    change_status(actor=system, customer=account.customer, status=status)
    before = _state(account)
    with pytest.raises(RuleViolation) as raised:
        actions.post_charge(actor=system, customer=account.customer, amount="1.00")
    assert raised.value.code == "customer-may-not-buy-on-account"
    assert _state(account) == before
    actions.post_payment(actor=system, customer=account.customer, amount="1.00", method="cash")  # payments still ok


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "NaN", "Infinity", "1e3", "100000000.00", 12.5, True, "",
                                    "12,50"])
def test_bad_amounts_are_refused(system, account, amount):
    before = _state(account)
    with pytest.raises(ValidationFailed) as raised:
        actions.post_charge(actor=system, customer=account.customer, amount=amount)
    assert raised.value.field == "amount"
    assert _state(account) == before


def test_currency_mismatch_is_refused(system, account):
    with pytest.raises(ValidationFailed) as raised:
        actions.post_charge(actor=system, customer=account.customer, amount="5.00", currency="EUR")
    assert raised.value.code == "mismatching-currency"


def test_customer_without_account_cannot_buy_on_account(system, credit_on):
    with pytest.raises(NotFound):
        actions.post_charge(actor=system, customer=customer_factory(), amount="5.00")


def test_reversal_moves_balance_by_exactly_minus_the_original(system, account):
    customer = account.customer
    charge = actions.post_charge(actor=system, customer=customer, amount="80.00")
    actions.post_payment(actor=system, customer=customer, amount="30.00", method="cash")
    actions.post_charge(actor=system, customer=customer, amount="5.25")
    reversal = actions.reverse_entry(actor=system, entry=charge, note="Wrong customer")
    assert (reversal.kind, reversal.amount, reversal.reverses, reversal.balance_after) == (
        EntryKind.REVERSAL, D("-80.00"), charge, D("-24.75"))
    with pytest.raises(Conflict):
        actions.reverse_entry(actor=system, entry=charge)
    with pytest.raises(Conflict):
        actions.reverse_entry(actor=system, entry=reversal)
    assert ledger_problems(account) == []


def test_reversing_a_payment_may_pass_the_limit_and_is_flagged(system, account):
    customer = account.customer
    actions.post_charge(actor=system, customer=customer, amount="400.00")
    payment = actions.post_payment(actor=system, customer=customer, amount="400.00", method="cheque")
    actions.post_charge(actor=system, customer=customer, amount="450.00")
    reversal = actions.reverse_entry(actor=system, entry=payment, note="Cheque bounced")
    assert (reversal.balance_after, reversal.exceeds_limit) == (D("850.00"), True)


def test_adjustments_need_a_reason_and_a_manager(system, account):
    with pytest.raises(ValidationFailed):
        actions.post_adjustment(actor=system, customer=account.customer, amount="-5.00", note=" ")
    with pytest.raises(PermissionDenied):
        actions.post_adjustment(actor=actor_for(Role.CASHIER), customer=account.customer, amount="-5.00",
                                note="Goodwill")
    entry = actions.post_adjustment(actor=actor_for(Role.MANAGER), customer=account.customer, amount="-5.00",
                                    note="Goodwill")
    assert (entry.kind, entry.amount) == (EntryKind.ADJUSTMENT, D("-5.00"))


def test_cashier_sells_on_account_and_takes_payments_but_cannot_change_limits(account):
    cashier = actor_for(Role.CASHIER)
    actions.post_charge(actor=cashier, customer=account.customer, amount="10.00")
    actions.post_payment(actor=cashier, customer=account.customer, amount="10.00", method="cash")
    with pytest.raises(PermissionDenied):
        actions.set_credit_limit(actor=cashier, customer=account.customer, credit_limit="5000.00")
    with pytest.raises(PermissionDenied):
        actions.reverse_entry(actor=cashier, entry=account.entries.first())


def test_posted_entries_cannot_be_edited_or_deleted_in_the_database(system, account):
    entry = actions.post_charge(actor=system, customer=account.customer, amount="10.00")
    for statement_sql in (f"UPDATE credit_ledgerentry SET amount = 1 WHERE id = {entry.pk}",
                          f"DELETE FROM credit_ledgerentry WHERE id = {entry.pk}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement_sql)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("10.00")


def test_customer_with_credit_entries_cannot_be_deleted(system, account):
    actions.post_charge(actor=system, customer=account.customer, amount="1.00")
    with pytest.raises(RuleViolation) as raised:
        delete_customer(actor=system, customer=account.customer)
    assert "1 credit entry" in raised.value.message


def test_lowering_the_limit_below_the_balance_blocks_further_charges(system, account):
    actions.post_charge(actor=system, customer=account.customer, amount="300.00")
    actions.set_credit_limit(actor=system, customer=account.customer, credit_limit="200.00")
    with pytest.raises(Refused):
        actions.post_charge(actor=system, customer=account.customer, amount="0.01")
    event = AuditEvent.objects.filter(action="credit.limit_set").first()  # newest first
    assert event.changes == {"credit_limit": ["500.00", "200.00"]}


def test_statement_shows_opening_entries_and_closing_balance(system, account):
    customer = account.customer
    day = datetime.date(2026, 3, 1)
    actions.post_charge(actor=system, customer=customer, amount="100.00", effective_date=day)
    actions.post_charge(actor=system, customer=customer, amount="50.00", effective_date=day.replace(month=4))
    actions.post_payment(actor=system, customer=customer, amount="70.00", method="cash",
                         effective_date=day.replace(month=4, day=20))
    actions.post_charge(actor=system, customer=customer, amount="9.99", effective_date=day.replace(month=5))
    april = statement(account, day.replace(month=4), day.replace(month=4, day=30))
    assert (april.opening_balance, april.charges, april.credits, april.closing_balance) == (
        D("100.00"), D("50.00"), D("-70.00"), D("80.00"))
    assert [entry.amount for entry in april.entries] == [D("50.00"), D("-70.00")]


def test_aging_pays_oldest_charges_first_and_lists_overdue_accounts(system, account):
    customer = account.customer
    today = datetime.date(2026, 11, 23)
    for days_ago, amount in ((100, "40.00"), (65, "30.00"), (35, "20.00"), (5, "10.00")):
        actions.post_charge(actor=system, customer=customer, amount=amount,
                            effective_date=today - datetime.timedelta(days=days_ago))
    actions.post_payment(actor=system, customer=customer, amount="50.00", method="cash", effective_date=today)
    assert aging(account, today) == {"current": D("10.00"), "30": D("20.00"), "60": D("20.00"), "90+": D("0.00")}
    overdue = overdue_accounts(today)
    assert [(row.account, row.overdue) for row in overdue] == [(account, D("40.00"))]
