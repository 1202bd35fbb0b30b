"""``patron till-cache sync|lookup`` (the reference offline till) and ``patron reindex``."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from patron.cli.common import CliError, counted, positive_int, print_json, print_table
from patron.customers.search_index import rebuild_index
from patron.lookup.engine import QueryTooLong
from patron.lookup.till_cache import SyncFailed, TillCache, is_till_cache

PAGE_MAX = 1000  # what GET /api/v1/changes takes


def register(commands) -> None:
    cache = commands.add_parser(
        "till-cache", help="keep an offline copy of a store's customers and look them up in it",
        description="The reference client of the change feed: `sync` follows GET /api/v1/changes into a local "
                    "SQLite file, `lookup` answers from that file offline with the server's matching rules.")
    cache_commands = cache.add_subparsers(dest="cache_command", required=True, metavar="COMMAND")

    sync = cache_commands.add_parser(
        "sync", help="bring the cache up to date from a Patron server",
        description="Fetch the changes since the last sync (all of them the first time), page by page, and apply "
                    "them: the file then holds exactly the customers the token's store may serve. Each page is "
                    "applied in one transaction, so an interrupted sync resumes where it stopped.")
    sync.add_argument("--url", required=True, type=_http_url, help="the server, e.g. https://crm.example-shop.com")
    sync.add_argument("--token", required=True, help="an API token of the till's store (customers.view)")
    sync.add_argument("--db", required=True, type=Path, metavar="FILE", help="the cache file (created if missing)")
    sync.add_argument("--page-size", type=_page_size, default=500, metavar="N",
                      help=f"changes per request, at most {PAGE_MAX} (default: %(default)s)")
    sync.set_defaults(handler=sync_cache)

    lookup = cache_commands.add_parser(
        "lookup", help="find customers in the cache, offline",
        description="Find customers as the till does: names in any order (accents, case and one typo forgiven), "
                    "phones in any format or their last digits, e-mails, account numbers, tax IDs; best first, "
                    "each with what matched. Needs no server.")
    lookup.add_argument("query", metavar="QUERY", help="what the cashier typed")
    lookup.add_argument("--db", required=True, type=Path, metavar="FILE", help="a cache made by `till-cache sync`")
    lookup.add_argument("--limit", type=positive_int, default=20, metavar="N",
                        help="at most this many (default: %(default)s)")
    lookup.add_argument("--format", choices=("table", "json"), default="table",
                        help="output format (default: %(default)s)")
    lookup.set_defaults(handler=lookup_cache)

    reindex = commands.add_parser(
        "reindex", help="rebuild the customer lookup index",
        description="Rebuild the lookup index from the customers table, in one transaction: lookups use the old "
                    "index until the new one is complete. Patron keeps the index current by itself; rebuild it "
                    "after writing customers into the database by other means.")
    reindex.set_defaults(handler=rebuild)


def _page_size(text: str) -> int:
    size = positive_int(text)
    if size > PAGE_MAX:
        raise argparse.ArgumentTypeError(f"the feed gives at most {PAGE_MAX} changes per request")
    return size


def _http_url(text: str) -> str:
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// address")
    return text


# --- till-cache -------------------------------------------------------------------------------------

def sync_cache(args) -> None:
    if args.db.exists() and args.db.stat().st_size and not is_till_cache(args.db):
        raise CliError(f"{args.db} exists and is not a till cache: give a new file or one `till-cache sync` made.")
    with _opened(args.db) as cache:
        try:
            result = cache.sync(args.url, args.token, page_size=args.page_size)
        except SyncFailed as error:
            raise CliError(f"{error} (the cache keeps what was synced before)") from None
    print(f"Synced {counted(result.pages, 'page')}: {counted(result.upserts, 'upsert')}, "
          f"{counted(result.removals, 'removal')}. The cache holds {counted(result.customers, 'customer')}.")


def lookup_cache(args) -> None:
    if not is_till_cache(args.db):
        raise CliError(f"{args.db} is not a till cache (yet): run `patron till-cache sync --db {args.db} ...` first.")
    with _opened(args.db) as cache:
        try:
            found = cache.lookup(args.query, limit=args.limit)
        except QueryTooLong as error:
            raise CliError(str(error)) from None
    if args.format == "json":
        print_json(found)
    elif found:
        print_table([_row(customer) for customer in found])
    else:
        print("No customer matches.", file=sys.stderr)


@contextmanager
def _opened(path: Path):
    """The cache, open; its SQLite errors (locked by another sync, disk full, unreadable) end as one line."""
    cache = None
    try:
        cache = TillCache(path)
        yield cache
    except sqlite3.Error as error:
        raise CliError(f"The till cache {path}: {error}") from None
    finally:
        if cache is not None:
            cache.close()


def _row(customer: dict) -> dict:
    phones, emails = customer.get("phones") or [{}], customer.get("emails") or [{}]
    return {"account_number": customer["account_number"], "name": customer["name"], "status": customer["status"],
            "phone": phones[0].get("number", ""), "email": emails[0].get("address", ""),
            "matched_on": customer["matched_on"]}


# --- reindex ----------------------------------------------------------------------------------------

def rebuild(args) -> None:
    started = time.monotonic()
    count = rebuild_index()
    print(f"Indexed {counted(count, 'customer')} in {time.monotonic() - started:.1f} s.")
