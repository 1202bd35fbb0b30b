"""Finding customers: one lookup for the till, the API and the back-office list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from patron.core.db import PlainRead, hot_cursor
from patron.core.errors import ValidationFailed
from patron.customers import rules
from patron.customers.models import Customer, PriceLevel
from patron.customers.queries import CustomerFilter, contact_point_columns, contact_points_of, filter_customers
from patron.customers.regions import phone_region
from patron.locations.models import Location
from patron.locations.queries import covering_groups_select
from patron.lookup.engine import QUERY_MAX, Engine, Hit, QueryTooLong, Scope, WordCounts, one_of
from patron.ops.metrics import LOOKUP_SECONDS

LIMIT_MAX = 100
# How many of the best matches a filtered list (the back office's, the API's) ranks before its other
# filters apply: a search that matches more than a few hundred customers is refined, not paged through.
CANDIDATES = 300
WORD_COUNTS = WordCounts()  # per process; a count only guides the order of the work


@dataclass(frozen=True)
class Found:
    customer: Customer
    rank: int
    matched_on: str


def scope_for(*, store: Location | None, include_inactive: bool, caller: Location | None = None) -> Scope:
    """At the till (a store given): customers it may serve there; in the back office: any,
    leaving out inactive and deleted ones unless asked for. A national phone number typed is
    read in the country of the calling store (``caller``, else ``store``; see customers.regions)."""
    return Scope(till=not include_inactive, groups=covering_groups_select(store.pk) if store is not None else None,
                 region=typed_phone_region(caller or store))


def typed_phone_region(calling: Location | None) -> str:
    """The country a national phone number typed at ``calling`` (a store, or none) is read in."""
    return phone_region("", calling.effective_country if calling is not None else "")


def find_hits(query: str, scope: Scope, limit: int = 20) -> list[Hit]:
    _check_limit(limit)
    return _ranked(query, scope, limit)[0]


def find_till_page(query: str, scope: Scope, limit: int = 20) -> tuple[list[Hit], dict[int, dict]]:
    """The hits, and the till's record of each (``till_records``): on PostgreSQL the lookup's own
    statements return most of the records (a round trip a keystroke saved); the rest are read after."""
    _check_limit(limit)
    hits, shown = _ranked(query, scope, limit, shown=_TILL_READ.select())
    hits = _survivors_for_tombstones(hits)
    picked = {hit.customer_id for hit in hits}
    carried = [values for customer_id, values in shown.items() if customer_id in picked]
    records = {row["id"]: _till_record(row) for row in _TILL_READ.converted(carried)}
    records.update(till_records([customer_id for customer_id in picked if customer_id not in records]))
    return hits, records


_KEPT_BY_TOMBSTONES = {"account number", "tax ID"}  # what a merged record still has (engine._identifiers)


def _survivors_for_tombstones(hits: list[Hit]) -> list[Hit]:
    """A merged record (a tombstone, patron/merging) found by its old account number or tax ID
    stands for its survivor: the hit goes to the survivor (once). Name words and contact points
    of a tombstone leave it at the merge, so only these exact tiers can find one."""
    if not any(hit.matched_on in _KEPT_BY_TOMBSTONES for hit in hits):
        return hits  # no statement when no hit can be a tombstone: the lookup's hot path stays as it was
    merged = dict(Customer.with_tombstones.filter(pk__in=[hit.customer_id for hit in hits])
                  .exclude(merged_into=None).values_list("pk", "merged_into_id"))
    if not merged:
        return hits
    followed, seen = [], set()
    for hit in hits:
        customer_id = merged.get(hit.customer_id, hit.customer_id)
        while customer_id in merged:  # a survivor merged again since
            customer_id = merged[customer_id]
        if customer_id not in seen:
            seen.add(customer_id)
            followed.append(replace(hit, customer_id=customer_id))
    return followed


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= LIMIT_MAX:
        raise ValidationFailed(_("Ask for 1 to %(limit_max)s results.") % {"limit_max": LIMIT_MAX}, field="limit")


def lookup_customers(query: str, *, store: Location | None = None, include_inactive: bool = False,
                     limit: int = 20, customers=None, caller: Location | None = None) -> list[Found]:
    """Customers matching ``query``, best first, each with what matched. ``customers`` may be a
    queryset to load them from (e.g. with what a page shows prefetched)."""
    hits = find_hits(query, scope_for(store=store, include_inactive=include_inactive, caller=caller), limit)
    return load_found(hits, customers)


def search_customers(query: CustomerFilter, *, limit: int = CANDIDATES, caller: Location | None = None) -> list[Hit]:
    """A customer list's search (``query.search``): the lookup ranks up to ``limit`` candidates,
    then the list's other filters keep some of them, in the lookup's order (rank, then name).
    Candidates come from the till-visible statuses unless the filter asks for others; only an
    explicit ``available_at`` restricts them to a store."""
    scope = scope_for(store=query.available_at, include_inactive=not _till_statuses_only(query), caller=caller)
    hits = _survivors_for_tombstones(_ranked(query.search, scope, limit)[0])
    others = filter_customers(replace(query, search="")).filter(pk__in=[hit.customer_id for hit in hits])
    kept = set(others.values_list("pk", flat=True))
    return [hit for hit in hits if hit.customer_id in kept]


def load_found(hits: Sequence[Hit], customers=None) -> list[Found]:
    """The customers of ``hits`` in their order, loaded from ``customers`` (a queryset, e.g. with
    what a page shows prefetched; those it leaves out are left out)."""
    loaded = (customers if customers is not None else Customer.objects).in_bulk([hit.customer_id for hit in hits])
    return [Found(loaded[hit.customer_id], hit.rank, hit.matched_on) for hit in hits if hit.customer_id in loaded]


# What a till shows, selects and looks up offline (GET /lookup, GET /changes).
TILL_COLUMNS = ("id", "uuid", "kind", "account_number", "name", "first_name", "name_prefix", "last_name",
                "sort_name", "status", "birth_date", "tax_id", "is_tax_exempt", "price_level__code", "default_discount",
                "always_formal_invoice", "photo", "photo_version", "version", "updated_at")


def till_records(customer_ids: Sequence[int]) -> dict[int, dict]:
    """The till's columns of these customers by id, with their phones and e-mails, as plain
    values, in one statement: a till reads a page of them on every keystroke, and model objects
    (or a second statement for the phones and e-mails) would cost more than the lookup itself."""
    if not customer_ids:
        return {}
    rows = _TILL_READ.rows(*one_of("c.id", customer_ids, connection.vendor, "bigint"))
    return {row["id"]: _till_record(row) for row in rows}


def _till_record(row: dict) -> dict:
    contact_points_of(row)
    return row


_TILL_READ = PlainRead(
    [("price_level__code", PriceLevel, "code", "pl") if name == "price_level__code" else (name, Customer, name, "c")
     for name in TILL_COLUMNS],
    f"{Customer._meta.db_table} c LEFT JOIN {PriceLevel._meta.db_table} pl ON pl.id = c.price_level_id",
    computed=lambda vendor: contact_point_columns(vendor, "c.id"))


def annotated(hits: Sequence[Hit], customers=None) -> list[Customer]:
    """Like ``load_found``, but the customers themselves, each carrying ``rank`` and ``matched_on``
    as a queryset annotation would: for lists that render customers, searched or not."""
    found = load_found(hits, customers)
    for item in found:
        item.customer.rank, item.customer.matched_on = item.rank, item.matched_on
    return [item.customer for item in found]


def _till_statuses_only(query: CustomerFilter) -> bool:
    if query.till_only:
        return True
    return bool(query.statuses) and set(query.statuses) <= rules.VISIBLE_AT_TILL


def _ranked(query: str, scope: Scope, limit: int, shown: str | None = None) -> tuple[list[Hit], dict[int, tuple]]:
    try:
        with LOOKUP_SECONDS.labels("till" if shown else "search").time(), hot_cursor() as cursor:
            engine = Engine(cursor, connection.vendor, WORD_COUNTS)
            try:
                return engine.find(query, scope, limit, shown), engine.shown
            finally:
                _restore(engine)
    except QueryTooLong:
        raise ValidationFailed(_("Type at most %(query_max)s characters.") % {
            "query_max": QUERY_MAX}, field="q", code="query-too-long") from None


def _restore(engine: Engine) -> None:
    """Put the planner's settings back for the rest of the request (the connection lives on)."""
    try:
        engine.restore()
    except DatabaseError:  # a failed transaction: it ends with the request, the setting with the connection
        pass
