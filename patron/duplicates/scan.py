"""The duplicate scan: every customer (``full_scan``) or only those created or changed since the
last run (``incremental_scan``), writing proposed pairs to the review queue.

The full scan finds its candidate pairs in one walk over the blocking keys in key order: the
customers holding one key come together, so its cost grows with the number of keys (not with
their square, as a self-join per block of customers does when the database hashes the whole key
table for every block). The pairs are then scored and written block by block (by the lower id),
so only the candidate pairs, never the customers, are held in memory. The incremental scan walks
the keys of the changed customers through the index. Keys shared by more than rules.MAX_BLOCK
customers are not compared. Pairs decided "not the same" or merged are never touched again.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from patron.core.db import refresh_statistics
from patron.customers.models import Address, Customer, CustomerEmail, CustomerPhone
from patron.duplicates.keys import refresh_keys
from patron.duplicates.matching import Match, compare
from patron.duplicates.models import DuplicateKey, DuplicatePair, PairStatus, PendingCheck
from patron.duplicates.profiles import profiles_of
from patron.duplicates.rules import MAX_BLOCK

BLOCK = 2000  # customers per block of the full scan
PENDING_BLOCK = 500  # changed customers per block of the incremental scan
KEYS_PER_QUERY = 2000  # values in one IN list
KEYS_PER_FETCH = 20_000  # rows of the key walk fetched at a time
# What a scan reads, block after block: with statistics older than a large load, PostgreSQL reads
# whole tables for each block's few thousand profiles instead of walking their indexes.
SCANNED_MODELS = [Customer, CustomerPhone, CustomerEmail, Address, DuplicateKey, DuplicatePair]


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
    refresh_statistics(SCANNED_MODELS)
    while True:
        ids = list(Customer.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:block])
        if not ids:
            return done
        with transaction.atomic():
            refresh_keys(ids, pending=False)
        done, last = done + len(ids), ids[-1]
        if progress and done % (block * 50) < block:
            progress(f"keys of {done:,} customers")


def full_scan(*, block: int = BLOCK, rebuild: bool = False,
              progress: Callable[[str], None] | None = None) -> ScanResult:
    started = time.perf_counter()
    result = ScanResult()
    if rebuild or not DuplicateKey.objects.exists():
        rebuild_keys(block=block, progress=progress)
    pending_upto = PendingCheck.objects.aggregate(last=Max("id"))["last"]
    refresh_statistics(SCANNED_MODELS)
    candidates = _candidate_pairs()
    last_id = Customer.objects.aggregate(last=Max("pk"))["last"] or 0
    for low in range(0, last_id + 1, block):
        high = low + block
        found = set(candidates[bisect_left(candidates, (low,)):bisect_left(candidates, (high,))])
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


def _candidate_pairs() -> list[tuple[int, int]]:
    """Every two customers sharing a key that is not too common, as (lower id, higher id), each
    once, in order: from one walk over the key index in key order."""
    pairs = set()
    walk = (DuplicateKey.objects.order_by("key", "customer_id").values_list("key", "customer_id")
            .iterator(chunk_size=KEYS_PER_FETCH))
    for _, holding in groupby(walk, key=itemgetter(0)):
        holders = sorted({customer_id for _, customer_id in holding})
        if 1 < len(holders) <= MAX_BLOCK:
            pairs.update(combinations(holders, 2))
    return sorted(pairs)


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
