"""Keeping the lookup index current: the actions call ``index_customers`` in the same transaction
as the change, so the very next lookup finds a customer by its new data and not by its old.

What is indexed for each customer (the lookup app queries it; see patron/lookup/engine.py):
- ``SearchTerm``: every folded word of the name (first and last name, company or placeholder
  name; "Schmidt-Berg" also as "schmidtberg"), with the customer's sort key and till visibility;
- ``SearchVariant``: each such word of five letters or more with its one-letter-short spellings,
  for typo tolerance;
- the substring search: on SQLite the folded name goes into ``customers_name_fts``, an FTS5
  table with the trigram tokenizer (rowid = customer id); PostgreSQL needs no upkeep, its pg_trgm
  GIN index covers ``customers_customer.sort_name`` (migration 0005);
- phones (``digits_reversed``), e-mails (``address_key``), account numbers and tax IDs are
  indexed on their own tables and need no upkeep here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection, transaction

from patron.core.db import refresh_statistics
from patron.core.normalize import fold
from patron.customers import rules
from patron.customers.models import Customer, CustomerEmail, CustomerPhone, SearchTerm, SearchVariant
from patron.customers.names import PERSON_NAME_PARTS, name_parts, person_name

TYPO_MIN_LENGTH = 5
_WORD = re.compile(r"[^\W_]+")
_JOINERS = re.compile(r"[-'’.]")


def name_text(customer: Customer) -> str:
    """The folded name the substring search looks in."""
    return fold(person_name(name_parts(customer)) if customer.is_person else customer.name)


def words(text: str) -> list[str]:
    """Folded words of a text, plus hyphenated or apostrophed names written as one word."""
    folded = fold(text)
    found = _WORD.findall(folded)
    joined = [_JOINERS.sub("", chunk) for chunk in folded.split() if _JOINERS.search(chunk)]
    return list(dict.fromkeys(found + [word for word in joined if word.isalnum()]))


def variants(term: str) -> set[str]:
    """The term and, for words long enough to forgive a typo, its spellings one letter short."""
    if len(term) < TYPO_MIN_LENGTH:
        return {term}
    return {term} | {term[:i] + term[i + 1:] for i in range(len(term))}


def index_customers(customers: Iterable[Customer], *, new: bool = False) -> None:
    """(Re)write the index rows of these customers (``new``: just created, so there is nothing
    to replace). Call inside the changing transaction."""
    customers = list(customers)
    if not customers:
        return
    with connection.cursor() as cursor:
        if not new:
            ids = [customer.pk for customer in customers]
            for chunk in _chunks(ids, 500):
                cursor.execute(f"DELETE FROM customers_searchterm WHERE customer_id IN ({_marks(chunk)})", chunk)
        for customer in customers:
            if customer.merged_into_id is not None:  # a merged record (a tombstone) is never found by name
                unindex_customer(customer.pk)
        _write_index(cursor, [customer for customer in customers if customer.merged_into_id is None],
                     replace=not new)


def _write_index(cursor, customers: list[Customer], *, replace: bool) -> None:
    rows = [(customer.pk, term[:100], customer.sort_name, customer.status in rules.VISIBLE_AT_TILL)
            for customer in customers for term in words(name_text(customer))]
    _insert(cursor, "customers_searchterm", {"customer_id": "bigint", "term": "text", "sort_key": "text",
                                             "at_till": "boolean"}, rows)
    _add_variants(cursor, {row[1] for row in rows})
    if connection.vendor == "sqlite":
        fts_rows = [(customer.pk, customer.sort_name) for customer in customers]
        if replace:
            cursor.executemany("DELETE FROM customers_name_fts WHERE rowid = %s", [(pk,) for pk, _ in fts_rows])
        cursor.executemany("INSERT INTO customers_name_fts (rowid, name) VALUES (%s, %s)", fts_rows)


def forget_unused_words(words: set[str]) -> None:
    """The typo index keeps the spellings of every name word ever seen: drop those of ``words``
    (an erased name's) that no customer's name uses any more."""
    unused = set(words) - set(SearchTerm.objects.filter(term__in=words).values_list("term", flat=True))
    if unused:
        SearchVariant.objects.filter(term__in=unused).delete()


def unindex_customer(customer_id: int) -> None:
    """Forget a deleted customer (its SearchTerm rows go with it by cascade)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM customers_name_fts WHERE rowid = %s", [customer_id])


def _add_variants(cursor, terms: set[str]) -> None:
    """Remember the spellings of words not seen before (a word is stored as its own variant)."""
    new = set(terms)
    for chunk in _chunks(sorted(terms), 500):
        cursor.execute(f"SELECT term FROM customers_searchvariant WHERE variant IN ({_marks(chunk)}) "
                       "AND variant = term", chunk)
        new -= {term for (term,) in cursor.fetchall()}
    _insert(cursor, "customers_searchvariant", {"variant": "text", "term": "text"},
            [(variant, term) for term in sorted(new) for variant in sorted(variants(term))], "ON CONFLICT DO NOTHING")


def _insert(cursor, table: str, columns: dict[str, str], rows: list[tuple], suffix: str = "") -> None:
    """Insert many rows: on PostgreSQL as one statement over arrays (a statement per row, even
    pipelined, makes building the index for a million customers take many minutes); on SQLite
    with executemany, which loops in C within the process."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{sql_type}[]" for sql_type in columns.values())
        for chunk in _chunks(rows, 10_000):
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}",
                           [list(column) for column in zip(*chunk, strict=True)])
    else:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({_marks(columns)}) {suffix}", rows)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


@transaction.atomic
def rebuild_index(batch_size: int = 5000) -> int:
    """Build the whole index from the customers table (after a bulk load or a restore), in one
    transaction. On PostgreSQL customers are locked against changes meanwhile (reads go on): an
    edit waiting for the rebuild would otherwise miss the rows it inserted and leave old words
    behind. (SQLite's write lock already keeps writers out.)"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE customers_customer IN SHARE MODE")
        cursor.execute("DELETE FROM customers_searchterm")
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM customers_name_fts")
        count, last_pk = 0, 0
        while True:
            batch = list(Customer.objects.filter(pk__gt=last_pk).order_by("pk")
                         .only("pk", "kind", *PERSON_NAME_PARTS, "name", "sort_name", "status")[:batch_size])
            if not batch:
                refresh_lookup_statistics()
                return count
            _write_index(cursor, batch, replace=False)
            count += len(batch)
            last_pk = batch[-1].pk


def refresh_lookup_statistics() -> None:
    """Fresh statistics for the tables the lookup reads (after a rebuild or a large import)."""
    refresh_statistics([Customer, CustomerPhone, CustomerEmail, SearchTerm, SearchVariant,
                        Customer.location_groups.through])
