"""Reading credit accounts: balances, statements, aging and the overdue list.

The balance is the sum of the entries, quantized in ``core.money``; the cached
``CreditAccount.balance`` must always equal it (``ledger_problems`` checks that, the gap-free
sequence and every running balance).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from patron.core.money import quantize
from patron.credit.models import CreditAccount, CreditSettings, LedgerEntry
from patron.customers.models import Customer

AGING_BUCKETS = ("current", "30", "60", "90+")


def account_of(customer: Customer) -> CreditAccount | None:
    return CreditAccount.objects.filter(customer=customer).first()


def derived_balance(account: CreditAccount, *, before: datetime.date | None = None) -> Decimal:
    entries = account.entries.all()
    if before is not None:
        entries = entries.filter(effective_date__lt=before)
    return quantize(entries.aggregate(total=Sum("amount"))["total"])


def ledger_problems(account: CreditAccount) -> list[str]:
    """What is wrong with an account's ledger; empty when sequence 1..n has no gaps, every
    balance_after = previous balance_after + amount, and the cached balance = the sum."""
    problems, running, last = [], Decimal("0.00"), 0
    for entry in account.entries.order_by("sequence"):
        running += entry.amount
        if entry.sequence != last + 1:
            problems.append(f"sequence jumps from {last} to {entry.sequence}")
        if entry.balance_after != running:
            problems.append(f"entry {entry.sequence}: balance_after {entry.balance_after} != {running}")
        last = entry.sequence
    account.refresh_from_db()
    if (account.balance, account.last_sequence) != (running, last) or derived_balance(account) != running:
        problems.append(f"cached balance {account.balance}/#{account.last_sequence} != entries {running}/#{last}")
    return problems


@dataclass
class Statement:
    account: CreditAccount
    start: datetime.date
    end: datetime.date
    opening_balance: Decimal
    entries: list[LedgerEntry]
    charges: Decimal
    credits: Decimal
    closing_balance: Decimal


def statement(account: CreditAccount, start: datetime.date, end: datetime.date) -> Statement:
    """Opening balance at ``start``, the entries dated start..end, and the closing balance."""
    opening = derived_balance(account, before=start)
    entries = list(account.entries.select_related("reverses").filter(effective_date__gte=start, effective_date__lte=end)
                   .order_by("effective_date", "sequence"))
    charges = quantize(sum((entry.amount for entry in entries if entry.amount > 0), Decimal("0")))
    credits = quantize(sum((entry.amount for entry in entries if entry.amount < 0), Decimal("0")))
    return Statement(account=account, start=start, end=end, opening_balance=opening, entries=entries,
                     charges=charges, credits=credits, closing_balance=quantize(opening + charges + credits))


def open_charges(account: CreditAccount, as_of: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    """(date, amount still owed) of each charge, credits paying off the oldest charges first."""
    remaining: list[list] = []
    credit = Decimal("0")
    for entry in account.entries.filter(effective_date__lte=as_of).order_by("effective_date", "sequence"):
        if entry.amount > 0:
            remaining.append([entry.effective_date, entry.amount])
        else:
            credit -= entry.amount
        while credit > 0 and remaining:
            paid = min(credit, remaining[0][1])
            remaining[0][1] -= paid
            credit -= paid
            if remaining[0][1] == 0:
                remaining.pop(0)
    return [(effective_date, amount) for effective_date, amount in remaining]


def _bucket(days: int) -> str:
    for limit, name in ((90, "90+"), (60, "60"), (30, "30")):
        if days >= limit:
            return name
    return "current"


def aging(account: CreditAccount, as_of: datetime.date | None = None) -> dict[str, Decimal]:
    """What is owed by age: current (under 30 days), 30, 60 and 90+ days."""
    as_of = as_of or timezone.localdate()
    buckets = {name: Decimal("0") for name in AGING_BUCKETS}
    for effective_date, amount in open_charges(account, as_of):
        buckets[_bucket((as_of - effective_date).days)] += amount
    return {name: quantize(amount) for name, amount in buckets.items()}


@dataclass
class OverdueAccount:
    account: CreditAccount
    overdue: Decimal
    oldest_open: datetime.date
    aging: dict[str, Decimal]


def overdue_accounts(as_of: datetime.date | None = None) -> list[OverdueAccount]:
    """Accounts owing for longer than the payment terms, largest overdue amount first."""
    as_of = as_of or timezone.localdate()
    due_before = as_of - datetime.timedelta(days=CreditSettings.objects.get(pk=1).payment_terms_days)
    rows = []
    for account in CreditAccount.objects.filter(balance__gt=0).select_related("customer"):
        charges = open_charges(account, as_of)
        overdue = quantize(sum((amount for day, amount in charges if day < due_before), Decimal("0")))
        if overdue > 0:
            rows.append(OverdueAccount(account=account, overdue=overdue, oldest_open=charges[0][0],
                                       aging=aging(account, as_of)))
    return sorted(rows, key=lambda row: row.overdue, reverse=True)


def entry_history(account: CreditAccount):
    """The account's entries, newest first, each with the entry reversing it (if any) and the
    sale it paid for (if any)."""
    return account.entries.select_related("reversed_by", "reverses", "sale_payment__sale").order_by("-sequence")
