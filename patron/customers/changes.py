"""Recording what changed for the change feed (patron/lookup/feed.py reads it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from patron.core.db import insert_values
from patron.customers.models import Customer, CustomerChange


def record_changes(customers: Iterable[Customer], *, removal: bool = False) -> None:
    """Note that these customers changed (or were removed) in the current transaction.
    On PostgreSQL a trigger (migration 0007) stamps each line with the writing transaction."""
    insert_values(CustomerChange, [{"customer_id": customer.pk, "customer_uuid": customer.uuid, "is_removal": removal}
                                   for customer in customers])


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
