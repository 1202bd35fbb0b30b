"""The duplicate scan: every customer (``full_scan``) or only those created or changed since the
last run (``incremental_scan``), writing proposed pairs to the review queue.

Both stream: customers are taken block by block (by id), each block's candidate pairs come from
one self-join of the blocking keys, are scored, and written before the next block is read, so
memory stays flat however many customers there are. Keys shared by more than rules.MAX_BLOCK
customers are not compared. Pairs decided "not the same" or merged are never touched again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from patron.customers.models import Customer
from patron.duplicates.keys import refresh_keys
from patron.duplicates.matching import Match, compare
from patron.duplicates.models import DuplicateKey, DuplicatePair, PairStatus, PendingCheck
from patron.duplicates.profiles import profiles_of
from patron.duplicates.rules import MAX_BLOCK

BLOCK = 2000  # customers per block of the full scan
PENDING_BLOCK = 500  # changed customers per block of the incremental scan
KEYS_PER_QUERY = 2000  # values in one IN list
_KEYS, _PAIRS = DuplicateKey._meta.db_table, DuplicatePair._meta.db_table


@dataclass
class ScanResult:
    customers: int = 0
    compared: int = 0
    proposed: int = 0  # open pairs written (new or updated)
    removed: int = 0  # open pairs that no longer score
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)


def rebuild_keys(*, block: int = BLOCK, progress: Callable[[str], None] | None = None) -> int:
    """Compute every customer's keys afresh (after an upgrade, or a change of rules.py)."""
    done, last = 0, 0
    while True:
        ids = list(Customer.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:block])
        if not ids:
            return done
        with transaction.atomic():
            refresh_keys(ids, pending=False)
        done, last = done + len(ids), ids[-1]
        if progress and done % (block * 50) < block:
            progress(f"keys of {done:,} customers")


def _analyse_keys() -> None:
    """Fresh statistics for the self-join of each block: with stale ones (keys just loaded or
    rebuilt) PostgreSQL may hash the whole key table for every block instead of walking the index."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_KEYS}")


def common_keys() -> list[str]:
    """Keys shared by too many customers to be compared."""
    return list(DuplicateKey.objects.values("key").annotate(n=Count("id")).filter(n__gt=MAX_BLOCK)
                .values_list("key", flat=True))


def full_scan(*, block: int = BLOCK, rebuild: bool = False,
              progress: Callable[[str], None] | None = None) -> ScanResult:
    started = time.perf_counter()
    result = ScanResult()
    if rebuild or not DuplicateKey.objects.exists():
        rebuild_keys(block=block, progress=progress)
    pending_upto = PendingCheck.objects.aggregate(last=Max("id"))["last"]
    _analyse_keys()
    common = common_keys()
    last_id = Customer.objects.aggregate(last=Max("pk"))["last"] or 0
    for low in range(0, last_id + 1, block):
        high = low + block
        found = _pairs_between("a.customer_id >= %s AND a.customer_id < %s AND b.customer_id > a.customer_id",
                               [low, high], common)
        with transaction.atomic():
            _write(found, Q(first_id__gte=low, first_id__lt=high), result)
        result.customers = min(high, last_id)
        if progress and (low // block) % 50 == 0:
            progress(f"scanned up to customer {min(high, last_id):,}: {result.proposed:,} pairs")
    if pending_upto:
        PendingCheck.objects.filter(id__lte=pending_upto).delete()
    result.customers = Customer.objects.count()
    result.seconds = time.perf_counter() - started
    return result


def incremental_scan(*, block: int = PENDING_BLOCK) -> ScanResult:
    """Check the customers created or changed since the last scan against everyone."""
    started = time.perf_counter()
    result = ScanResult()
    while True:
        pending = list(PendingCheck.objects.order_by("id").values_list("id", "customer_id")[:block])
        if not pending:
            break
        ids = sorted({customer_id for _, customer_id in pending})
        check_customers(ids, result)
        PendingCheck.objects.filter(id__lte=pending[-1][0]).delete()
        result.customers += len(ids)
    result.seconds = time.perf_counter() - started
    return result


def check_customers(ids: list[int], result: ScanResult | None = None) -> ScanResult:
    """Find, score and write the pairs of these customers with anyone (the incremental check)."""
    result = result or ScanResult()
    found = {(min(a, b), max(a, b)) for a, b in _partners_of(ids)}
    with transaction.atomic():
        _write(found, Q(first_id__in=ids) | Q(second_id__in=ids), result)
    return result


def likely_duplicates_of(ids: list[int], *, limit: int = 3) -> dict[int, list[tuple[int, Match]]]:
    """For each of these customers, the others likely the same (POSSIBLE or above), strongest first,
    without writing anything: one query for a whole batch (an import's rows). Pairs decided "not
    the same" are left out."""
    if not ids:
        return {}
    found = _partners_of(ids)
    profiles = profiles_of({pk for pair in found for pk in pair})
    decided = set(DuplicatePair.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids))
                  .exclude(status=PairStatus.OPEN).values_list("first_id", "second_id"))
    result: dict[int, list[tuple[int, Match]]] = {}
    for a, b in found:
        if a in profiles and b in profiles and (min(a, b), max(a, b)) not in decided:
            match = compare(profiles[a], profiles[b])
            if match.is_possible:
                result.setdefault(a, []).append((b, match))
    return {pk: sorted(matches, key=lambda item: (-item[1].score, item[0]))[:limit] for pk, matches in result.items()}


def _partners_of(ids: list[int]) -> set[tuple[int, int]]:
    """(customer of ``ids``, another customer sharing a key with it), by two index walks: the keys of
    these customers, then who holds each of them. Done here rather than as a self-join, whose plan
    depends on the database's statistics (a hash of the whole key table when they are stale)."""
    own = list(DuplicateKey.objects.filter(customer_id__in=ids).values_list("key", "customer_id"))
    holders = defaultdict(list)
    keys = sorted({key for key, _ in own})
    for start in range(0, len(keys), KEYS_PER_QUERY):
        for key, customer_id in DuplicateKey.objects.filter(key__in=keys[start:start + KEYS_PER_QUERY]).values_list(
                "key", "customer_id"):
            holders[key].append(customer_id)
    return {(customer_id, other) for key, customer_id in own if len(holders[key]) <= MAX_BLOCK
            for other in holders[key] if other != customer_id}


def _pairs_between(where: str, params: list, common: list[str]) -> set[tuple[int, int]]:
    sql = (f"SELECT DISTINCT a.customer_id, b.customer_id FROM {_KEYS} a "
           f"JOIN {_KEYS} b ON b.key = a.key WHERE {where}")
    if common:
        sql += f" AND a.key NOT IN ({', '.join(['%s'] * len(common))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *common])
        return set(cursor.fetchall())


def _write(found: set[tuple[int, int]], scope: Q, result: ScanResult) -> None:
    """Score the pairs found and bring the open pairs within ``scope`` in line with them."""
    profiles = profiles_of({pk for pair in found for pk in pair})
    scored: dict[tuple[int, int], Match] = {}
    for a, b in found:
        if a in profiles and b in profiles:
            match = compare(profiles[a], profiles[b])
            result.compared += 1
            if match.is_possible:
                scored[(a, b)] = match
    existing = {(pair.first_id, pair.second_id): pair for pair in DuplicatePair.objects.filter(scope)}
    stale = [pair.pk for key, pair in existing.items() if key not in scored and pair.status == PairStatus.OPEN]
    if stale:
        DuplicatePair.objects.filter(pk__in=stale).delete()
        result.removed += len(stale)
    new, changed, now = [], [], timezone.now()
    decided = _decided_pairs([key for key in scored if key not in existing])
    for key, match in scored.items():
        reasons = "," + ",".join(match.codes) + ","
        pair = existing.get(key)
        if pair is None:
            if key not in decided:
                new.append(DuplicatePair(first_id=key[0], second_id=key[1], score=match.score, reasons=reasons,
                                         created_at=now, updated_at=now))
        elif pair.status == PairStatus.OPEN and (pair.score != match.score or pair.reasons != reasons):
            pair.score, pair.reasons, pair.updated_at = match.score, reasons, now
            changed.append(pair)
    DuplicatePair.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    DuplicatePair.objects.bulk_update(changed, ["score", "reasons", "updated_at"], batch_size=1000)
    result.proposed += len(new) + len(changed)


def _decided_pairs(keys: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Pairs outside the scope just read that exist already (the incremental scope reads them all)."""
    if not keys:
        return set()
    firsts = {a for a, _ in keys}
    return set(DuplicatePair.objects.filter(first_id__in=firsts).values_list("first_id", "second_id")) & set(keys)
