"""Recording what changed for the change feed (patron/lookup/feed.py reads it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from patron.core.db import insert_values
from patron.customers.models import Customer, CustomerChange

# Called, in the change's transaction, with the ids of customers whose record (names, phones,
# e-mails, addresses, ...) changed: a higher app registers here (the duplicates app keeps its
# blocking keys current) without the customers app knowing it. For customers just created the
# listener is also given ``created``, their records as written (see ``record_creations``).
CUSTOMER_CHANGE_LISTENERS: list[Callable[..., None]] = []


@dataclass(frozen=True)
class CreatedRecord:
    """A customer just created, with the parts written with it, as stored: a listener reads them
    here instead of back from the database, and has nothing older to replace."""

    customer: Customer
    phones: list[dict]  # {"kind", "e164", ...}
    emails: list[dict]  # {"address", ...}
    addresses: list[dict]  # {"postal_code", "line1", ...}


def record_changes(customers: Iterable[Customer], *, removal: bool = False) -> None:
    """Note that these customers changed (or were removed) in the current transaction.
    On PostgreSQL a trigger (migration 0007) stamps each line with the writing transaction."""
    customers = list(customers)
    _write_feed_lines(customers, removal=removal)
    tell_change_listeners([customer.pk for customer in customers])


def record_creations(records: list[CreatedRecord]) -> None:
    """``record_changes`` for customers just created, whose listeners take the records in hand."""
    customers = [record.customer for record in records]
    _write_feed_lines(customers, removal=False)
    tell_change_listeners([customer.pk for customer in customers], created=records)


def _write_feed_lines(customers: list[Customer], *, removal: bool) -> None:
    insert_values(CustomerChange, [{"customer_id": customer.pk, "customer_uuid": customer.uuid, "is_removal": removal}
                                   for customer in customers])


def tell_change_listeners(customer_ids: list[int], *, created: list[CreatedRecord] | None = None) -> None:
    """Tell the registered listeners that these customers changed (also for changes the till's
    feed does not carry, such as addresses); ``created``: they are new, and these are their records."""
    if customer_ids:
        for listener in CUSTOMER_CHANGE_LISTENERS:
            listener(customer_ids, created=created)


def record_changes_of_groups(group_ids: set[int]) -> None:
    """Every customer of these location groups changed where it is available."""
    ids = sorted(group_ids)
    now = CustomerChange._meta.get_field("changed_at").get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_customerchange (customer_id, customer_uuid, is_removal, changed_at) "
            "SELECT DISTINCT c.id, c.uuid, %s, %s FROM customers_customer c "
            "JOIN customers_customer_location_groups g ON g.customer_id = c.id "
            f"WHERE g.locationgroup_id IN ({', '.join(['%s'] * len(ids))})", [False, now, *ids])
