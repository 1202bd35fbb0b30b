"""Posting to customer credit accounts. Every entry is appended under the locks of what its
decision reads (PostgreSQL: the customer's and the account's rows FOR NO KEY UPDATE, the shop's
credit switch FOR SHARE; SQLite: the write lock an IMMEDIATE transaction takes at BEGIN), so
concurrent charges can never overspend a limit or lose an update, and none is posted against a
status, limit or switch that a committed change has replaced."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict, NotFound, Refused, RuleViolation, ValidationFailed
from patron.core.money import check_currency, parse_amount, quantize
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.credit.models import CreditAccount, CreditSettings, EntryKind, LedgerEntry, PaymentMethod
from patron.customers import rules
from patron.customers.models import Customer


def credit_settings() -> CreditSettings:
    return CreditSettings.objects.get(pk=1)


def _credit_on() -> bool:
    """The shop's credit switch, read under a share lock kept until the transaction ends
    (PostgreSQL FOR SHARE; Django's select_for_update has no shared mode): switching credit off
    waits for the postings that read it on, and a posting that waited reads the committed switch."""
    lock = " FOR SHARE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT is_enabled FROM {CreditSettings._meta.db_table} WHERE id = 1{lock}")
        return bool(cursor.fetchone()[0])


def _check_enabled() -> None:
    if not _credit_on():
        _refuse_credit_disabled()


def _refuse_credit_disabled():
    raise RuleViolation(_("Customer credit is switched off in the settings."), code="credit-disabled")


def _amount(value, field: str = "amount", *, allow_negative: bool = False) -> Decimal:
    try:
        return parse_amount(value, allow_negative=allow_negative)
    except ValueError as error:
        raise ValidationFailed(str(error), field=field, code="invalid-amount") from None


def _text(value: str, field: str, max_length: int) -> str:
    try:
        return clean_text(value, max_length=max_length)
    except ValueError as error:
        raise ValidationFailed(str(error), field=field) from None


def _locked_rows(customer: Customer) -> tuple[Customer, CreditAccount | None]:
    """The customer, then its account (None without one), each re-read under its row lock until
    the transaction ends, always in this order (a status change locks the customer, a limit change
    both). Separate statements on purpose: after waiting for a lock PostgreSQL re-reads only the
    rows a statement locks, so a join locking the account would keep a stale customer."""
    customer = rules.locked_for_decision(customer)
    account = CreditAccount.objects.select_for_update(no_key=True).filter(customer=customer).first()
    if account is not None:
        account.customer = customer
    return customer, account


def locked_account(customer: Customer) -> CreditAccount:
    """The customer's account with the customer as committed now, both locked for the rest of the
    transaction (``_locked_rows``). ``credit_on`` says whether the shop's credit switch is on,
    read under its share lock."""
    customer, account = _locked_rows(customer)
    if account is None:
        raise NotFound(_("%(name)s has no credit account: set a credit limit first.") % {"name": customer.name},
                       code="no-credit-account")
    account.credit_on = _credit_on()
    return account


def _post(account: CreditAccount, *, actor: Actor, kind: str, amount, effective_date=None, method: str = "",
          reference: str = "", note: str = "", reverses: LedgerEntry | None = None,
          details: dict | None = None) -> LedgerEntry:
    """Append one entry and move the cached balance with it. Call with the account locked."""
    amount = quantize(amount)
    balance_after = account.balance + amount
    entry = LedgerEntry.objects.create(
        account=account, sequence=account.last_sequence + 1, kind=kind, amount=amount, balance_after=balance_after,
        effective_date=effective_date or timezone.localdate(), method=method, reference=reference, note=note,
        reverses=reverses, exceeds_limit=amount > 0 and balance_after > account.credit_limit,
        actor_label=actor.label,
    )
    account.balance, account.last_sequence = balance_after, entry.sequence
    account.save(update_fields=["balance", "last_sequence", "updated_at"])
    record_event(actor=actor, action=f"credit.{kind}_posted", subject=entry, customer=account.customer,
                 data={"amount": amount, "balance_after": balance_after, "sequence": entry.sequence,
                       "reference": reference, **(details or {})})
    return entry


@transaction.atomic
def set_credit_limit(*, actor: Actor, customer: Customer, credit_limit) -> CreditAccount:
    """Give a customer credit (opening the account) or change the limit. Lowering it below the
    balance is allowed: no further charge is accepted until the balance is under it again."""
    require(actor, "credit.set_limit")
    try:
        limit = parse_amount(credit_limit, allow_zero=True)
    except ValueError as error:
        raise ValidationFailed(str(error), field="credit_limit", code="invalid-amount") from None
    customer, account = _locked_rows(customer)
    _check_enabled()
    previous = account.credit_limit if account else None
    if account is None:
        account = CreditAccount.objects.create(customer=customer, credit_limit=limit,
                                               currency=settings.PATRON_CURRENCY)
    elif account.credit_limit != limit:
        account.credit_limit = limit
        account.save(update_fields=["credit_limit", "updated_at"])
    if previous != limit:
        record_event(actor=actor, action="credit.limit_set", subject=account, customer=customer,
                     changes={"credit_limit": [previous, limit]})
    return account


@transaction.atomic
def post_charge(*, actor: Actor, customer: Customer, amount, reference: str = "", note: str = "",
                currency: str | None = None, effective_date: datetime.date | None = None) -> LedgerEntry:
    """Charge a purchase to the customer's account, refused when it would pass the limit or the
    customer's status forbids buying on account. A credit balance (an earlier overpayment) pays
    first; only the rest is owed, within the limit (``CreditAccount.chargeable``)."""
    require(actor, "credit.charge")
    amount = _amount(amount)
    check_currency(currency)
    reference, note = _text(reference, "reference", 100), _text(note, "note", 500)
    account = locked_account(customer)
    rules.check_may_serve(actor, account.customer)
    if not account.credit_on:
        _refuse_credit_disabled()
    rules.check_may_buy_on_account(account.customer)
    if amount > account.chargeable:
        raise Refused(
            _("Charging %(amount)s would take %(name)s to %(balance)s, over the credit limit of %(credit_limit)s "
              "(available: %(available)s).") % {
                "amount": amount, "name": customer.name, "balance": account.balance + amount,
                "credit_limit": account.credit_limit, "available": account.chargeable},
            code="credit-limit-exceeded",
        )
    from_credit_balance, on_account = account.split_charge(amount)
    return _post(account, actor=actor, kind=EntryKind.CHARGE, amount=amount, reference=reference, note=note,
                 effective_date=effective_date,
                 details={"from_credit_balance": from_credit_balance, "on_account": on_account})


@transaction.atomic
def post_payment(*, actor: Actor, customer: Customer, amount, method: str, reference: str = "", note: str = "",
                 currency: str | None = None, effective_date: datetime.date | None = None) -> LedgerEntry:
    """Record a payment the customer made towards the account."""
    require(actor, "credit.record_payment")
    amount = _amount(amount)
    check_currency(currency)
    if method not in PaymentMethod.values:
        raise ValidationFailed(_("Choose cash, card, cheque, bank transfer or other."), field="method")
    reference, note = _text(reference, "reference", 100), _text(note, "note", 500)
    account = locked_account(customer)
    rules.check_may_serve(actor, account.customer)
    return _post(account, actor=actor, kind=EntryKind.PAYMENT, amount=-amount, method=method, reference=reference,
                 note=note, effective_date=effective_date)


@transaction.atomic
def post_refund(*, actor: Actor, customer: Customer, amount, reference: str = "", note: str = "",
                effective_date: datetime.date | None = None) -> LedgerEntry:
    """Credit the account for goods returned from a sale on account."""
    require(actor, "credit.charge")
    amount = _amount(amount)
    reference, note = _text(reference, "reference", 100), _text(note, "note", 500)
    account = locked_account(customer)
    rules.check_may_serve(actor, account.customer)
    return _post(account, actor=actor, kind=EntryKind.REFUND, amount=-amount, reference=reference, note=note,
                 effective_date=effective_date)


@transaction.atomic
def post_adjustment(*, actor: Actor, customer: Customer, amount, note: str) -> LedgerEntry:
    """A manager's correction: positive raises the balance, negative lowers it. A reason is required."""
    require(actor, "credit.adjust")
    amount = _amount(amount, allow_negative=True)
    note = _text(note, "note", 500)
    if not note:
        raise ValidationFailed(_("Say why the balance is adjusted."), field="note")
    account = locked_account(customer)
    return _post(account, actor=actor, kind=EntryKind.ADJUSTMENT, amount=amount, note=note)


@transaction.atomic
def reverse_entry(*, actor: Actor, entry: LedgerEntry, note: str = "") -> LedgerEntry:
    """Cancel an entry by posting its exact opposite, pointing back at it. Each entry can be
    reversed once; a reversal itself cannot be reversed. Reversing a payment may take the balance
    over the limit: that is allowed, and the entry is flagged ``exceeds_limit``."""
    require(actor, "credit.reverse")
    note = _text(note, "note", 500)
    account = locked_account(entry.account.customer)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise Conflict(_("A reversal cannot be reversed; post a new entry instead."), code="reversal-of-reversal")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("This entry has already been reversed."), code="already-reversed")
    return _post(account, actor=actor, kind=EntryKind.REVERSAL, amount=-entry.amount, reverses=entry,
                 reference=entry.reference, note=note or f"Reverses entry {entry.sequence}")


@transaction.atomic
def set_credit_enabled(*, actor: Actor, is_enabled: bool, payment_terms_days: int | None = None) -> CreditSettings:
    require(actor, "settings.manage")
    shop = CreditSettings.objects.select_for_update().get(pk=1)
    before = {"is_enabled": shop.is_enabled, "payment_terms_days": shop.payment_terms_days}
    shop.is_enabled = is_enabled
    if payment_terms_days is not None:
        if not 0 <= payment_terms_days <= 365:
            raise ValidationFailed(_("Use 0 to 365 days."), field="payment_terms_days")
        shop.payment_terms_days = payment_terms_days
    shop.save()
    after = {"is_enabled": shop.is_enabled, "payment_terms_days": shop.payment_terms_days}
    record_event(actor=actor, action="settings.credit_updated", subject=shop,
                 changes={key: [before[key], after[key]] for key in after if before[key] != after[key]})
    return shop


@transaction.atomic
def move_balance(*, actor: Actor, source: Customer, target: Customer, amount=None, reference: str,
                 note: str) -> Decimal:
    """Move ``amount`` (default: the whole balance) of ``source``'s account to ``target``'s, as two
    new adjustment entries (never by changing one): the sum of all balances stays the same. Opens
    the target's account when it has none, with the source's limit (a merge's rule: the survivor
    keeps its own limit, else takes the largest of the merged records', docs/architecture.md).
    Returns the amount moved (0.00 when there was nothing to move). Call with both customers
    locked (a merge holds them)."""
    require(actor, "credit.adjust")
    source_account = CreditAccount.objects.select_for_update(no_key=True).filter(customer=source).first()
    if source_account is None:
        return quantize(0)
    moved = quantize(source_account.balance if amount is None else amount)
    if moved == 0:
        return moved
    target_account = CreditAccount.objects.select_for_update(no_key=True).filter(customer=target).first()
    if target_account is None:
        target_account = CreditAccount.objects.create(customer=target, credit_limit=source_account.credit_limit,
                                                      currency=source_account.currency)
        record_event(actor=actor, action="credit.limit_set", subject=target_account, customer=target,
                     changes={"credit_limit": [None, source_account.credit_limit]})
    source_account.customer, target_account.customer = source, target
    _post(source_account, actor=actor, kind=EntryKind.ADJUSTMENT, amount=-moved, reference=reference, note=note)
    _post(target_account, actor=actor, kind=EntryKind.ADJUSTMENT, amount=moved, reference=reference, note=note)
    return moved


def raise_limit_to(*, actor: Actor, customer: Customer, credit_limit: Decimal) -> None:
    """Raise the customer's limit to ``credit_limit`` when it is lower, opening the account when
    it has none (a merge's rule: a survivor without credit takes the merged records' largest)."""
    account = CreditAccount.objects.select_for_update(no_key=True).filter(customer=customer).first()
    if account is None:
        account = CreditAccount.objects.create(customer=customer, credit_limit=credit_limit,
                                               currency=settings.PATRON_CURRENCY)
        record_event(actor=actor, action="credit.limit_set", subject=account, customer=customer,
                     changes={"credit_limit": [None, credit_limit]})
    elif account.credit_limit < credit_limit:
        record_event(actor=actor, action="credit.limit_set", subject=account, customer=customer,
                     changes={"credit_limit": [account.credit_limit, credit_limit]})
        account.credit_limit = credit_limit
        account.save(update_fields=["credit_limit", "updated_at"])
