"""Changing many customers at once (the list's bulk actions): each customer goes through the
same action as when changed alone (``update_customer``, ``change_status``), so the same rules,
permissions and audit entries hold. All of it runs in one transaction; each customer in its own
savepoint, so a customer the action refuses is left exactly as it was and the others are changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.errors import DomainError, PermissionDenied, ValidationFailed
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.customers.actions.records import change_status, update_customer
from patron.customers.cleaning import TAG_MAX
from patron.customers.models import Customer, CustomerStatus

BULK_MAX = 500  # customers one bulk action changes (a page of the list is 25)


@dataclass
class BulkOutcome:
    """What a bulk action did: customers changed, already as asked, and refused (with why)."""

    changed: list[Customer] = field(default_factory=list)
    unchanged: list[Customer] = field(default_factory=list)
    refused: list[tuple[Customer, str]] = field(default_factory=list)
    left_out: list[Customer] = field(default_factory=list)  # changed, yet not what was aimed at (a segment's)


def _each(customers: Iterable[Customer], change: Callable[[Customer], bool]) -> BulkOutcome:
    customers = list(customers)
    if len(customers) > BULK_MAX:
        raise ValidationFailed(_("Change at most %(max)s customers at once.") % {"max": BULK_MAX}, field="customers")
    outcome = BulkOutcome()
    with transaction.atomic():
        for customer in customers:
            try:
                with transaction.atomic():  # this customer's changes, all or nothing
                    changed = change(customer)
            except PermissionDenied:
                raise
            except DomainError as error:
                outcome.refused.append((customer, error.message))
            else:
                (outcome.changed if changed else outcome.unchanged).append(customer)
    return outcome


def clean_tag_name(name: str) -> str:
    try:
        name = clean_text(name, max_length=TAG_MAX)
    except ValueError as error:
        raise ValidationFailed(str(error), field="tag") from None
    if not name:
        raise ValidationFailed(_("Name the tag."), field="tag")
    return name


def _tag_names(customer: Customer) -> list[str]:
    return list(customer.tags.order_by("name").values_list("name", flat=True))


def tag_customers(*, actor: Actor, customers: Iterable[Customer], tag: str) -> BulkOutcome:
    """Give each customer the tag (created when new; names match ignoring case)."""
    require(actor, "customers.edit")
    tag = clean_tag_name(tag)

    def add(customer: Customer) -> bool:
        names = _tag_names(customer)
        if tag.casefold() in {name.casefold() for name in names}:
            return False
        update_customer(actor=actor, customer=customer, values={"tags": [*names, tag]})
        return True

    return _each(customers, add)


def untag_customers(*, actor: Actor, customers: Iterable[Customer], tag: str) -> BulkOutcome:
    """Take the tag off each customer that has it."""
    require(actor, "customers.edit")
    tag = clean_tag_name(tag)

    def remove(customer: Customer) -> bool:
        names = _tag_names(customer)
        kept = [name for name in names if name.casefold() != tag.casefold()]
        if kept == names:
            return False
        update_customer(actor=actor, customer=customer, values={"tags": kept})
        return True

    return _each(customers, remove)


def change_statuses(*, actor: Actor, customers: Iterable[Customer], status: str, reason: str = "") -> BulkOutcome:
    """Move each customer to the status, the reason kept in each one's status history."""
    require(actor, "customers.change_status")
    if status not in CustomerStatus.values:
        raise ValidationFailed(_("Choose prospect, active, credit hold, inactive or deleted."), field="status")

    def move(customer: Customer) -> bool:
        if customer.status == status:
            return False
        change_status(actor=actor, customer=customer, status=status, reason=reason)
        return True

    return _each(customers, move)
