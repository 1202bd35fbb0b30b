"""Reading customers: one filter for the web list, the API list and the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext

from patron.core.errors import NotFound
from patron.core.models import AuditEvent
from patron.core.replicas import read_connection
from patron.customers import rules
from patron.customers.models import (
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    PriceLevel,
    Representation,
    Tag,
)
from patron.locations.models import Location

SEARCH_MAX = 200
SORTS = {
    "name": ("sort_name", "id"),
    "-name": ("-sort_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "purchases": ("total_purchases", "id"),
    "-purchases": ("-total_purchases", "-id"),
}


@dataclass(frozen=True)
class CustomerFilter:
    """What a customer list asks for. Every field is optional."""

    search: str = ""  # searched by the lookup app (patron.lookup.queries.search_customers)
    statuses: tuple[str, ...] = ()
    kind: str = ""
    location: Location | None = None  # home location
    available_at: Location | None = None  # only customers whose groups cover this store
    tag: str = ""
    till_only: bool = False  # leave out customers the till must not show (inactive, deleted)
    sort: str = "name"
    among: QuerySet[Customer] | None = None  # only these customers (e.g. the ones a segment keeps)


def _not_found() -> NotFound:
    return NotFound(gettext("No such customer."), code="customer-not-found")


def survivor_uuid(uuid):
    """The uuid a customer id stands for now: its own, or, for a merged record (a tombstone), the
    survivor's it was merged into (following merges of merges). Every door reads customers by id
    through here, so an old id in a request, a sale, a charge or a webshop delivery lands on the
    survivor."""
    try:
        row = Customer.with_tombstones.filter(uuid=uuid).values_list("uuid", "merged_into_id").first()
    except (ValueError, TypeError, ValidationError):
        raise _not_found() from None
    if row is None:
        raise _not_found()
    found, merged_into = row
    while merged_into is not None:
        found, merged_into = Customer.with_tombstones.filter(pk=merged_into).values_list(
            "uuid", "merged_into_id").get()
    return found


def get_customer(uuid) -> Customer:
    try:
        return Customer.objects.select_related("price_level", "home_location").get(uuid=survivor_uuid(uuid))
    except (Customer.DoesNotExist, ValueError, TypeError, ValidationError):
        raise _not_found() from None


def filter_customers(query: CustomerFilter) -> QuerySet[Customer]:
    """The list without a search term. A search goes through the lookup (it ranks and says what
    matched): ``patron.lookup.queries.search_customers``, which applies these filters too."""
    if query.search.strip():
        raise ValueError("filter_customers does not search: use patron.lookup.queries.search_customers")
    customers = Customer.objects.select_related("price_level", "home_location")
    if query.statuses:
        customers = customers.filter(status__in=query.statuses)
    if query.till_only:
        customers = customers.filter(status__in=rules.VISIBLE_AT_TILL)
    if query.kind:
        customers = customers.filter(kind=query.kind)
    if query.location is not None:
        customers = customers.filter(home_location=query.location)
    if query.available_at is not None:
        customers = rules.available_at(query.available_at, customers)
    if query.tag:
        customers = customers.filter(tags__name__iexact=query.tag)
    if query.among is not None:
        customers = customers.filter(pk__in=query.among.values("pk"))
    return customers.order_by(*SORTS.get(query.sort, SORTS["name"]))


# What only comes after a customer is created (creation takes none of them): its contacts, and the
# people who represent it or the companies it represents.
ADDED_LATER = {
    "contacts": Contact.objects.order_by("-is_active", "last_name", "first_name"),
    "representations": Representation.objects.select_related("person"),
    "companies_represented": Representation.objects.select_related("company"),
}


def with_details(customers: QuerySet[Customer], *, just_created: bool = False) -> QuerySet[Customer]:
    """Load everything a customer page or API body shows in a fixed number of queries, however
    many customers (lists stay free of N+1). Customers ``just_created`` have nothing of
    ADDED_LATER: it is prefetched as empty, without a query (three of the nine a creation's answer
    read)."""
    later = [Prefetch(name, queryset=queryset.none() if just_created else queryset)
             for name, queryset in ADDED_LATER.items()]
    return customers.select_related("price_level", "home_location").prefetch_related(
        "phones", "emails", "addresses", "tags", "location_groups", *later)


def customer_detail(uuid, *, just_created: bool = False) -> Customer:
    """A customer with everything its page or API body shows, in a fixed number of queries."""
    try:
        return with_details(Customer.objects.all(), just_created=just_created).get(uuid=survivor_uuid(uuid))
    except (Customer.DoesNotExist, ValueError, TypeError, ValidationError):
        raise _not_found() from None


def find_customer(reference: str) -> Customer:
    """A customer, with everything ``customer_detail`` loads, by account number (ignoring case and
    surrounding space) or by UUID: what staff type at the till or on the command line. A merged
    record's account number or id finds the survivor."""
    reference = (reference or "").strip()
    uuid = (Customer.with_tombstones.annotate(key=Lower("account_number")).filter(key=reference.lower())
            .values_list("uuid", flat=True).first())
    try:
        return customer_detail(uuid or reference)
    except NotFound:
        raise NotFound(gettext("No customer has the account number or id “%(reference)s”.") % {"reference": reference},
                       code="customer-not-found") from None


def audit_trail(customer: Customer) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(customer_uuid=customer.uuid)


def price_levels_with_counts() -> QuerySet[PriceLevel]:
    """Price levels with ``customer_count``, for the settings page (a level in use cannot go)."""
    return PriceLevel.objects.annotate(customer_count=Count("customers"))


def tags_with_counts() -> QuerySet[Tag]:
    """Tags with ``customer_count``, for the settings page."""
    return Tag.objects.annotate(customer_count=Count("customers"))


CONTACT_POINTS = (("phones", CustomerPhone._meta.db_table, ("kind", "number", "e164")),
                  ("emails", CustomerEmail._meta.db_table, ("kind", "address")))


def contact_point_columns(vendor: str, customer_id: str) -> list[tuple[str, str]]:
    """(key, SQL expression) per kind of contact point: the customer's points, in their order, as
    JSON text (an array of arrays of their columns), so that a page of customers and their phones
    and e-mails is one statement; ``contact_points_of`` reads them back. Text, because psycopg's
    own JSON decoding took longer than the rest of the row."""
    expressions = []
    for key, table, columns in CONTACT_POINTS:
        points = f"FROM {table} WHERE customer_id = {customer_id}"
        if vendor == "postgresql":
            expression = (f"(SELECT coalesce(json_agg(json_build_array({', '.join(columns)}) ORDER BY position, id), "
                          f"'[]')::text {points})")
        else:  # SQLite (before 3.44) aggregates in the order its subquery gives
            expression = (f"(SELECT json_group_array(json_array({', '.join(columns)})) FROM "
                          f"(SELECT {', '.join(columns)} {points} ORDER BY position, id))")
        expressions.append((key, expression))
    return expressions


def contact_points_of(record: dict) -> None:
    """Turn the JSON of ``contact_point_columns`` in a record into lists of dicts, in place."""
    for key, _, columns in CONTACT_POINTS:
        record[key] = [dict(zip(columns, point, strict=True)) for point in json.loads(record[key])]


def add_contact_points(records: dict[int, dict]) -> None:
    """Append each customer's phones and e-mails, in their order, as plain values to its record
    (customer id -> a dict with "phones" and "emails" lists): one plain query, however many
    customers, for an export's chunk (a till's page reads them as ``contact_point_columns``)."""
    ids = sorted(records)
    if not ids:
        return
    if ids[-1] - ids[0] < 4 * len(ids):  # close together (an export's chunk): a range, not thousands of ids
        where, params = "customer_id BETWEEN %s AND %s", [ids[0], ids[-1]]
    else:
        where, params = f"customer_id IN ({', '.join(['%s'] * len(ids))})", ids
    width = max(len(columns) for _, _, columns in CONTACT_POINTS)
    selects = [f"SELECT {kind} AS kind_of_point, customer_id, {', '.join(columns)}{', NULL' * (width - len(columns))}, "
               f"position, id FROM {table} WHERE {where}" for kind, (_, table, columns) in enumerate(CONTACT_POINTS)]
    # not prepared: an export's chunks run once, with lists of any length
    with read_connection().cursor() as cursor:
        cursor.execute(f"{' UNION ALL '.join(selects)} ORDER BY kind_of_point, position, id",
                       params * len(CONTACT_POINTS))
        for kind, customer_id, *values in cursor.fetchall():
            if customer_id in records:
                key, _, columns = CONTACT_POINTS[kind]
                records[customer_id][key].append(dict(zip(columns, values, strict=False)))
