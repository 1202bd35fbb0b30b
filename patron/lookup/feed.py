"""The change feed tills follow to keep an offline copy of the customers they may serve.

A till asks for the changes after its cursor and gets, in commit order, each customer created,
changed, made unavailable or removed since, as it is now: an upsert when the till may serve the
customer, a removal otherwise. Applying the pages in order, a till ends with exactly the
customers available at its store.

Never skipping a change that commits late: on PostgreSQL each line carries the id of the
transaction that wrote it, and only lines of transactions older than every writing transaction
still running in this database are handed out; the order is (transaction id, line id). (Only
this database's transactions count, so a long transaction of another database on the same
server does not hold the feed back.) SQLite runs one write transaction at a time, so line ids
already are in commit order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from patron.customers.models import Customer, CustomerChange
from patron.customers.rules import VISIBLE_AT_TILL, available_at
from patron.locations.models import Location

# The oldest transaction id still running in this database (as a 64-bit id: pg_stat_activity
# shows 32-bit ids, which take the epoch of the next id, or the one before if they are above it),
# or the next id to be given out when none is running.
_HORIZON = """
SELECT coalesce(min(((next >> 32) - (CASE WHEN running > (next & 4294967295) THEN 1 ELSE 0 END)) << 32 | running),
                min(next))
FROM (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next) AS now
LEFT JOIN (SELECT backend_xid::text::bigint AS running FROM pg_stat_activity
           WHERE datname = current_database() AND backend_xid IS NOT NULL) AS busy ON true
"""

Position = tuple[int, int]  # (transaction id, line id); the transaction id is 0 on SQLite
START: Position = (0, 0)


@dataclass(frozen=True)
class FeedItem:
    customer_uuid: str
    customer: Customer | None  # None: remove it from the till
    merged_into: str | None = None  # a removal of a merged record: the survivor's uuid

@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    position: Position  # where the next page starts
    has_more: bool


def read_changes(*, after: Position = START, store: Location | None, limit: int = 500,
                 customers=None) -> FeedPage:
    """The next page of changes after ``after``, as seen from a till at ``store``."""
    lines = _lines_after(after, limit)
    if not lines:
        return FeedPage([], after, False)
    latest: dict[int, CustomerChange] = {}
    for line in lines:
        latest.pop(line.customer_id, None)
        latest[line.customer_id] = line  # keeps the order of each customer's last change
    available = _available(list(latest), store, customers)
    removed = [customer_id for customer_id in latest if customer_id not in available]
    merged = _merged_into(removed) if removed else {}
    items = [FeedItem(str(line.customer_uuid), available.get(customer_id), merged.get(customer_id))
             for customer_id, line in latest.items()]
    last = lines[-1]
    return FeedPage(items, (last.transaction_id or 0, last.pk), len(lines) == limit)


def _lines_after(after: Position, limit: int) -> list[CustomerChange]:
    lines = CustomerChange.objects.only("id", "customer_id", "customer_uuid", "transaction_id")
    if connection.vendor != "postgresql":
        return list(lines.filter(pk__gt=after[1]).order_by("pk")[:limit])
    with connection.cursor() as cursor:
        cursor.execute(_HORIZON)
        horizon = cursor.fetchone()[0]
    return list(CustomerChange.objects.raw(
        "SELECT id, customer_id, customer_uuid, transaction_id FROM customers_customerchange "
        "WHERE (transaction_id, id) > (%s, %s) AND transaction_id < %s ORDER BY transaction_id, id LIMIT %s",
        [after[0], after[1], horizon, limit]))


def _merged_into(customer_ids: list[int]) -> dict[int, str]:
    """The survivor's uuid of each of these customers that is a merged record (a tombstone)."""
    tombstones = Customer.with_tombstones.filter(pk__in=customer_ids, merged_into__isnull=False)
    return {pk: str(uuid) for pk, uuid in tombstones.values_list("pk", "merged_into__uuid")}


def _available(customer_ids: list[int], store: Location | None, customers=None) -> dict[int, Customer]:
    """The customers of ``customer_ids`` a till at ``store`` may serve now, by id."""
    query = (customers if customers is not None else Customer.objects).filter(
        pk__in=customer_ids, status__in=VISIBLE_AT_TILL)
    if store is not None:
        query = available_at(store, query)
    return {customer.pk: customer for customer in query}
