"""What the customer page shows about money: purchases (summary, chart, departments, history),
the credit account, loyalty points and orders. Each section appears only for roles that may see
it; the forms of the sections post to views in ``credit``, ``loyalty`` and ``orders``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.utils import timezone

from patron.core.permissions import allows
from patron.credit.actions import credit_settings
from patron.credit.models import CreditAccount
from patron.credit.queries import account_of, aging, entry_history
from patron.customers.models import Customer
from patron.loyalty.actions import loyalty_settings, value_of
from patron.loyalty.queries import points_balance, points_history
from patron.sales.queries import (
    PurchaseSummary,
    customer_orders,
    purchase_history,
    purchase_summary,
    revenue_by_department,
    spend_by_month,
)
from patron.web.charts import BarChart, monthly_bars
from patron.web.forms.credit import AdjustmentForm, CreditLimitForm, PaymentForm, PointsAdjustmentForm, StatementForm
from patron.web.forms.sales import PurchaseFilterForm

HISTORY_PAGE_SIZE = 25
ENTRY_ROWS = 100  # newest ledger and points entries on the page; statements show any period
PAGE_PARAMETER = "purchases_page"


@dataclass(frozen=True)
class Purchases:
    form: PurchaseFilterForm
    summary: PurchaseSummary
    revenue_to_date: Decimal
    chart: BarChart | None
    department: str  # "" for the whole customer
    revenue: dict[str, Decimal]  # per department, or only the chosen one
    revenue_total: Decimal  # of every department in the period
    history: Page


@dataclass(frozen=True)
class Account:
    account: CreditAccount | None  # None: credit is on but the customer has no limit yet
    credit_on: bool
    aging: dict[str, Decimal]
    entries: list


@dataclass(frozen=True)
class Points:
    balance: int
    value: Decimal
    loyalty_on: bool
    entries: list


def purchases_section(request, customer: Customer) -> Purchases:
    """The period defaults to everything since the first purchase (O20)."""
    every_department = revenue_by_department(customer)
    form = PurchaseFilterForm(request.GET, departments=list(every_department), auto_id="purchases_%s")
    start, end = form.value_of("start", None), form.value_of("end", None)
    department = form.value_of("department")
    revenue = revenue_by_department(customer, start, end) if start or end else every_department
    history = purchase_history(customer, start, end)
    return Purchases(
        form=form, summary=purchase_summary(customer, start, end), revenue_to_date=customer.total_purchases,
        chart=monthly_bars(spend_by_month(customer, start, end)), department=department,
        revenue={department: revenue.get(department, Decimal("0.00"))} if department else revenue,
        revenue_total=sum(revenue.values(), Decimal("0.00")),
        history=Paginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get(PAGE_PARAMETER)),
    )


def account_section(customer: Customer) -> Account | None:
    """Shown while credit is on, and after it was switched off for a customer who has an account."""
    account, credit_on = account_of(customer), credit_settings().is_enabled
    if account is None and not credit_on:
        return None
    return Account(account=account, credit_on=credit_on, aging=aging(account) if account else {},
                   entries=list(entry_history(account)[:ENTRY_ROWS]) if account else [])


def points_section(customer: Customer) -> Points | None:
    loyalty_on, balance = loyalty_settings().is_enabled, points_balance(customer)
    if not loyalty_on and not balance:
        return None
    return Points(balance=balance, value=value_of(balance), loyalty_on=loyalty_on,
                  entries=list(points_history(customer)[:ENTRY_ROWS]))


def _first_of_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def money_sections(request, customer: Customer) -> dict:
    """The sections' data and their empty forms (a refused form replaces its empty one)."""
    role = request.user.role
    sees_sales = allows(role, "sales.view")
    account = account_section(customer) if allows(role, "credit.view") else None
    return {
        "purchases": purchases_section(request, customer) if sees_sales else None,
        "orders": list(customer_orders(customer)) if sees_sales else None,
        "account_section": account,
        # said on the page, with where to switch it on: the shop has credit off, so no one buys on account
        "credit_off": allows(role, "credit.view") and not credit_settings().is_enabled,
        "points_section": points_section(customer) if allows(role, "loyalty.view") else None,
        "payment_form": PaymentForm(),
        "limit_form": CreditLimitForm(initial={"credit_limit": account.account.credit_limit}
                                      if account and account.account else {}),
        "adjustment_form": AdjustmentForm(),
        "statement_form": StatementForm(initial={"start": _first_of_month(), "end": timezone.localdate()},
                                        auto_id="statement_%s"),
        "points_form": PointsAdjustmentForm(),
    }
