"""Blocking keys (rules.BLOCKING_KEYS) of customers: computed from profiles, stored in
DuplicateKey, and looked up to find who a customer could be a duplicate of."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from patron.core.db import insert_values
from patron.customers.changes import CreatedRecord
from patron.duplicates.models import DuplicateKey, PendingCheck
from patron.duplicates.profiles import Profile, phonetic, profile_of_created, profiles_of
from patron.duplicates.rules import MAX_BLOCK

KEY_MAX = DuplicateKey._meta.get_field("key").max_length


def keys_of(profile: Profile) -> set[str]:
    keys = {f"email:{email}" for email in profile.emails} | {f"phone:{phone}" for phone in profile.phones}
    if profile.tax_id:
        keys.add(f"tax:{profile.tax_id}")
    if profile.company:
        keys.add(f"co:{profile.company}")
    # The first name's key finds a typo in the last name, and first and last swapped; the last
    # name's key finds a nickname or an initial. Initials alone make no key.
    sounds = {phonetic(word.replace(" ", "")) for word in (profile.first.split()[:1] + [profile.last])
              if len(word) > 1}
    for sound in sounds:
        keys.update(f"np:{sound}|{postcode}" for postcode in profile.postcodes)
        if profile.birth_date:
            keys.add(f"nb:{sound}|{profile.birth_date.isoformat()}")
    return {key[:KEY_MAX] for key in keys}


def refresh_keys(customer_ids: Iterable[int], *, pending: bool = True,
                 created: list[CreatedRecord] | None = None) -> None:
    """Rewrite the keys of these customers from their records (none for placeholders and deleted
    ones); with ``pending``, note them for the next incremental scan. ``created``: the customers
    were just created, with these records (they have no keys yet). Runs in the caller's transaction."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    if created is not None:
        profiles = {record.customer.pk: profile for record in created
                    if (profile := profile_of_created(record)) is not None}
    else:
        profiles = profiles_of(ids)
        DuplicateKey.objects.filter(customer_id__in=ids).delete()
    insert_values(DuplicateKey, [{"customer_id": pk, "key": key} for pk, profile in profiles.items()
                                 for key in sorted(keys_of(profile))])
    if pending:
        insert_values(PendingCheck, [{"customer_id": pk} for pk in ids])


def customers_sharing_keys(keys: set[str], *, exclude: Iterable[int] = ()) -> set[int]:
    """Customers with any of these keys, leaving out keys too common to prove anything."""
    if not keys:
        return set()
    counts = (DuplicateKey.objects.filter(key__in=keys).values("key").annotate(n=Count("id"))
              .filter(n__lte=MAX_BLOCK).values_list("key", flat=True))
    usable = set(counts)
    if not usable:
        return set()
    found = set(DuplicateKey.objects.filter(key__in=usable).values_list("customer_id", flat=True))
    return found - set(exclude)
