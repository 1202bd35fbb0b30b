"""Account numbers: typed by hand or generated from the shop's pattern (``C######`` -> C000001)."""

from __future__ import annotations

import re

from django.db.models.functions import Lower

from patron.core.errors import ValidationFailed
from patron.customers.models import Customer, CustomerSettings

_DIGITS = re.compile(r"#+")


def check_pattern(pattern: str) -> None:
    runs = _DIGITS.findall(pattern or "")
    if len(runs) != 1:
        raise ValidationFailed("Use exactly one run of # for the number, e.g. C######.",
                               field="account_number_pattern")
    if len(pattern) > 30 or any(ch.isspace() for ch in pattern):
        raise ValidationFailed("Use at most 30 characters and no spaces.", field="account_number_pattern")


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
    """Take the next free number of the sequence. Call inside the creating transaction: the
    settings row is locked (PostgreSQL) or the write lock held (SQLite) until it commits."""
    shop = CustomerSettings.objects.select_for_update().get(pk=1)
    number = shop.next_account_number
    candidate = format_account_number(shop.account_number_pattern, number)
    while account_number_taken(candidate):  # skip numbers someone typed by hand
        number += 1
        candidate = format_account_number(shop.account_number_pattern, number)
    shop.next_account_number = number + 1
    shop.save(update_fields=["next_account_number"])
    return candidate
