"""A merge settles the duplicate pairs it joins (issues 17's two halves together): the queue's
pair is closed as merged, the tombstone is never proposed again, and it has no keys left."""

import pytest

from patron.core.actors import system_actor
from patron.customers.tests.factories import customer_factory
from patron.duplicates.models import DuplicateKey, DuplicatePair, PairStatus
from patron.duplicates.scan import full_scan, incremental_scan
from patron.merging.actions import merge_customers

pytestmark = pytest.mark.django_db


def test_a_merge_closes_its_pair_and_the_tombstone_is_never_proposed_again():
    anna = customer_factory(first_name="Anna", last_name="Schmidt", phones=[{"number": "+1 202 555 0143"}],
                            emails=[{"address": "anna@example.com"}])
    again = customer_factory(first_name="ANNA", last_name="schmidt", phones=[{"number": "202-555-0143"}],
                             emails=[{"address": "Anna+shop@Example.com"}])
    full_scan()
    pair = DuplicatePair.objects.get()
    assert (pair.status, {pair.first_id, pair.second_id}) == (PairStatus.OPEN, {anna.pk, again.pk})

    merge_customers(actor=system_actor(), survivor=anna, others=[again])

    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED
    assert not DuplicateKey.objects.filter(customer_id=again.pk).exists()
    incremental_scan()
    full_scan()
    assert list(DuplicatePair.objects.values_list("status", flat=True)) == [PairStatus.MERGED]
