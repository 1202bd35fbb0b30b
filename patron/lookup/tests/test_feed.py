"""The change feed: pages, tombstones, convergence of a till's copy, late commits."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from patron.customers import actions
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import create_location, save_location_group
from patron.locations.models import Location
from patron.lookup.feed import START, read_changes


def follow(store, position=START, page_size=3, copy=None):
    """What a till does: read pages until the end, applying each item to its copy."""
    copy = {} if copy is None else copy
    while True:
        page = read_changes(after=position, store=store, limit=page_size)
        for item in page.items:
            if item.customer is None:
                copy.pop(item.customer_uuid, None)
            else:
                copy[item.customer_uuid] = item.customer.name
        position = page.position
        if not page.has_more:
            return copy, position


@pytest.mark.django_db(transaction=True)  # the feed shows committed changes only
def test_a_till_following_the_feed_ends_with_exactly_its_customers(system):
    hq = Location.objects.get(code="HQ")
    main = Location.objects.get(code="S01")
    harbour = create_location(actor=system, code="S02", name="Harbour", kind="store", parent=hq)
    harbour_only = save_location_group(actor=system, name="Harbour only", locations=[harbour])
    keep = customer_factory(first_name="Kept", last_name="Customer")
    gone = customer_factory(first_name="Deleted", last_name="Later")
    off = customer_factory(first_name="Turned", last_name="Inactive")
    held = customer_factory(first_name="On", last_name="Hold")
    elsewhere = customer_factory(first_name="Only", last_name="Harbour", location_groups=[harbour_only])
    copy, position = follow(main)
    assert set(copy.values()) == {"Kept Customer", "Deleted Later", "Turned Inactive", "On Hold"}

    actions.delete_customer(actor=system, customer=gone)
    actions.deactivate_customer(actor=system, customer=off)
    actions.change_status(actor=system, customer=held, status=CustomerStatus.CREDIT_HOLD)
    actions.update_customer(actor=system, customer=keep, values={"last_name": "Renamed"})
    copy, position = follow(main, position, copy=copy)
    assert set(copy.values()) == {"Kept Renamed", "On Hold"}

    save_location_group(actor=system, name="Harbour only", locations=[harbour, main], group=harbour_only)
    copy, position = follow(main, position, copy=copy)
    assert set(copy.values()) == {"Kept Renamed", "On Hold", "Only Harbour"}
    assert follow(harbour)[0] == {str(keep.uuid): "Kept Renamed", str(held.uuid): "On Hold",
                                  str(elsewhere.uuid): "Only Harbour"}


@pytest.mark.django_db(transaction=True)  # the feed shows committed changes only
def test_pages_repeat_nothing_and_an_empty_page_keeps_the_position(system):
    for index in range(7):
        customer_factory(first_name=f"P{index}", last_name="Page")
    first = read_changes(after=START, store=None, limit=5)
    second = read_changes(after=first.position, store=None, limit=5)
    assert (len(first.items), first.has_more, len(second.items), second.has_more) == (5, True, 2, False)
    assert not {item.customer_uuid for item in first.items} & {item.customer_uuid for item in second.items}
    end = read_changes(after=second.position, store=None)
    assert (end.items, end.position) == ([], second.position)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_late_is_not_skipped(system):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: there are no late commits")
    database = settings.DATABASES["default"]
    late = customer_factory(first_name="Late", last_name="Writer")
    _, position = follow(None)
    other = psycopg.connect(host=database["HOST"] or "127.0.0.1", port=database["PORT"] or 5432,
                            user=database["USER"], dbname=connection.settings_dict["NAME"],
                            password=database["PASSWORD"] or None)
    try:
        other.execute("INSERT INTO customers_customerchange (customer_id, customer_uuid, is_removal, changed_at) "
                      "VALUES (%s, %s, false, now())", [late.pk, late.uuid])  # begun first, not committed
        customer_factory(first_name="Early", last_name="Committer")  # begun later, committed now
        page = read_changes(after=position, store=None)
        assert page.items == [] and page.position == position  # held back until the older one ends
        other.commit()
        names = [item.customer.name for item in read_changes(after=position, store=None).items]
        assert names == ["Late Writer", "Early Committer"]
    finally:
        other.close()
