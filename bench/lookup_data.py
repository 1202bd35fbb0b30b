"""The Django side of ``make bench-lookup``, run in a child process against the scratch database
(DATABASE_URL). Each command prints one JSON document on stdout; progress goes to stderr.

    python -m bench.lookup_data load CSV ROWS BATCH   -> rows, created, phones dropped, rejections, seconds
    python -m bench.lookup_data token                 -> a cashier's API token at the first store
    python -m bench.lookup_data rebuild               -> the lookup index built from scratch, timed
    python -m bench.lookup_data queries SEED PER_TYPE CREATIONS OUT.json  -> what was drawn (OUT has the queries)
    python -m bench.lookup_data direct QUERIES.json WARMUP  -> each query's latency on the engine alone
    python -m bench.lookup_data explain QUERIES.json TYPE...  -> the slowest query of each type, its SQL and plan
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator

import django

PROGRESS_EVERY = 50_000
STORE_PREFIX = "bench-"  # the token's name


# --- load: the CSV through the bulk path ---------------------------------------------------------

def load(csv_path: str, rows: str, batch: str) -> dict:
    """The first ROWS rows of the CSV through create_customers_in_bulk, BATCH rows per call, as
    the system actor. A row whose only fault is its phone is created again without it."""
    from patron.core.actors import system_actor
    from patron.customers.actions import create_customers_in_bulk

    actor, counts, rejections = system_actor("bench"), Counter(), Counter()
    started = time.perf_counter()
    for chunk in _chunks(_customer_rows(csv_path, int(rows)), int(batch)):
        result = create_customers_in_bulk(actor=actor, rows=chunk)
        retry = [_without_phones(chunk[index]) for index, error in result.rejected.items() if _phone_only(error)]
        rejections.update(_fields(error) for error in result.rejected.values() if not _phone_only(error))
        second = create_customers_in_bulk(actor=actor, rows=retry) if retry else None
        if second:
            rejections.update(_fields(error) for error in second.rejected.values())
        counts.update(rows=len(chunk), created=len(result.created) + len(second.created if second else []),
                      phones_dropped=len(retry) - len(second.rejected if second else []))
        if counts["rows"] % PROGRESS_EVERY < len(chunk):
            _progress(f"    loaded {counts['rows']:,} rows, {counts['rows'] / (time.perf_counter() - started):,.0f}/s")
    return {**counts, "rejected": sum(rejections.values()), "rejections": dict(rejections),
            "seconds": time.perf_counter() - started}


def _customer_rows(csv_path: str, limit: int) -> Iterator[dict]:
    """The generator's columns as create_customers_in_bulk rows."""
    with open(csv_path, newline="", encoding="utf-8") as stream:
        for number, row in enumerate(csv.DictReader(stream)):
            if number >= limit:
                return
            person = row["kind"] == "person"
            values = ({"first_name": row["first_name"], "last_name": row["last_name"]} if person
                      else {"name": row["company_name"]})
            if row["phone"]:
                values["phones"] = [{"kind": "mobile" if person else "work", "number": row["phone"]}]
            if row["email"]:
                values["emails"] = [{"kind": "personal" if person else "work", "address": row["email"]}]
            if row["tax_id"]:
                values.update(tax_id=row["tax_id"], tax_id_country=row["country"])
            address = {"kind": "contact", "line1": row["street"], "city": row["city"],
                       "postal_code": row["postal_code"], "country": row["country"]}
            yield {"kind": row["kind"], "values": values, "addresses": [address]}


def _chunks(items, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _phone_only(error) -> bool:
    return all(field.startswith("phones.") for field in error.errors)


def _without_phones(row: dict) -> dict:
    return {**row, "values": {key: value for key, value in row["values"].items() if key != "phones"}}


def _fields(error) -> str:
    return f"{error.code}: {', '.join(sorted(error.errors))}"


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- the token the clients use -----------------------------------------------------------------------

def token() -> dict:
    from patron.core.actors import system_actor
    from patron.locations.queries import default_location
    from patron.staff.actions import create_api_token

    store = default_location()
    _token, secret = create_api_token(actor=system_actor("bench"), name=f"{STORE_PREFIX}till", role="cashier",
                                      location=store)
    return {"token": secret, "store": store.code}


# --- the index built from scratch --------------------------------------------------------------------

def rebuild() -> dict:
    """Empty every lookup table, then time rebuild_index() (in one transaction, as a restore would
    run it). On PostgreSQL the tables are emptied with TRUNCATE (no dead rows left behind, as in a
    database built from scratch) and vacuumed and analysed afterwards, as autovacuum would."""
    from django.db import connection, transaction

    from patron.customers.search_index import rebuild_index

    tables = ["customers_searchterm", "customers_searchvariant"]
    tables += ["customers_name_fts"] if connection.vendor == "sqlite" else []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{'TRUNCATE' if connection.vendor == 'postgresql' else 'DELETE FROM'} {table}")
    started = time.perf_counter()
    with transaction.atomic():
        customers = rebuild_index()
    seconds = time.perf_counter() - started
    analysed = _analyse()
    with connection.cursor() as cursor:
        counts = {}
        for table in ("customers_searchterm", "customers_searchvariant"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return {"customers": customers, "seconds": seconds, "rows": counts, "analysed": analysed}


def _analyse() -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return True


# --- the queries, drawn from the data ------------------------------------------------------------------

def queries(seed: str, per_type: str, creations: str, out_path: str) -> dict:
    """PER_TYPE queries of each type from customers drawn at random (seeded); the identifying
    types only from customers that the query finds alone in the data. Also CREATIONS bodies for
    POST /customers. Writes {"queries": [...], "creations": [...]} to OUT and returns counts."""
    from django.conf import settings

    from bench.lookup_queries import QUERY_TYPES

    rng = random.Random(int(seed))
    quota = {query_type.key: int(per_type) for query_type in QUERY_TYPES}
    drawn, skipped, creation_bodies = [], Counter(), []
    for customer in _customers_at_random(rng):
        if len(creation_bodies) < int(creations) and customer["kind"] == "person":
            creation_bodies.append(_creation_body(customer, len(creation_bodies)))
        for key in [key for key, left in quota.items() if left]:
            query = _make_query(key, customer, rng, settings.PATRON_PHONE_REGION)
            if query is None:
                continue
            if query.get("target") is False:
                skipped[key] += 1
                continue
            drawn.append({"type": key, "target": None, "note": "", **query})
            quota[key] -= 1
        if not any(quota.values()) and len(creation_bodies) >= int(creations):
            break
    with open(out_path, "w") as out:
        json.dump({"queries": drawn, "creations": creation_bodies}, out)
    return {"drawn": dict(Counter(query["type"] for query in drawn)), "not_identifying": dict(skipped),
            "creations": len(creation_bodies)}


def _customers_at_random(rng: random.Random, chunk: int = 500) -> Iterator[dict]:
    from patron.customers.models import Customer

    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    rng.shuffle(ids)
    for start in range(0, len(ids), chunk):
        wanted = ids[start:start + chunk]
        loaded = Customer.objects.prefetch_related("phones", "emails").in_bulk(wanted)
        for pk in wanted:
            customer = loaded[pk]
            yield {"pk": pk, "uuid": str(customer.uuid), "kind": customer.kind, "first_name": customer.first_name,
                   "last_name": customer.last_name, "name": customer.name, "account_number": customer.account_number,
                   "phones": [phone.e164 for phone in customer.phones.all()],
                   "emails": [email.address for email in customer.emails.all()]}


def _make_query(key: str, customer: dict, rng: random.Random, home_region: str) -> dict | None:
    """{"q", "target"?, "note"?} for one customer; None when it cannot give this type; target
    False when the query would not identify it."""
    from bench import lookup_queries as make
    from patron.core.normalize import email_key

    target = customer["uuid"]
    name = make.full_name(customer)
    if key == "prefix":
        prefix = make.prefix_query(customer, rng)
        return {"q": prefix} if prefix else None
    if key == "name":
        return {"q": name, "target": target if _named_alone(name, customer["pk"]) else False}
    if key == "typo":
        typo = make.typo_query(customer, rng)
        if typo is None:
            return None
        query, kind, misspelt = typo
        alone = _named_alone(name, customer["pk"]) and not _known_word(misspelt)
        return {"q": query, "target": target if alone else False, "note": kind}
    if key == "accents":
        plain = make.without_accents(name)
        if plain == name:
            return None
        return {"q": plain, "target": target if _named_alone(name, customer["pk"]) else False}
    if key.startswith("phone"):
        return _phone_query(key, customer, rng, home_region)
    if key == "account":
        return {"q": customer["account_number"], "target": target}  # account numbers are unique
    if not customer["emails"]:
        return None
    address = customer["emails"][0]
    if key == "email":
        alone = _one_customer("customers_customeremail", "address_key", email_key(address))
        return {"q": address, "target": target if alone else False}
    start = address.split("@")[0]  # email_start
    return {"q": start} if len(start) >= 3 else None


def _phone_query(key: str, customer: dict, rng: random.Random, home_region: str) -> dict | None:
    from bench import lookup_queries as make

    if not customer["phones"]:
        return None
    e164 = customer["phones"][0]
    if key == "phone_last":
        return {"q": make.last_digits(e164, rng)}
    forms = make.phone_forms(e164, home_region)
    typed = {"phone_e164": forms.e164, "phone_intl": forms.international, "phone_national": forms.national,
             "phone_dashes": forms.dashes}[key]
    if typed is None:
        return None
    return {"q": typed, "target": customer["uuid"] if _one_customer("customers_customerphone", "e164", e164)
            else False}


def _named_alone(name: str, pk: int) -> bool:
    """No other customer has every word of ``name`` among its name words (as the index holds them)."""
    from patron.core.normalize import fold

    words = sorted(set(re.findall(r"[^\W_]+", fold(name))))
    if not words:
        return False
    sql = " INTERSECT ".join(["SELECT customer_id FROM customers_searchterm WHERE term = %s"] * len(words))
    return [row[0] for row in _fetch(f"{sql} LIMIT 2", words)] == [pk]


def _known_word(word: str) -> bool:
    """A misspelling that is some customer's real name word is no typo."""
    from patron.core.normalize import fold

    return bool(_fetch("SELECT 1 FROM customers_searchterm WHERE term = %s LIMIT 1", [fold(word)]))


def _one_customer(table: str, column: str, value: str) -> bool:
    return len(_fetch(f"SELECT DISTINCT customer_id FROM {table} WHERE {column} = %s LIMIT 2", [value])) == 1


def _fetch(sql: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _creation_body(person: dict, number: int) -> dict:
    """A new person named like a drawn one (most new customers' name words are indexed already)."""
    body = {"kind": "person", "first_name": person["first_name"], "last_name": person["last_name"],
            "emails": [{"address": f"bench.new{number}@example.org"}]}
    if person["phones"]:
        body["phones"] = [{"number": person["phones"][0]}]
    return body


# --- the engine alone: the floor without a web layer ---------------------------------------------------

def direct(queries_path: str, warmup: str) -> dict:
    """Each query through patron.lookup.engine.Engine over the driver's cursor the server uses, with the
    till scope of the token's store (as GET /lookup?scope=till): latency per query, in order."""
    from django.db import connection

    from patron.core.db import hot_cursor
    from patron.lookup.engine import Engine

    drawn, scope = _load_queries(queries_path), _till_scope()
    with hot_cursor() as wrapped:
        engine = Engine(wrapped.cursor, connection.vendor)  # the cursor the server's lookups use, unwrapped
        for query in drawn[:int(warmup)]:
            engine.find(query["q"], scope)
        latencies = []
        for query in drawn:
            clock = time.perf_counter()
            engine.find(query["q"], scope)
            latencies.append(time.perf_counter() - clock)
    return {"latencies": latencies}


def _till_scope():
    from patron.locations.models import Location
    from patron.lookup.queries import scope_for
    from patron.staff.models import ApiToken

    store = ApiToken.objects.filter(name=f"{STORE_PREFIX}till").values_list("location", flat=True).first()
    return scope_for(store=Location.objects.get(pk=store), include_inactive=False)


def _load_queries(path: str) -> list[dict]:
    with open(path) as stream:
        return json.load(stream)["queries"]


# --- where the time goes ----------------------------------------------------------------------------------

class RecordingCursor:
    """A cursor that notes each statement, its parameters and its time."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.statements: list[dict] = []

    def execute(self, sql: str, params=()):
        clock = time.perf_counter()
        result = self.cursor.execute(sql, params)
        rows = self.cursor.fetchall() if self.cursor.description is not None else []  # a SET has no rows
        self.statements.append({"sql": sql, "params": list(params), "ms": (time.perf_counter() - clock) * 1000})
        self._rows = rows
        return result

    def fetchall(self):
        return self._rows


def explain(queries_path: str, *types: str) -> dict:
    """For each type: its slowest query on the engine alone, every statement it ran with its time,
    and the plan of the slowest statement (EXPLAIN QUERY PLAN, or EXPLAIN (ANALYZE, BUFFERS))."""
    from django.db import connection

    drawn, scope = _load_queries(queries_path), _till_scope()
    connection.ensure_connection()
    found = {}
    for query_type in types:
        slowest = None
        for query in (query for query in drawn if query["type"] == query_type):
            runs = [_recorded(query["q"], scope) for _ in range(2)]  # the faster of two: less noise
            fastest = min(runs, key=lambda run: run["ms"])
            if slowest is None or fastest["ms"] > slowest["ms"]:
                slowest = fastest
        if slowest:
            statement = max(slowest["statements"], key=lambda item: item["ms"])
            slowest["plan"] = _plan(statement["sql"], statement["params"])
            found[query_type] = slowest
    return found


def _recorded(query: str, scope) -> dict:
    from django.db import connection

    from patron.core.db import hot_cursor
    from patron.lookup.engine import Engine

    with hot_cursor() as wrapped:
        cursor = RecordingCursor(wrapped.cursor)
        clock = time.perf_counter()
        Engine(cursor, connection.vendor).find(query, scope)
    return {"q": query, "ms": (time.perf_counter() - clock) * 1000, "statements": cursor.statements}


def _plan(sql: str, params: list) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    rows = _fetch(prefix + sql, params)
    return [" | ".join(str(cell) for cell in row) for row in rows]


COMMANDS = {"load": load, "token": token, "rebuild": rebuild, "queries": queries, "direct": direct,
            "explain": explain}


def main(argv: list[str]) -> None:
    command, arguments = argv[0], argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    json.dump(COMMANDS[command](*arguments), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
