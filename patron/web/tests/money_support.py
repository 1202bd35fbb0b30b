"""Helpers for the tests of the money pages (till, sales, accounts, points): the shop's switches,
customers with credit, and the state a refused request must leave untouched."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from patron.core.actors import system_actor
from patron.core.models import AuditEvent
from patron.credit import actions as credit
from patron.credit.models import CreditAccount, LedgerEntry
from patron.customers.tests.factories import customer_factory
from patron.loyalty.models import PointsEntry
from patron.sales.models import Order, Sale

D = Decimal


def url(name: str, *args, query: str = "") -> str:
    path = reverse(f"web:{name}", args=[getattr(arg, "uuid", arg) for arg in args])
    return f"{path}?{query}" if query else path


def switch_credit_on() -> None:
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)


def customer_with_credit(limit: str = "100.00", **values):
    """A customer with a credit account (credit switched on for the shop)."""
    switch_credit_on()
    customer = customer_factory(**values)
    credit.set_credit_limit(actor=system_actor(), customer=customer, credit_limit=limit)
    return customer


def balance_of(customer) -> Decimal:
    return CreditAccount.objects.get(customer=customer).balance


def money_state() -> tuple:
    """Sales, orders, ledger and points entries, audit entries and every account's balance and
    limit: a refused request changes none of them."""
    return (Sale.objects.count(), list(Order.objects.values_list("status", "version")), LedgerEntry.objects.count(),
            PointsEntry.objects.count(), AuditEvent.objects.count(),
            list(CreditAccount.objects.order_by("pk").values_list("balance", "credit_limit")))
