"""The reference till cache: a local SQLite copy of the customers a till may serve, kept current by
following the change feed (GET /api/v1/changes), and answering lookups offline with the very same
engine and matching rules as the server.

The file holds the engine's tables (customers_customer, customers_customerphone,
customers_customeremail, customers_searchterm, customers_searchvariant, customers_name_fts) with
just the columns the engine reads, plus the whole customer as the feed sent it (``data``, JSON).
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from patron.core.normalize import phone_digits
from patron.customers.names import person_name
from patron.customers.search_index import variants, words
from patron.lookup.engine import Engine, Scope

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers_customer (
    id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, account_number TEXT NOT NULL,
    sort_name TEXT NOT NULL, status TEXT NOT NULL, tax_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cache_account ON customers_customer (lower(account_number));
CREATE INDEX IF NOT EXISTS cache_tax_id ON customers_customer (tax_id);
CREATE TABLE IF NOT EXISTS customers_customerphone (customer_id INTEGER NOT NULL, e164 TEXT NOT NULL,
    digits_reversed TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cache_phone ON customers_customerphone (e164);
CREATE INDEX IF NOT EXISTS cache_phone_tail ON customers_customerphone (digits_reversed);
CREATE INDEX IF NOT EXISTS cache_phone_owner ON customers_customerphone (customer_id);
CREATE TABLE IF NOT EXISTS customers_customeremail (customer_id INTEGER NOT NULL, address_key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cache_email ON customers_customeremail (address_key);
CREATE INDEX IF NOT EXISTS cache_email_owner ON customers_customeremail (customer_id);
CREATE TABLE IF NOT EXISTS customers_searchterm (customer_id INTEGER NOT NULL, term TEXT NOT NULL,
    sort_key TEXT NOT NULL, at_till INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS cache_term_walk ON customers_searchterm (term, sort_key);
CREATE INDEX IF NOT EXISTS cache_term_owner ON customers_searchterm (customer_id, term);
CREATE TABLE IF NOT EXISTS customers_searchvariant (variant TEXT NOT NULL, term TEXT NOT NULL,
    UNIQUE (variant, term));
CREATE VIRTUAL TABLE IF NOT EXISTS customers_name_fts USING fts5(name, tokenize='trigram');
CREATE TABLE IF NOT EXISTS cache_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def is_till_cache(path: str | Path) -> bool:
    """Whether ``path`` is a till cache this class made (so no other SQLite file, such as the
    server's own database, is ever written to as one)."""
    try:
        with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as connection:
            return connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'cache_state'").fetchone() is not None
    except sqlite3.Error:
        return False


class _Cursor:
    """sqlite3 takes ? placeholders; the engine writes %s (as Django's cursor does)."""

    def __init__(self, cursor: sqlite3.Cursor):
        self.cursor = cursor

    def execute(self, sql: str, params=()):
        return self.cursor.execute(sql.replace("%s", "?"), params)

    def executemany(self, sql: str, rows):
        return self.cursor.executemany(sql.replace("%s", "?"), rows)

    def fetchall(self):
        return self.cursor.fetchall()


@dataclass(frozen=True)
class SyncResult:
    upserts: int
    removals: int
    pages: int
    customers: int


class TillCache:
    def __init__(self, path: str | Path):
        self.connection = sqlite3.connect(path)
        self.connection.executescript(SCHEMA)

    def close(self) -> None:
        self.connection.close()

    # --- following the feed --------------------------------------------------------------------

    def sync(self, base_url: str, token: str, *, page_size: int = 500) -> SyncResult:
        """Follow the feed from where the last sync stopped until it is exhausted."""
        upserts = removals = pages = 0
        while True:
            page = _fetch(base_url, token, self._state("cursor"), page_size)
            with self.connection:  # one transaction per page: a crash loses at most a page, never half
                for item in page["items"]:
                    if item["op"] == "upsert":
                        self.apply_upsert(item["customer"])
                        upserts += 1
                    else:
                        self.apply_removal(item["id"])
                        removals += 1
                self._set_state("cursor", page["next_cursor"])
                self._set_state("phone_region", page.get("phone_region") or "")
            pages += 1
            if not page["has_more"]:
                return SyncResult(upserts, removals, pages, self.count())

    def apply_upsert(self, customer: dict) -> None:
        self.apply_removal(customer["id"])
        cursor = self.connection.cursor()
        cursor.execute("INSERT INTO customers_customer (uuid, account_number, sort_name, status, tax_id, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (customer["id"], customer["account_number"], customer["sort_name"], customer["status"],
                        customer.get("tax_id") or "", json.dumps(customer)))
        local_id = cursor.lastrowid
        cursor.executemany("INSERT INTO customers_customerphone VALUES (?, ?, ?)",
                           [(local_id, phone["e164"], phone_digits(phone["e164"])[::-1])
                            for phone in customer.get("phones", [])])
        cursor.executemany("INSERT INTO customers_customeremail VALUES (?, ?)",
                           [(local_id, email["address"].lower()) for email in customer.get("emails", [])])
        name = person_name(customer) if customer["kind"] == "person" else customer["name"]
        terms = words(name)
        cursor.executemany("INSERT INTO customers_searchterm VALUES (?, ?, ?, 1)",
                           [(local_id, term[:100], customer["sort_name"]) for term in terms])
        cursor.executemany("INSERT OR IGNORE INTO customers_searchvariant VALUES (?, ?)",
                           [(variant, term) for term in terms for variant in variants(term)])
        cursor.execute("INSERT INTO customers_name_fts (rowid, name) VALUES (?, ?)", (local_id, customer["sort_name"]))

    def apply_removal(self, uuid: str) -> None:
        cursor = self.connection.cursor()
        row = cursor.execute("SELECT id FROM customers_customer WHERE uuid = ?", (uuid,)).fetchone()
        if row is None:
            return
        for table in ("customers_customerphone", "customers_customeremail", "customers_searchterm"):
            cursor.execute(f"DELETE FROM {table} WHERE customer_id = ?", row)
        cursor.execute("DELETE FROM customers_name_fts WHERE rowid = ?", row)
        cursor.execute("DELETE FROM customers_customer WHERE id = ?", row)

    # --- offline lookups ------------------------------------------------------------------------

    def lookup(self, query: str, limit: int = 20) -> list[dict]:
        """Customers matching ``query`` by the server's rules, best first, with what matched."""
        with closing(self.connection.cursor()) as cursor:
            # A national number is read in the till's store's country, as the server reads it.
            scope = Scope(till=True, region=self._state("phone_region") or "")
            hits = Engine(_Cursor(cursor), "sqlite").find(query, scope, limit)
            found = []
            for hit in hits:
                (data,) = cursor.execute("SELECT data FROM customers_customer WHERE id = ?",
                                         (hit.customer_id,)).fetchone()
                found.append({**json.loads(data), "matched_on": hit.matched_on, "rank": hit.rank})
            return found

    def count(self) -> int:
        return self.connection.execute("SELECT count(*) FROM customers_customer").fetchone()[0]

    def uuids(self) -> set[str]:
        return {uuid for (uuid,) in self.connection.execute("SELECT uuid FROM customers_customer")}

    def _state(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM cache_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_state(self, key: str, value: str) -> None:
        self.connection.execute("INSERT INTO cache_state VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                                "excluded.value", (key, value))


class SyncFailed(Exception):
    """The feed could not be read (server unreachable, request refused, not a feed); what was
    synced before stays."""


_PAGE_KEYS = {"items", "next_cursor", "has_more"}


def _fetch(base_url: str, token: str, cursor: str | None, page_size: int) -> dict:
    query = {"limit": page_size} | ({"after": cursor} if cursor else {})
    url = f"{base_url.rstrip('/')}/api/v1/changes?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.load(response)
    except urllib.error.HTTPError as error:
        raise SyncFailed(f"The server refused the feed request: {error.code} {_detail(error)}") from None
    except OSError as error:  # unreachable, refused, timed out (URLError is an OSError)
        raise SyncFailed(f"Cannot reach {base_url}: {getattr(error, 'reason', error)}") from None
    except ValueError:  # not JSON
        page = None
    if not isinstance(page, dict) or not _PAGE_KEYS.issubset(page):
        raise SyncFailed(f"{url} did not answer with a page of the change feed: is it a Patron server?")
    return page


def _detail(error: urllib.error.HTTPError) -> str:
    """The problem's detail (problem+json) or the HTTP reason."""
    try:
        return json.loads(error.read()).get("detail") or error.reason
    except (ValueError, AttributeError):
        return error.reason
