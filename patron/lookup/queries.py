"""Finding customers: one lookup for the till, the API and the back-office list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from patron.core.errors import ValidationFailed
from patron.customers.models import Customer
from patron.locations.models import Location
from patron.locations.queries import groups_covering
from patron.lookup.engine import QUERY_MAX, Engine, Hit, QueryTooLong, Scope

LIMIT_MAX = 100


@dataclass(frozen=True)
class Found:
    customer: Customer
    rank: int
    matched_on: str


def scope_for(*, store: Location | None, include_inactive: bool) -> Scope:
    """At the till (a store given): customers it may serve there; in the back office: any,
    leaving out inactive and deleted ones unless asked for."""
    group_ids = tuple(groups_covering(store).values_list("pk", flat=True)) if store is not None else None
    return Scope(till=not include_inactive, group_ids=group_ids)


def find_hits(query: str, scope: Scope, limit: int = 20) -> list[Hit]:
    if not 1 <= limit <= LIMIT_MAX:
        raise ValidationFailed(f"Ask for 1 to {LIMIT_MAX} results.", field="limit")
    try:
        with connection.cursor() as cursor:
            return Engine(cursor, connection.vendor).find(query, scope, limit)
    except QueryTooLong:
        raise ValidationFailed(f"Type at most {QUERY_MAX} characters.", field="q", code="query-too-long") from None


def lookup_customers(query: str, *, store: Location | None = None, include_inactive: bool = False,
                     limit: int = 20, customers=None) -> list[Found]:
    """Customers matching ``query``, best first, each with what matched. ``customers`` may be a
    queryset to load them from (e.g. with what a page shows prefetched)."""
    hits = find_hits(query, scope_for(store=store, include_inactive=include_inactive), limit)
    loaded = (customers if customers is not None else Customer.objects).in_bulk([hit.customer_id for hit in hits])
    return [Found(loaded[hit.customer_id], hit.rank, hit.matched_on) for hit in hits if hit.customer_id in loaded]
