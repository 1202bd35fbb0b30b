"""Customer credit accounts in the back office: the forms of the account section (record a
payment, set the limit, adjust, reverse an entry), the printable statement, and the overdue list
for follow-up (G15, G18, G20, G22, O16, O23)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.core.formats import format_money
from patron.credit import actions
from patron.credit.models import LedgerEntry
from patron.credit.queries import account_of, overdue_accounts, statement
from patron.web.forms.credit import AdjustmentForm, CreditLimitForm, OverdueForm, PaymentForm, StatementForm
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import customer_or_404, customer_url, perform, submit
from patron.web.views.customer_detail import save_section_form

SECTION = "account"


def _balance_now(entry: LedgerEntry) -> str:
    return _("Balance: %(amount)s.") % {"amount": format_money(entry.balance_after)}


CONFIRMED_OWED = "confirmed_owed"  # what the customer owed when staff confirmed an overpayment


def _overpayment(request, form, customer):
    """The account, when the payment is larger than what the customer owes now and staff have
    not confirmed it against this very balance (a balance moved since asks again); else None."""
    account = account_of(customer)
    if account is None or not form.is_valid():
        return None
    try:
        amount = Decimal(form.cleaned_data["amount"])
    except InvalidOperation:
        return None  # the action refuses it at the field
    try:
        confirmed_owed = Decimal(request.POST.get(CONFIRMED_OWED, ""))
    except InvalidOperation:
        confirmed_owed = None
    if amount <= account.owed or confirmed_owed == account.owed:
        return None
    return account


@requires("credit.record_payment")
@require_POST
def record_payment(request, uuid):
    """A payment larger than the balance asks first, saying what the overpayment rule makes of
    it (``CreditAccount.split_payment``); confirmed, it is recorded like any other."""
    customer = customer_or_404(uuid)
    form = PaymentForm(request.POST)
    account = _overpayment(request, form, customer)
    if account is not None:
        amount = Decimal(form.cleaned_data["amount"])
        settles, kept = account.split_payment(amount)
        return render(request, "web/credit/confirm_payment.html", {
            "customer": customer, "form": form, "account": account, "amount": amount, "settles": settles,
            "kept": kept, "credit_after": account.credit_balance + kept, "confirmed_owed": str(account.owed),
            "confirmed_owed_name": CONFIRMED_OWED,
        })
    return save_section_form(
        request, customer, form, form_key="payment_form", section=SECTION,
        save=lambda data: submit(form, actions.post_payment, actor=actor(request), customer=customer, **data),
        done=lambda entry: _("Payment of %(amount)s recorded. %(balance)s") % {
            "amount": format_money(-entry.amount), "balance": _balance_now(entry)})


@requires("credit.set_limit")
@require_POST
def set_limit(request, uuid):
    customer = customer_or_404(uuid)
    form = CreditLimitForm(request.POST)
    return save_section_form(
        request, customer, form, form_key="limit_form", section=SECTION,
        save=lambda data: submit(form, actions.set_credit_limit, actor=actor(request), customer=customer, **data),
        done=lambda account: _("Credit limit is %(amount)s.") % {"amount": format_money(account.credit_limit)})


@requires("credit.adjust")
@require_POST
def post_adjustment(request, uuid):
    customer = customer_or_404(uuid)
    form = AdjustmentForm(request.POST)
    return save_section_form(
        request, customer, form, form_key="adjustment_form", section=SECTION,
        save=lambda data: submit(form, actions.post_adjustment, actor=actor(request), customer=customer, **data),
        done=lambda entry: _("Adjustment of %(amount)s posted. %(balance)s") % {
            "amount": format_money(entry.amount), "balance": _balance_now(entry)})


@requires("credit.reverse")
@require_POST
def reverse_entry(request, uuid, entry_uuid):
    customer = customer_or_404(uuid)
    entry = get_object_or_404(LedgerEntry, uuid=entry_uuid, account__customer=customer)
    if perform(request, actions.reverse_entry, actor=actor(request), entry=entry,
               note=request.POST.get("note", "")):
        messages.success(request, _("Entry %(number)s (%(kind)s of %(amount)s) reversed.") % {
            "number": entry.sequence, "kind": entry.get_kind_display().lower(), "amount": format_money(entry.amount)})
    return redirect(customer_url(customer, SECTION))


@requires("credit.view")
def statement_page(request, uuid):
    """A statement for any period, laid out for printing: opening balance, entries, closing balance."""
    customer = customer_or_404(uuid)
    account = account_of(customer)
    if account is None:
        raise Http404(_("%(name)s has no credit account.") % {"name": customer.name})
    today = timezone.localdate()
    form = StatementForm(request.GET or {"start": today.replace(day=1), "end": today})  # default: this month
    start, end = sorted((form.value_of("start", today.replace(day=1)), form.value_of("end", today)))
    return render(request, "web/credit/statement.html", {
        "customer": customer, "form": form, "statement": statement(account, start, end),
        "printed_at": timezone.localtime(),
    })


@requires("credit.view_overdue")
def overdue(request):
    """Accounts owing for longer than the payment terms, largest first, for follow-up (G22)."""
    today = timezone.localdate()
    form = OverdueForm(request.GET or {"as_of": today})
    as_of: datetime.date = form.value_of("as_of", today)
    return render(request, "web/credit/overdue.html", {"form": form, "as_of": as_of,
                                                        "rows": overdue_accounts(as_of)})
