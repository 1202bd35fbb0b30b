"""Counting requests in fixed windows, in a store every server shares.

``hit`` adds to each key's count and returns the new counts. The store is the database by default
(``RateCount``: one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` for all the keys of
a request, the same statement on SQLite and PostgreSQL), or a Django cache
such as Redis when ``PATRON_RATE_LIMIT_CACHE_URL`` configures one (``add`` then ``incr``, atomic
there). The API's limits themselves (per token, per client address, failed authentications) are
applied by ``patron.api.ratelimit``.
"""

from __future__ import annotations

import math
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from patron.ops.models import RateCount

CACHE_ALIAS = "rate-limit"
PURGE_CHANCE = 0.01  # a new window's first request deletes the expired rows one time in a hundred


def clock() -> float:
    return time.time()


@dataclass(frozen=True)
class Window:
    start: int
    seconds: int

    @property
    def end(self) -> int:
        return self.start + self.seconds

    def retry_after(self, now: float) -> int:
        """Whole seconds until the window ends, at least one (the ``Retry-After`` header)."""
        return max(1, math.ceil(self.end - now))


def current_window(seconds: int, now: float) -> Window:
    return Window(int(now // seconds) * seconds, seconds)


def hit(counts: dict[str, int], window: Window) -> dict[str, int]:
    """Add ``counts[name]`` (1 for a request, 0 to only read) to each name's count in ``window``,
    in one round trip; the counts after it."""
    keys = {f"{name}@{window.start}": name for name in counts}
    if settings.PATRON_RATE_LIMIT_CACHE_URL:
        totals = _hit_cache({key: counts[name] for key, name in keys.items()}, window)
    else:
        totals = _hit_database({key: counts[name] for key, name in keys.items()}, window)
    return {name: totals[key] for key, name in keys.items()}


def _hit_cache(increments: dict[str, int], window: Window) -> dict[str, int]:
    cache = caches[CACHE_ALIAS]
    totals = {}
    for key, increment in increments.items():
        cache.add(key, 0, timeout=window.seconds + 5)
        try:
            totals[key] = cache.incr(key, increment)
        except ValueError:  # expired between add and incr: a new window's first request
            cache.add(key, increment, timeout=window.seconds + 5)
            totals[key] = increment
    return totals


def _hit_database(increments: dict[str, int], window: Window) -> dict[str, int]:
    table, key, count, expires_at = map(connection.ops.quote_name, (RateCount._meta.db_table, "key", "count",
                                                                   "expires_at"))
    rows = ", ".join(["(%s, %s, %s)"] * len(increments))
    params = [value for name, increment in increments.items() for value in (name, increment, float(window.end))]
    with connection.cursor() as cursor, _without_fsync(cursor):
        cursor.execute(
            f"INSERT INTO {table} ({key}, {count}, {expires_at}) VALUES {rows} "
            f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count} "
            f"RETURNING {key}, {count}", params)
        totals = dict(cursor.fetchall())
    if random.random() < PURGE_CHANCE and _opens_a_window(increments, totals):
        purge_expired(clock())
    return totals


def _opens_a_window(increments: dict[str, int], totals: dict[str, int]) -> bool:
    """Whether this hit was the first counted in its window. Keys only read (increment 0) say
    nothing: a read of a count still at 0 is not a new window's first request."""
    return any(increment and totals[key] == increment for key, increment in increments.items())


@contextmanager
def _without_fsync(cursor):
    """On SQLite, the count's commit is not flushed to disk (a power cut may lose a minute's counts,
    never other data: the next commit at synchronous=FULL flushes the log with it). That takes it
    from ~2.8 ms to ~0.6 ms. Inside a transaction the setting cannot change, nor needs to."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        cursor.execute("PRAGMA synchronous=FULL")


def purge_expired(now: float) -> int:
    return RateCount.objects.filter(expires_at__lt=now).delete()[0]
