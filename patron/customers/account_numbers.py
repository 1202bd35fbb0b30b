"""Account numbers: typed by hand or generated from the shop's pattern (``C######`` -> C000001)."""

from __future__ import annotations

import re

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from patron.core.errors import ValidationFailed
from patron.customers.models import Customer, CustomerSettings

_DIGITS = re.compile(r"#+")


def check_pattern(pattern: str) -> None:
    runs = _DIGITS.findall(pattern or "")
    if len(runs) != 1:
        raise ValidationFailed(_("Use exactly one run of # for the number, e.g. C######."),
                               field="account_number_pattern")
    if len(pattern) > 30 or any(ch.isspace() for ch in pattern):
        raise ValidationFailed(_("Use at most 30 characters and no spaces."), field="account_number_pattern")


def format_account_number(pattern: str, number: int) -> str:
    """Fill the pattern's run of # with the number, zero-padded (wider numbers are not cut)."""
    run = _DIGITS.search(pattern)
    return f"{pattern[:run.start()]}{number:0{len(run.group())}d}{pattern[run.end():]}"


def account_number_taken(account_number: str, *, exclude_pk: int | None = None) -> bool:
    query = Customer.objects.annotate(key=Lower("account_number")).filter(key=account_number.lower())
    if exclude_pk is not None:
        query = query.exclude(pk=exclude_pk)
    return query.exists()


def next_account_number() -> str:
    """Take the next free number of the sequence (see ``next_account_numbers``)."""
    return next_account_numbers(1)[0]


def next_account_numbers(count: int) -> list[str]:
    """Take the next ``count`` free numbers of the sequence. Call inside the creating
    transaction: the settings row is locked (PostgreSQL) or the write lock held (SQLite) until it
    commits. Numbers someone typed by hand are skipped."""
    shop = CustomerSettings.objects.select_for_update().get(pk=1)
    taken: list[str] = []
    number = shop.next_account_number
    while len(taken) < count:
        wanted = count - len(taken)
        candidates = {format_account_number(shop.account_number_pattern, number + offset): number + offset
                      for offset in range(wanted)}
        clashes = set(Customer.objects.annotate(key=Lower("account_number"))
                      .filter(key__in=[candidate.lower() for candidate in candidates]).values_list("key", flat=True))
        taken += [candidate for candidate in candidates if candidate.lower() not in clashes]
        number += wanted
    shop.next_account_number = number
    shop.save(update_fields=["next_account_number"])
    return taken
